"""``list contains`` over a list column, in SQL as in FEEL (segment memberships)."""

from __future__ import annotations

import duckdb

from accord.feel import evaluate
from accord.feel.sql import compile_expression_sql, to_sql


def test_list_contains_agrees_with_feel_on_duckdb() -> None:
    rows = [["vip", "new"], ["lapsed"], [], None]
    sql = to_sql(compile_expression_sql('list contains(segments, "vip")'), "duckdb")
    db = duckdb.connect()
    db.execute("CREATE TABLE t (i INTEGER, segments VARCHAR[])")
    db.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(rows)))
    got = [r[0] for r in db.execute(f"SELECT {sql} FROM t ORDER BY i").fetchall()]
    want = [evaluate('list contains(segments, "vip")', {"segments": r}) for r in rows]
    assert got == want == [True, False, False, None]
    assert "ARRAY_CONTAINS(`segments`" in to_sql(
        compile_expression_sql('list contains(segments, "vip")'), "spark")
