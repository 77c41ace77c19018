"""metav1.Condition bookkeeping: lastTransitionTime moves only when the status flips."""

from __future__ import annotations

import copy
import re

from cloudops.conditions import Condition, now_iso, ready_condition, set_condition

T0, T1 = "2024-01-01T00:00:00Z", "2024-06-01T12:00:00Z"


def _ready(status: str, reason: str = "Connected", message: str = "ok", at: str = T0) -> Condition:
    return {"type": "Ready", "status": status, "reason": reason, "message": message, "lastTransitionTime": at}


def test_ready_condition_true_with_generation() -> None:
    assert ready_condition(True, "Connected", "connected in 0.1s", 7) == {
        "type": "Ready", "status": "True", "reason": "Connected", "message": "connected in 0.1s",
        "observedGeneration": 7}


def test_ready_condition_false_without_generation_has_no_observed_generation() -> None:
    cond = ready_condition(False, "Timeout", "no answer", None)
    assert cond == {"type": "Ready", "status": "False", "reason": "Timeout", "message": "no answer"}


def test_ready_condition_keeps_generation_zero() -> None:
    assert ready_condition(True, "R", "m", 0)["observedGeneration"] == 0


def test_first_condition_is_appended_with_transition_time() -> None:
    out = set_condition(None, ready_condition(True, "Connected", "ok", 1), now=T1)
    assert out == [{"type": "Ready", "status": "True", "reason": "Connected", "message": "ok",
                    "observedGeneration": 1, "lastTransitionTime": T1}]


def test_unchanged_status_keeps_transition_time_but_updates_details() -> None:
    out = set_condition([_ready("True", at=T0)], ready_condition(True, "Resynced", "still fine", 2), now=T1)
    assert len(out) == 1
    assert out[0]["lastTransitionTime"] == T0
    assert out[0]["reason"] == "Resynced"
    assert out[0]["message"] == "still fine"
    assert out[0]["observedGeneration"] == 2


def test_flipped_status_moves_transition_time() -> None:
    out = set_condition([_ready("True", at=T0)], ready_condition(False, "Timeout", "no answer", 2), now=T1)
    assert out == [{"type": "Ready", "status": "False", "reason": "Timeout", "message": "no answer",
                    "observedGeneration": 2, "lastTransitionTime": T1}]


def test_same_status_without_previous_time_gets_one() -> None:
    existing: list[Condition] = [{"type": "Ready", "status": "True", "reason": "Old", "message": ""}]
    out = set_condition(existing, ready_condition(True, "Connected", "ok", None), now=T1)
    assert out[0]["lastTransitionTime"] == T1


def test_new_type_is_appended_and_others_left_intact() -> None:
    synced: Condition = {"type": "Synced", "status": "True", "reason": "Done", "message": "",
                         "lastTransitionTime": T0}
    out = set_condition([synced], ready_condition(False, "Pending", "waiting", None), now=T1)
    assert out[0] == synced
    assert out[1]["type"] == "Ready"
    assert out[1]["lastTransitionTime"] == T1


def test_replacing_one_type_keeps_order_and_other_types() -> None:
    synced: Condition = {"type": "Synced", "status": "False", "reason": "X", "message": "",
                         "lastTransitionTime": T0}
    degraded: Condition = {"type": "Degraded", "status": "True", "reason": "Y", "message": "",
                           "lastTransitionTime": T0}
    out = set_condition([synced, _ready("False"), degraded], ready_condition(True, "Connected", "ok", None), now=T1)
    assert [c["type"] for c in out] == ["Synced", "Ready", "Degraded"]
    assert out[0] == synced
    assert out[2] == degraded
    assert out[1]["status"] == "True"
    assert out[1]["lastTransitionTime"] == T1


def test_inputs_are_not_mutated() -> None:
    existing = [_ready("True", at=T0)]
    new = ready_condition(False, "Timeout", "no answer", None)
    before_existing, before_new = copy.deepcopy(existing), copy.deepcopy(new)
    set_condition(existing, new, now=T1)
    assert existing == before_existing
    assert new == before_new


def test_default_now_is_rfc3339_utc() -> None:
    out = set_condition([], ready_condition(True, "Connected", "ok", None))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", out[0]["lastTransitionTime"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", now_iso())
