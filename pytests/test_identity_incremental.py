"""Incremental identity components equal a full recompute (issue 18), for both engines.

The components models are built alone on hand-made inputs (int_identifiers_guarded and
int_identity_graph_edges written straight into a fresh DuckDB file; no landing data, no other model), over
several "days": a merge through a new edge, a new node joining a member, new isolated nodes, a split when a
link's validity window ends (its edge removed), a quarantined identifier leaving the graph (its edges go with
it), a merge and a split on the same day, an identifier coming back, and a day with no change. After every day
the table must hold exactly the partition a union-find written here computes (component_key = the smallest
node_key of the component), and the SQL rounds must have run on the touched components only (their edge count
is in dbt's log). After the last day a `--full-refresh` must give the same rows (0 differ both ways).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

REPO = Path(__file__).resolve().parents[1]

# (nodes in the graph, edges, nodes the day's run must recompute (None: not checked))
DAYS: list[tuple[set[int], set[tuple[int, int]], set[int] | None]] = [
    # day 0, first run: {1,2,3} {4,5} {6,7,8,9} {10} {11} {12}
    (set(range(1, 13)), {(1, 2), (2, 3), (4, 5), (6, 7), (7, 8), (8, 9)}, None),
    # day 1: edge 3-4 merges two members; 13 joins 10 through a new edge; 14 arrives alone
    (
        set(range(1, 15)),
        {(1, 2), (2, 3), (3, 4), (4, 5), (6, 7), (7, 8), (8, 9), (10, 13)},
        {1, 2, 3, 4, 5, 10, 13, 14},
    ),
    # day 2: the link 7-8 ends (split); identifier 2 is quarantined, its edges go with it (split 1 | 3,4,5)
    (
        set(range(1, 15)) - {2},
        {(3, 4), (4, 5), (6, 7), (8, 9), (10, 13)},
        {1, 2, 3, 4, 5, 6, 7, 8, 9},
    ),
    # day 3: a merge (9-11) and a split (3-4 ends) on the same day; 2 comes back, linked to 5
    (
        set(range(1, 15)),
        {(2, 5), (4, 5), (6, 7), (8, 9), (9, 11), (10, 13)},
        {2, 3, 4, 5, 8, 9, 11},
    ),
    # day 4: nothing changed: nothing is recomputed
    (set(range(1, 15)), {(2, 5), (4, 5), (6, 7), (8, 9), (9, 11), (10, 13)}, set()),
]


def reference_partition(nodes: set[int], edges: set[tuple[int, int]]) -> dict[int, int]:
    """node -> smallest node of its component, by union-find (independent of both engines)."""
    parent = {node: node for node in nodes}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for low, high in edges:
        a, b = root(low), root(high)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {node: root(node) for node in nodes}


def _write_inputs(db: Path, nodes: set[int], edges: set[tuple[int, int]]) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema if not exists intermediate")
        con.execute(
            "create or replace table intermediate.int_identifiers_guarded "
            "(node_key bigint, is_quarantined boolean)"
        )
        # every node ever seen stays in the identifier table; the ones out of the graph are quarantined
        rows = [(node, node not in nodes) for node in range(1, 15)]
        con.executemany("insert into intermediate.int_identifiers_guarded values (?, ?)", rows)
        con.execute(
            "create or replace table intermediate.int_identity_graph_edges "
            "(node_key_low bigint, node_key_high bigint)"
        )
        if edges:
            con.executemany("insert into intermediate.int_identity_graph_edges values (?, ?)", sorted(edges))
    finally:
        con.close()


_MANIFESTS: dict = {}  # engine -> the parsed project, shared by the tests of this file


class Dbt:
    """dbt in this process, the project parsed once per engine (each run then takes a second or two)."""

    def __init__(self, root: Path, engine: str, monkeypatch):
        self.engine = engine
        self.messages: list[str] = []
        monkeypatch.setenv("OMNI_DUCKDB_TEMP_DIR", str(root / "duckdb_tmp"))
        monkeypatch.setenv("DBT_TARGET_PATH", str(root / "target"))
        monkeypatch.setenv("DBT_LOG_PATH", str(root / "logs"))
        monkeypatch.setenv("DO_NOT_TRACK", "1")
        self.monkeypatch = monkeypatch
        if engine not in _MANIFESTS:
            parsed = dbtRunner().invoke(["parse", *self._common()])
            assert parsed.success, parsed.exception
            _MANIFESTS[engine] = parsed.result
        self.runner = dbtRunner(manifest=_MANIFESTS[engine], callbacks=[self._collect])

    def _common(self) -> list[str]:
        return [
            "--vars", f"{{identity_cc_engine: {self.engine}}}", "--project-dir", str(REPO),
            "--profiles-dir", str(REPO), "--quiet",
        ]

    def _collect(self, event) -> None:
        if event.info.name == "JinjaLogInfo":
            self.messages.append(event.info.msg)

    def run(self, db: Path, *extra: str) -> str:
        """`dbt run` of the engine's components model on `db`; the messages its macros logged."""
        self.monkeypatch.setenv("OMNI_DUCKDB_PATH", str(db))
        self.messages = []
        done = self.runner.invoke(
            ["run", "--select", f"int_identity_components_{self.engine}", "--threads", "1", *self._common(),
             *extra]
        )
        # dbt-duckdb keeps the database open between invocations of one process: close it, so that the test
        # (and the next run, on another file) can open it
        with DuckDBConnectionManager._LOCK:
            if DuckDBConnectionManager._ENV is not None:
                DuckDBConnectionManager._ENV.close()
                DuckDBConnectionManager._ENV = None
        assert done.success, (done.exception, [str(r.message) for r in (done.result or [])])
        return "\n".join(self.messages)


def _table(db: Path, engine: str) -> dict[int, int | None]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            f"select node_key, component_key from intermediate.int_identity_components_{engine}"
        ).fetchall()
        tables = {
            name for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'intermediate'"
            ).fetchall()
        }
    finally:
        con.close()
    assert len(rows) == len({node for node, _ in rows}), "one row per node"
    leftovers = {name for name in tables if "__inc_" in name or "__cc_" in name}
    assert not leftovers, f"scratch tables left behind: {leftovers}"
    return dict(rows)


@pytest.mark.parametrize("engine", ["sql", "scipy"])
def test_incremental_components_equal_a_full_recompute_after_merges_and_splits(tmp_path, engine, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    (tmp_path / "duckdb_tmp").mkdir()
    dbt = Dbt(tmp_path, engine, monkeypatch)
    for day, (nodes, edges, recomputed) in enumerate(DAYS):
        _write_inputs(db, nodes, edges)
        log = dbt.run(db)
        assert _table(db, engine) == reference_partition(nodes, edges), f"day {day}"
        if engine == "sql" and recomputed is not None:
            # the rounds ran on the edges among the recomputed nodes only
            expected_edges = sum(1 for low, high in edges if low in recomputed and high in recomputed)
            counted = re.findall(r"identity components: (\d+) edges in round 0", log)
            assert counted == ([str(expected_edges)] if expected_edges else ["0"]), (day, counted)

    incremental = _table(db, engine)
    # same file name: the parsed manifest names the catalog after it
    full = tmp_path / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copy(db, full)
    log = dbt.run(full, "--full-refresh")
    assert _table(full, engine) == incremental
    if engine == "sql":
        assert re.findall(r"identity components: (\d+) edges in round 0", log) == [str(len(DAYS[-1][1]))]


def test_lost_applied_edge_list_falls_back_to_a_full_recompute(tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    (tmp_path / "duckdb_tmp").mkdir()
    dbt = Dbt(tmp_path, "sql", monkeypatch)
    nodes, edges, _ = DAYS[0]
    _write_inputs(db, nodes, edges)
    dbt.run(db)
    con = duckdb.connect(str(db))
    con.execute("drop table intermediate.int_identity_components_sql__edges_applied")
    con.close()
    nodes, edges, _ = DAYS[2]
    _write_inputs(db, nodes, edges)
    log = dbt.run(db)
    assert _table(db, "sql") == reference_partition(nodes, edges)
    assert re.findall(r"identity components: (\d+) edges in round 0", log) == [str(len(edges))]
