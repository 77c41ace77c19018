"""Checks the network sections make on what a caller gives before anything is sent to a member."""

from __future__ import annotations

from cloudops.errors import BadRequest
from cloudops.kube.types import ObjectMeta
from cloudops.labels.selectors import key_error, selector_error, value_error

__all__ = ["check_labels", "check_selector", "metadata_changes"]


def check_selector(selector: str | None) -> None:
    if selector and (err := selector_error(selector)):
        raise BadRequest(err, field="label_selector")


def check_labels(labels: dict[str, str] | None, where: str) -> None:
    for k, v in (labels or {}).items():
        if err := key_error(k) or value_error(v):
            raise BadRequest(err, field=where)


def metadata_changes(labels: dict[str, str] | None, annotations: dict[str, str] | None) -> ObjectMeta:
    """The labels and annotations that replace an object's where given (labels checked: 400 naming the bad one)."""
    check_labels(labels, "labels")
    changes: ObjectMeta = {}
    if labels is not None:
        changes["labels"] = labels
    if annotations is not None:
        changes["annotations"] = annotations
    return changes
