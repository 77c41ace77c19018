"""SelfHealingRule: rules feed the one self-healing engine (cloudops_operator.self_healing), which watches the
members the rules target and runs their actions; no daemon per rule or per cluster."""

from __future__ import annotations

from typing import Any

import kopf

from cloudops.constants import GROUP, SELF_HEALING_RULE, VERSION
from cloudops.resources.base import ObjectMeta
from cloudops_operator.memo import Memo
from cloudops_operator.self_healing import ENGINE_KEY, SelfHealing

__all__ = ["rule_event", "start_engine", "stop_engine"]


@kopf.on.startup()
def start_engine(memo: Memo, **_: Any) -> None:
    """Created on the operator's memo (shared by every handler's copy); it starts with the first rule."""
    memo[ENGINE_KEY] = SelfHealing(memo)


@kopf.on.cleanup()
async def stop_engine(memo: Memo, **_: Any) -> None:
    engine: SelfHealing | None = memo.get(ENGINE_KEY)
    if engine is not None:
        await engine.stop()


@kopf.on.event(GROUP, VERSION, SELF_HEALING_RULE.plural)
async def rule_event(event: kopf.RawEvent, memo: Memo, **_: Any) -> None:
    """Listed, added, changed or deleted: the engine follows (status writes come back here and change nothing)."""
    engine: SelfHealing = memo[ENGINE_KEY]
    body = event["object"]
    meta = ObjectMeta.model_validate(body.get("metadata") or {})
    if event["type"] == "DELETED" or meta.deletion_timestamp:
        await engine.remove(meta)
    else:
        await engine.put(body)
