"""The in-memory row set projections write to: keys, defaults, and what a flush takes."""

from __future__ import annotations

import json

from projections.tables import Dirty, Rows, Table

TOTALS = Table("test_total", "", "orders:int note flag:bool")
LINES = Table("test_line", "order_id line:int", "amount:int tags:json")


def test_upsert_and_add_create_a_blank_row_and_mark_it_changed() -> None:
    rows = Rows()
    rows.add(TOTALS, "pycon", orders=2)
    rows.upsert(TOTALS, "pycon", note="x")
    rows.add(LINES, "pycon", "o1", 1, amount=500)
    assert rows.one(TOTALS, "pycon") == {"conference": "pycon", "orders": 2, "note": "x",
                                         "flag": False}
    assert list(rows.one(LINES, "pycon", "o1", 1) or {}) == list(LINES.columns)
    assert rows.take_dirty(TOTALS) == Dirty(new=[rows.get(TOTALS, "pycon")], changed=[],
                                            deleted=[])
    assert rows.take_dirty(TOTALS) == Dirty([], [], [])


def test_a_row_is_keyed_and_encoded_in_column_order_whatever_its_key_width() -> None:
    rows = Rows()
    total = rows.put(TOTALS, {"conference": "pycon", "orders": 1, "note": None, "flag": True})
    line = rows.put(LINES, {"conference": "pycon", "order_id": "o1", "line": 2, "amount": 5,
                            "tags": None})
    assert (TOTALS.key_of(total), LINES.key_of(line)) == (("pycon",), ("pycon", "o1", 2))
    assert TOTALS.encode(total) == ("pycon", 1, None, 1)
    assert LINES.encode(line) == LINES.values_of(line) == ("pycon", "o1", 2, 5, None)
    tagged = line | {"tags": {"b": [1, True], "a": "é"}}
    assert LINES.encode(tagged) == ("pycon", "o1", 2, 5, json.dumps(tagged["tags"], sort_keys=True))
    assert rows.take_dirty(LINES).new == [line]
    rows.delete(LINES, "pycon", "o1", 2)
    assert rows.take_dirty(LINES) == Dirty([], [], [("pycon", "o1", 2)])


def test_a_row_is_new_until_taken_and_a_row_deleted_since_is_not_new_again() -> None:
    # Given a stored total and line (loaded), and rows made since
    rows = Rows()
    rows.load(TOTALS, [TOTALS.blank(("pycon",))])
    rows.load(LINES, [LINES.blank(("pycon", "o1", 1))])
    rows.add(TOTALS, "pycon", orders=1)
    made = rows.put(LINES, LINES.blank(("pycon", "o1", 2)))
    rows.add(LINES, "pycon", "o1", 2, amount=5)
    # When the stored line is deleted and made again, and a new one is made and deleted
    rows.delete(LINES, "pycon", "o1", 1)
    again = rows.add(LINES, "pycon", "o1", 1, amount=7)
    rows.add(LINES, "pycon", "o1", 3)
    rows.delete(LINES, "pycon", "o1", 3)
    # Then only the line storage never held is new, the line made again overwrites the stored
    # one, and the line made and deleted since is nothing to write
    assert rows.take_dirty(TOTALS) == Dirty([], [rows.get(TOTALS, "pycon")], [])
    assert rows.take_dirty(LINES) == Dirty([made], [again], [])
    # And once taken (flushed), a change to it is no longer new, nor is a row made after a delete
    rows.add(LINES, "pycon", "o1", 2, amount=1)
    rows.delete(LINES, "pycon", "o1", 1)
    rows.put(LINES, LINES.blank(("pycon", "o1", 1)))
    assert not rows.take_dirty(LINES).new
