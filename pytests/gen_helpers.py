"""Helpers for the generator tests: read landing tables and normalise identifiers like staging would."""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def files(landing: Path, system: str, table: str) -> list[Path]:
    return sorted((landing / system / table).glob("dt=*/part-*.*"))


def read(landing: Path, system: str, table: str) -> pa.Table:
    """All rows of a landing table plus `_dt` (partition) and `_load` (load date from the file name)."""
    return _read(str(landing), system, table)


@functools.lru_cache(maxsize=64)
def _read(landing: str, system: str, table: str) -> pa.Table:
    landing = Path(landing)
    parts = []
    for f in files(landing, system, table):
        if f.suffix == ".csv":
            with open(f, encoding="utf-8", newline="") as fh:
                header = next(csv.reader(fh))
            t = pacsv.read_csv(
                f,
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in header},
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
        else:
            t = pq.read_table(f)
        dt = f.parent.name[3:]
        load = f.stem[5:]
        t = t.append_column("_dt", pa.array([dt] * t.num_rows, pa.string()))
        t = t.append_column(
            "_load", pa.array([f"{load[:4]}-{load[4:6]}-{load[6:]}"] * t.num_rows, pa.string())
        )
        parts.append(t)
    return pa.concat_tables(parts, promote_options="permissive")


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
