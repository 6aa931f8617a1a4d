"""Comparing two builds of the warehouse, shared by the incremental and the incremental-erasure tests."""

from __future__ import annotations

from pathlib import Path

import duckdb


def relation_differences(
    incremental_db: Path, full_db: Path, relations: list[str]
) -> dict[str, tuple[int, int, int]]:
    """Per relation: (rows, rows only in the incremental build, rows only in the full refresh).

    EXCEPT ALL in both directions, so duplicated rows count: two builds are equal when both are 0.
    """
    con = duckdb.connect()
    try:
        con.execute(f"attach '{incremental_db}' as incr (read_only)")
        con.execute(f"attach '{full_db}' as full_refresh (read_only)")
        out = {}
        for rel in relations:
            rows = con.execute(f"select count(*) from incr.{rel}").fetchone()[0]
            only_incr = con.execute(
                f"select count(*) from (select * from incr.{rel} except all select * from full_refresh.{rel})"
            ).fetchone()[0]
            only_full = con.execute(
                f"select count(*) from (select * from full_refresh.{rel} except all select * from incr.{rel})"
            ).fetchone()[0]
            out[rel] = (rows, only_incr, only_full)
        return out
    finally:
        con.close()
