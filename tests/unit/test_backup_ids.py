"""Backup ids in one form: an object id naming its cluster by name or by id is the same id (cloudops.backups.ids)."""

from __future__ import annotations

import pytest

from cloudops.backups.ids import canonical
from cloudops.members.access import ClusterRef

MEMBER = ClusterRef(1, "member-1", {})


@pytest.mark.parametrize("raw", ["member-1:pod:demo:web", "1:pod:demo:web"])
def test_either_form_of_an_id_is_the_numeric_one(raw: str) -> None:
    assert str(canonical(raw, MEMBER)) == "1:pod:demo:web"


def test_a_cluster_without_an_id_keeps_its_name() -> None:
    assert str(canonical("member-1:node::n1", ClusterRef(None, "member-1", {}))) == "member-1:node::n1"


@pytest.mark.parametrize(("raw", "says"), [("member-2:pod:demo:web", "names cluster 'member-2'"),
                                           ("2:pod:demo:web", "not 'member-1' (id 1)"),
                                           ("member-1:pod:web", "expected <cluster id>")])
def test_another_cluster_or_no_id_is_refused_saying_why(raw: str, says: str) -> None:
    with pytest.raises(ValueError, match=says.replace("(", r"\(").replace(")", r"\)")):
        canonical(raw, MEMBER)
