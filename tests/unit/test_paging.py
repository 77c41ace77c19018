"""cloudops.paging.page: one offset page of an ordered sequence with its totals."""

from __future__ import annotations

import pytest

from cloudops.paging import page


def test_first_page() -> None:
    assert page(list(range(10)), 3, 0) == {"items": [0, 1, 2], "total": 10, "limit": 3, "offset": 0}


def test_middle_and_last_partial_page() -> None:
    assert page(list(range(10)), 4, 4)["items"] == [4, 5, 6, 7]
    assert page(list(range(10)), 4, 8)["items"] == [8, 9]


@pytest.mark.parametrize("offset", [10, 11, 1000])
def test_offset_past_the_end_is_empty_but_keeps_the_total(offset: int) -> None:
    assert page(list(range(10)), 5, offset) == {"items": [], "total": 10, "limit": 5, "offset": offset}


def test_zero_limit_counts_without_items() -> None:
    assert page(["a", "b"], 0, 0) == {"items": [], "total": 2, "limit": 0, "offset": 0}


def test_empty_sequence() -> None:
    assert page([], 50, 0) == {"items": [], "total": 0, "limit": 50, "offset": 0}


def test_any_sequence_gives_a_list_and_leaves_input_alone() -> None:
    items = ("a", "b", "c")
    out = page(items, 2, 1)
    assert out["items"] == ["b", "c"]
    assert isinstance(out["items"], list)
    assert page("abc", 2, 0)["items"] == ["a", "b"]
    source = [1, 2, 3]
    page(source, 2, 0)["items"].append(99)
    assert source == [1, 2, 3]


def test_extra_fields_are_merged() -> None:
    out = page([1, 2], 10, 0, errors=[], notes=["partial"])
    assert out == {"items": [1, 2], "total": 2, "limit": 10, "offset": 0, "errors": [], "notes": ["partial"]}
