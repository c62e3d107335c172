"""The in-memory row set projections write to: keys, defaults, and what a flush takes."""

from __future__ import annotations

import json

from projections.tables import Rows, Table

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
    assert rows.take_dirty(TOTALS) == ([rows.get(TOTALS, "pycon")], [])
    assert rows.take_dirty(TOTALS) == ([], [])


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
    rows.delete(LINES, "pycon", "o1", 2)
    assert rows.take_dirty(LINES) == ([], [("pycon", "o1", 2)])
