"""The serving snapshot the dashboard and semantic-layer tests read (fixture `serving_snapshot`).

`make test` publishes it (data/serving.duckdb, OMNI_SERVING_PATH) after the build; run alone, the tests
publish one from the built warehouse into a scratch folder. They skip only when there is no warehouse at all.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from omniwh.serving import publish, serving_path, warehouse_path

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def serving_snapshot(scratch_root) -> Path:
    published = serving_path()
    if published.is_file():
        return published
    warehouse = warehouse_path()
    if not warehouse.is_file():
        pytest.skip(f"no warehouse at {warehouse}: run `make build` first")
    serving = scratch_root / "serving" / "serving.duckdb"
    if not serving.is_file():
        serving.parent.mkdir(parents=True, exist_ok=True)
        publish(warehouse, serving)
    return serving


def snapshot_rows(serving: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
