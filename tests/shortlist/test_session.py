"""The session helper on its own: cleaning stored values, the cap, moving and notes."""

import pytest

from shortlist.session import (
    MAX_NOTE_LENGTH,
    MAX_PROVIDERS,
    SessionShortlist,
    ShortlistFull,
    clean_entries,
)


@pytest.mark.parametrize("raw", [None, "", "junk", 5, {"id": 1}, [None], [[1, "x"]]])
def test_clean_entries_of_junk_is_empty(raw):
    assert clean_entries(raw) == []


def test_clean_entries_keeps_good_ones_in_order():
    raw = [
        {"id": 3, "note": "a"},
        {"id": 3, "note": "repeat"},
        {"id": 0},
        {"id": -4},
        {"id": 2**63},
        {"id": "5"},
        {"id": 5.0},
        {"id": False},
        {"id": 7, "note": None},
        {"id": 1, "note": "x" * 1000},
    ]
    assert clean_entries(raw) == [
        {"id": 3, "note": "a"},
        {"id": 7, "note": ""},
        {"id": 1, "note": "x" * MAX_NOTE_LENGTH},
    ]


def test_helper_add_move_remove_notes():
    shortlist = SessionShortlist({})
    assert shortlist.add(1) and shortlist.add(2) and shortlist.add(3)
    assert not shortlist.add(2)
    assert shortlist.move(3, -1)
    assert shortlist.ids() == [1, 3, 2]
    assert not shortlist.move(1, -1)
    assert not shortlist.move(2, 1)
    assert not shortlist.move(99, 1)
    assert shortlist.set_notes({3: "hi", 99: "ignored"})
    assert not shortlist.set_notes({3: "hi"})
    assert shortlist.remove(1) and not shortlist.remove(1)
    assert shortlist.entries == [{"id": 3, "note": "hi"}, {"id": 2, "note": ""}]
    assert 3 in shortlist and 1 not in shortlist


def test_helper_cap():
    shortlist = SessionShortlist({})
    for pk in range(1, MAX_PROVIDERS + 1):
        shortlist.add(pk)
    assert shortlist.is_full()
    with pytest.raises(ShortlistFull):
        shortlist.add(MAX_PROVIDERS + 1)
    assert not shortlist.add(1)


def test_shared_tokens_are_remembered_and_capped():
    session = {}
    shortlist = SessionShortlist(session)
    for n in range(60):
        shortlist.remember_shared(f"token-{n}")
    assert len(shortlist.shared_tokens()) == 50
    assert shortlist.created("token-59")
    assert not shortlist.created("token-0")
    assert shortlist.pop_new_link() == "token-59"
    assert shortlist.pop_new_link() is None
