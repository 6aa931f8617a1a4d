"""Helpers for the generator tests: read landing tables and normalise identifiers like staging would."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import duckdb
import pyarrow as pa

FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def files(landing: Path, system: str, table: str) -> list[Path]:
    return sorted((landing / system / table).glob("dt=*/part-*.*"))


def read(landing: Path, system: str, table: str) -> pa.Table:
    """All rows of a landing table plus `_dt` (partition) and `_load` (load date from the file name)."""
    return _read(str(landing), system, table)


@functools.lru_cache(maxsize=64)
def _read(landing: str, system: str, table: str) -> pa.Table:
    folder = Path(landing) / system / table
    fs = list(folder.glob("dt=*/part-*.*"))
    if not fs:
        raise FileNotFoundError(folder)
    pattern = f"{folder.as_posix()}/dt=*/part-*{fs[0].suffix}"
    if fs[0].suffix == ".csv":
        # every CSV column as text, as staging reads them
        opts = "all_varchar = true, header = true, filename = true, hive_partitioning = false"
        src = f"read_csv('{pattern}', {opts})"
    else:
        src = f"read_parquet('{pattern}', filename = true, hive_partitioning = false)"
    query = f"""
        select * exclude (filename),
               regexp_extract(filename, 'dt=([0-9-]+)/', 1) as _dt,
               strftime(strptime(regexp_extract(filename, 'part-([0-9]{{8}})', 1), '%Y%m%d'), '%Y-%m-%d')
                   as _load
        from {src}
        order by filename"""
    return duckdb.connect().sql(query).to_arrow_table()


def sql(query: str, **tables) -> list[tuple]:
    con = duckdb.connect()
    for name, t in tables.items():
        con.register(name, t)
    return con.execute(query).fetchall()


def normalise_phone(raw: str | None) -> str | None:
    """The staging rule: drop spaces/dashes, full-width digits to ASCII, strip +86/0086/86; mobile or None."""
    if raw is None:
        return None
    s = raw.translate(FULLWIDTH)
    s = re.sub(r"[\s\-]", "", s)
    s = s.removeprefix("+")
    if s.startswith("0086"):
        s = s[4:]
    elif s.startswith("86") and len(s) == 13:
        s = s[2:]
    return s if MOBILE.match(s) else None
