"""The serving snapshot the dashboard and semantic-layer tests read (fixture `serving_snapshot`).

`make test` publishes it (data/serving.duckdb, OMNI_SERVING_PATH) after the build; run alone, the tests
publish one from the built warehouse into a scratch folder. They skip only when there is no warehouse at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]


def _repo_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else REPO / path


def _publish(warehouse: Path, serving: Path) -> None:
    try:
        from omniwh.serving import publish
    except ImportError:  # before the serving module is merged: copy the marts the same way
        con = duckdb.connect(str(serving))
        try:
            con.execute(f"attach '{warehouse}' as wh (read_only)")
            con.execute("create schema marts")
            tables = con.execute(
                "select table_name from information_schema.tables"
                " where table_catalog = 'wh' and table_schema = 'marts'"
            ).fetchall()
            for (table,) in tables:
                con.execute(f'create table marts."{table}" as select * from wh.marts."{table}"')
        finally:
            con.close()
        return
    publish(warehouse, serving)


@pytest.fixture(scope="session")
def serving_snapshot(scratch_root) -> Path:
    published = _repo_path(os.environ.get("OMNI_SERVING_PATH", "data/serving.duckdb"))
    if published.is_file():
        return published
    warehouse = _repo_path(os.environ.get("OMNI_DUCKDB_PATH", "data/warehouse.duckdb"))
    if not warehouse.is_file():
        pytest.skip(f"no warehouse at {warehouse}: run `make build` first")
    serving = scratch_root / "serving" / "serving.duckdb"
    if not serving.is_file():
        serving.parent.mkdir(parents=True, exist_ok=True)
        _publish(warehouse, serving)
    return serving


def snapshot_rows(serving: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
