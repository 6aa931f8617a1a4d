"""The DuckDB side of the runner: which SQL each suite reads, in how many chunks.

Memory: a suite never holds more than one chunk (about ``chunk_rows`` rows of the columns its expectations
name) in pandas at a time. Chunks partition a relation by ``md5_number(key) % n``: deterministic across runs,
machines and DuckDB thread counts (unlike ``USING SAMPLE``), and every row of one key value — duplicates
included — falls in the same chunk, so uniqueness checked chunk by chunk is exact. A ``sample`` suite reads
chunk 0 only: a hash sample of about ``chunk_rows`` rows, the same member/order set on every run.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pandas as pd

from omniwh.quality.spec import SuiteSpec


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def relation_sql(relation: str) -> str:
    return ".".join(quote(part) for part in relation.split("."))


def _bucket(columns: tuple[str, ...] | list[str], chunks: int) -> str:
    """Chunk number of a row. NULL keys hash as the empty string rather than vanishing from every chunk."""
    parts = ", ".join(f"coalesce(cast({quote(c)} as varchar), '')" for c in columns)
    return f"(md5_number(concat_ws('|', {parts})) % {chunks})"


@dataclass(frozen=True)
class Plan:
    """How a suite is read: base SQL, the row count it has, the chunks to validate."""

    base_sql: str
    rows: int
    chunks: int  # number of partitions of base_sql
    chunks_read: int  # how many of them are validated (1 for sample and sql suites)
    partition_columns: tuple[str, ...]
    index_columns: tuple[str, ...]  # shown next to failing values in the results

    @property
    def rows_read(self) -> str:
        return "all" if self.chunks_read == self.chunks else f"1/{self.chunks} hash sample"


def _rows_sql(suite: SuiteSpec) -> str:
    selected = [quote(c) for c in suite.needed_columns()]
    selected += [f"{expression} as {quote(name)}" for name, expression in suite.derived.items()]
    sql = f"select {', '.join(selected)} from {relation_sql(suite.relation)}"
    if suite.where:
        sql += f" where {suite.where}"
    return sql


def _references_sql(suite: SuiteSpec) -> str:
    parts = []
    for reference in suite.references:
        child, parent = quote(reference.column), quote(reference.parent_column)
        label = reference.label.replace("'", "''")
        parts.append(
            f"select '{label}' as reference, child.value, parent.value is not null as is_found "
            f"from (select distinct cast({child} as varchar) as value from {relation_sql(suite.relation)} "
            f"where {child} is not null) as child "
            f"left join (select distinct cast({parent} as varchar) as value "
            f"from {relation_sql(reference.parent_relation)}) as parent on child.value = parent.value"
        )
    return "\nunion all\n".join(parts)


def plan(con: duckdb.DuckDBPyConnection, suite: SuiteSpec, chunk_rows: int) -> Plan:
    if suite.mode == "sql":
        base = suite.sql.strip().rstrip(";")
        partition: tuple[str, ...] = tuple(suite.key)  # row-level queries with a key are chunked like rows
        index = tuple(suite.key)
    elif suite.mode == "references":
        base = _references_sql(suite)
        partition = ("value",)
        index = ("value",)
    else:
        base = _rows_sql(suite)
        partition = tuple(suite.key)
        index = tuple(suite.key)
    rows = con.execute(f"select count(*) from ({base}) as counted").fetchone()[0]
    chunks = max(1, math.ceil(rows / chunk_rows)) if partition else 1
    chunks_read = 1 if suite.mode == "sample" else chunks
    return Plan(base, rows, chunks, chunks_read, partition, index)


def read_chunks(con: duckdb.DuckDBPyConnection, the_plan: Plan) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield (chunk number, dataframe); a chunk's frame is dropped by the caller before the next is read."""
    for chunk in range(the_plan.chunks_read):
        if the_plan.chunks == 1:
            sql = the_plan.base_sql
        else:
            sql = (
                f"select * from ({the_plan.base_sql}) as framed "
                f"where {_bucket(the_plan.partition_columns, the_plan.chunks)} = {chunk}"
            )
        yield chunk, con.execute(sql).df()
