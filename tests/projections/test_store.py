"""The table store: declared secondary indexes, and pages read along them, on both databases."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from projections.db import Database, Reads
from projections.store import SqlReader, TableStore, open_store
from projections.tables import Range, Rows, Table

NOTES = Table("test_note", "note_id", "created kind size:int weight:int",
              indexes=("-created note_id", "kind -created note_id"))
NEWEST_FIRST = (("created", True), ("note_id", False))


@pytest.fixture
def store(services: Any) -> TableStore:
    store = TableStore(services.database)
    store.create([NOTES])
    rows = [("pycon", f"n{n}", f"2026-10-{1 + n % 5:02d}", "ab"[n % 2], n, 100 - n)
            for n in range(12)]
    with services.database.transaction() as cursor:
        cursor.executemany("INSERT INTO test_note VALUES (?, ?, ?, ?, ?, ?)", rows)
    return store


def plan(database: Database, sql: str, params: list[Any]) -> str:
    """The query plan, with PostgreSQL told to avoid scans and sorts it has an index for."""
    with database.transaction(commit=False) as cursor:
        if database.is_postgres:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_declared_indexes_are_created_and_creating_again_is_harmless(store: TableStore) -> None:
    store.create([NOTES])
    database = store.database
    listing = ("SELECT indexname FROM pg_indexes WHERE tablename = ?" if database.is_postgres
               else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?")
    names = {row[0] for row in database.query(listing, ("test_note",))}
    assert {"test_note_by_created_note_id", "test_note_by_kind_created_note_id"} <= names


@pytest.mark.parametrize("where", [None, {"kind": "a"}])
def test_a_page_newest_first_walks_the_index_instead_of_sorting(store: TableStore,
                                                                where: Any) -> None:
    reader = SqlReader(store.database)
    sql, params = reader._select(NOTES, "pycon", where, NEWEST_FIRST, ("2026-10-03", "n2"))
    shown = plan(store.database, sql + " LIMIT 3", params)
    assert "test_note_by_" in shown
    assert "TEMP B-TREE" not in shown and "Sort" not in shown


def test_keyset_pages_match_a_full_sort(store: TableStore) -> None:
    reader = SqlReader(store.database)
    everything = reader.many(NOTES, "pycon", order=NEWEST_FIRST)
    seen, after = [], None
    while True:
        page = reader.many(NOTES, "pycon", order=NEWEST_FIRST, limit=5, after=after)
        seen += page
        if len(page) < 5:
            break
        after = (page[-1]["created"], page[-1]["note_id"])
    assert seen == everything
    assert [r["created"] for r in everything] == sorted((r["created"] for r in everything),
                                                        reverse=True)
    within = reader.many(NOTES, "pycon", where={"created": Range("2026-10-02", "2026-10-03")},
                         order=NEWEST_FIRST, limit=2, after=("2026-10-03", "n2"))
    assert [r["note_id"] for r in within] == ["n7", "n1"]


def test_sums_per_value_agree_between_the_database_and_memory(store: TableStore) -> None:
    live = SqlReader(store.database)
    memory = Rows()
    memory.load(NOTES, live.many(NOTES, "pycon"))
    where = {"created": Range("2026-10-02", None)}
    found = live.sums(NOTES, "pycon", "size", "weight", by="kind", where=where)
    # n1..n11 without n5 and n10 (created Oct 1): even sizes are kind a, odd ones b
    assert found == memory.sums(NOTES, "pycon", "size", "weight", by="kind", where=where) == {
        "a": {"size": 2 + 4 + 6 + 8, "weight": 400 - (2 + 4 + 6 + 8)},
        "b": {"size": 1 + 3 + 7 + 9 + 11, "weight": 500 - (1 + 3 + 7 + 9 + 11)}}
    assert live.sums(NOTES, "pycon", "size", by="kind", where={"kind": "c"}) == {}


@pytest.mark.parametrize("where", [
    None, {"note_id": ["n3", "n1", "n3", "absent"]}, {"note_id": "n2"},
    {"note_id": ("n2", "n4"), "kind": "a"}, {"note_id": Range("n1", "n3")}, {"kind": "b"}])
def test_rows_restored_from_value_lists_read_like_the_database(store: TableStore,
                                                               where: Any) -> None:
    # Given the rows restored as a checkpoint holds them (value lists), one then deleted
    live = SqlReader(store.database)
    memory = Rows()
    values = [[row[c] for c in NOTES.columns] for row in live.many(NOTES, "pycon")]
    memory.restore(NOTES, [*values, ["pycon", "gone", "2026-10-09", "a", 0]],
                   [("pycon", "gone")])
    # Then filtered by key (looked up) or not (scanned), they read as the database's rows
    assert memory.many(NOTES, "pycon", where=where, order=NEWEST_FIRST) == live.many(
        NOTES, "pycon", where=where, order=NEWEST_FIRST)
    assert memory.one(NOTES, "pycon", "n5") == live.one(NOTES, "pycon", "n5")
    assert memory.one(NOTES, "pycon", "gone") is None and not memory.take_dirty(NOTES)[0]


def test_one_read_transaction_runs_each_distinct_query_once(
        store: TableStore, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    query = Reads.query

    def counted(self: Reads, statement: str, params: Any = ()) -> list[tuple[Any, ...]]:
        sent.append(statement)
        return query(self, statement, params)

    monkeypatch.setattr(Reads, "query", counted)
    with SqlReader(store.database).in_one_transaction() as reader:
        first = reader.many(NOTES, "pycon", where={"kind": "a"})
        first[0]["size"] = -1  # a caller changing its rows changes nobody else's
        again = reader.many(NOTES, "pycon", where={"kind": "a"})
        other = reader.many(NOTES, "pycon", where={"kind": "b"})
    assert len(sent) == 2
    assert again == SqlReader(store.database).many(NOTES, "pycon", where={"kind": "a"})
    assert {row["kind"] for row in other} == {"b"}


def test_one_reports_reads_see_one_snapshot_while_a_projector_writes(store: TableStore) -> None:
    # Given a report's reader has read a table
    with SqlReader(store.database).in_one_transaction() as reader:
        before = reader.one(NOTES, "pycon", "n1")
        # When a projector commits a change meanwhile
        store.database.execute("UPDATE test_note SET size = 99 WHERE note_id = 'n1'")
        # Then the report's later reads still see the state its first read saw
        after = reader.many(NOTES, "pycon", where={"note_id": "n1"})
    assert before is not None and before["size"] == 1
    assert [row["size"] for row in after] == [1]
    assert store.database.query("SELECT size FROM test_note WHERE note_id = 'n1'") == [(99,)]


def test_a_read_transaction_leaves_no_write_behind(store: TableStore) -> None:
    database = store.database
    refused = pytest.raises(Exception, match="read-only") if database.is_postgres else nullcontext()
    with refused, database.read_transaction() as cursor:
        cursor.execute("UPDATE test_note SET size = 99 WHERE note_id = 'n1'")
    assert database.query("SELECT size FROM test_note WHERE note_id = 'n1'") == [(1,)]
    database.execute("UPDATE test_note SET size = 98 WHERE note_id = 'n1'")  # writes still work
    assert database.query("SELECT size FROM test_note WHERE note_id = 'n1'") == [(98,)]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # its prepared statements
def test_reads_keep_the_statements_postgresql_prepared(store: TableStore,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    database, statement = store.database, "SELECT size FROM test_note WHERE note_id = ?"
    with database.datastore.get_connection() as connection:
        monkeypatch.setattr(database.datastore, "get_connection", lambda: nullcontext(connection))
        monkeypatch.setattr(connection, "prepare_threshold", 0)  # prepare at first use
        for _ in range(3):
            with database.read_transaction() as cursor:
                cursor.execute(statement, ("n1",))
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row["statement"] for row in cursor.fetchall()]
    assert database.sql(statement).replace("%s", "$1") in prepared


def flush(store: TableStore, memory: Rows, position: int) -> None:
    """Write what `memory` changed and the notes' position, as a projector's page does."""
    with store.database.transaction() as cursor:
        store.write(cursor, store.take([("notes", [NOTES], memory, position)]))


def test_a_flush_inserts_new_rows_upserts_changed_ones_and_deletes_with_the_position(
        services: Any) -> None:
    # Given a projector's store with two notes, loaded into memory
    store = open_store(services.ledger.recorder)
    store.create([NOTES])
    memory = Rows()
    for note in ("n1", "n2"):
        memory.put(NOTES, NOTES.blank(("pycon", note)) | {"size": 1})
    flush(store, memory, 5)
    # When a page changes one, deletes the other and makes it again, and adds a third
    memory.add(NOTES, "pycon", "n1", size=10)
    memory.delete(NOTES, "pycon", "n2")
    memory.upsert(NOTES, "pycon", "n2", kind="again")
    memory.upsert(NOTES, "pycon", "n3", kind="new")
    flush(store, memory, 9)
    # Then storage holds what memory holds, at the page's position
    assert SqlReader(store.database).many(NOTES, "pycon") == memory.many(NOTES, "pycon")
    assert [r["size"] for r in memory.many(NOTES, "pycon")] == [11, 0, 0]
    assert store.position("notes") == 9


def test_a_row_made_new_that_another_process_stored_first_fails_the_whole_flush(
        services: Any) -> None:
    # Given a projector that flushed a note, and another process that then stored note n2
    store = open_store(services.ledger.recorder)
    store.create([NOTES])
    memory = Rows()
    memory.upsert(NOTES, "pycon", "n1", kind="first")
    flush(store, memory, 5)
    with services.database.transaction() as cursor:
        cursor.execute("INSERT INTO test_note (conference, note_id, kind) VALUES (?, ?, ?)",
                       ("pycon", "n2", "theirs"))
    # When the projector's next page changes n1 and makes n2 as new
    memory.upsert(NOTES, "pycon", "n1", kind="second")
    memory.upsert(NOTES, "pycon", "n2", kind="ours")
    with pytest.raises(IntegrityError):
        flush(store, memory, 9)
    # Then nothing of the page is written, its position included (the projector reloads)
    assert [(r["note_id"], r["kind"]) for r in SqlReader(store.database).many(NOTES, "pycon")
            ] == [("n1", "first"), ("n2", "theirs")]
    assert store.position("notes") == 5


LEVELS = Table("test_level", "worth:int", "units:int")


@pytest.mark.parametrize("tops", [(0, 1, 2, 3, 5, 6, 9, 10, 11, 40), (100,)])
def test_top_sums_agree_between_the_database_and_memory(services: Any,
                                                        tops: tuple[int, ...]) -> None:
    store = TableStore(services.database)
    store.create([LEVELS])
    levels = [("pycon", 50, 2), ("pycon", 200, 1), ("pycon", -30, 4), ("pycon", 70, 3),
              ("other", 900, 5)]
    with services.database.transaction() as cursor:
        cursor.executemany("INSERT INTO test_level VALUES (?, ?, ?)", levels)
    live = SqlReader(store.database)
    memory = Rows()
    memory.load(LEVELS, live.many(LEVELS, "pycon"))
    # ranked units: 200, 70 70 70, 50 50, -30 -30 -30 -30 (ten units in all)
    expected = {0: 0, 1: 200, 2: 270, 3: 340, 5: 460, 6: 510, 9: 420, 10: 390, 11: 390,
                40: 390, 100: 390}
    assert live.top_sums(LEVELS, "pycon", "worth", "units", *tops) == [expected[t] for t in tops]
    assert memory.top_sums(LEVELS, "pycon", "worth", "units", *tops) == [expected[t] for t in tops]
    assert live.top_sums(LEVELS, "none", "worth", "units", 0, 3) == [0, 0]
