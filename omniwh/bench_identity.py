"""Benchmark identity stitching: the dbt connected-components model against scipy on the same edge list.

    python -m omniwh.bench_identity --duckdb /tmp/bench.duckdb [--repeat 3]

The warehouse must already be built up to the identity graph (``dbt build`` once, at the scale you want to
measure, e.g. ``omniwh generate --scale bench``). The benchmark then

1. for each components engine (``--engines``, default both: ``sql`` = iterative SQL rounds,
   ``scipy`` = dbt Python model), re-runs the components model (and, for context, the other identity
   stitching models) ``--repeat`` times with ``dbt run --vars '{identity_cc_engine: ...}'`` and reads each
   model's own execution time from ``run_results.json`` (dbt's start-up and parsing are excluded: they do not
   grow with the data);
2. exports the same inputs from DuckDB, the non-quarantined node keys of ``int_identifiers_guarded`` and the
   edge list ``int_identity_graph_edges``, and times scipy.sparse.csgraph.connected_components on them, both
   alone (CSR build + components, on edges already numbered 0..n-1) and with the relabelling of the 64-bit
   node keys to 0..n-1 that scipy needs and SQL does not;
3. checks that both give the same partition and prints the timings and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import duckdb
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

ENGINES = ("sql", "scipy")


def stitching_models(engine: str) -> list[str]:
    return [
        "int_identity_graph_edges",
        f"int_identity_components_{engine}",
        "int_identity_components",
        "int_identity_clusters",
    ]


def run_dbt_models(engine: str, project_dir: str, profiles_dir: str, target_path: str, env: dict) -> dict:
    """Run the stitching models once with `dbt run --full-refresh`; {model: execution seconds} from
    run_results.json."""
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    cmd = [
        dbt,
        "run",
        "--select",
        " ".join(stitching_models(engine)),
        "--vars",
        json.dumps({"identity_cc_engine": engine}),
        "--project-dir",
        project_dir,
        "--profiles-dir",
        profiles_dir,
        "--target-path",
        target_path,
        "--threads",
        "1",
        # the components models are incremental: time the full recompute, not a no-change daily run
        "--full-refresh",
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"dbt run failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")
    with open(os.path.join(target_path, "run_results.json"), encoding="utf-8") as fh:
        results = json.load(fh)["results"]
    return {r["unique_id"].split(".")[-1]: float(r["execution_time"]) for r in results}


def export_graph(duckdb_path: str, schema: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    con = duckdb.connect(duckdb_path, read_only=True)
    try:
        nodes = con.sql(
            f"select node_key from {schema}.int_identifiers_guarded where not is_quarantined"
        ).fetchnumpy()["node_key"]
        edges = con.sql(
            f"select node_key_low, node_key_high from {schema}.int_identity_graph_edges"
        ).fetchnumpy()
        components = con.sql(
            f"select node_key, component_key from {schema}.int_identity_components"
        ).fetchnumpy()
    finally:
        con.close()
    low = np.asarray(edges["node_key_low"], dtype=np.int64)
    high = np.asarray(edges["node_key_high"], dtype=np.int64)
    sql_nodes = np.asarray(components["node_key"], dtype=np.int64)
    sql_labels = np.asarray(components["component_key"], dtype=np.int64)
    order = np.argsort(sql_nodes)
    return np.asarray(nodes, dtype=np.int64), low, high, np.stack([sql_nodes[order], sql_labels[order]])


def scipy_components(nodes: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict:
    """Time scipy on the exported graph: relabelling, CSR build and connected_components separately.

    The relabelling (64-bit node keys -> 0..n-1 through a hash index) is what the Python model does too.
    """
    t0 = time.perf_counter()
    index = pd.Index(nodes)
    lo = index.get_indexer(low)
    hi = index.get_indexer(high)
    t1 = time.perf_counter()
    n = len(index)
    graph = coo_matrix((np.ones(len(lo), dtype=np.int8), (lo, hi)), shape=(n, n)).tocsr()
    t2 = time.perf_counter()
    count, labels = connected_components(graph, directed=False)
    t3 = time.perf_counter()
    order = np.argsort(index.to_numpy())
    return {
        "relabel_s": t1 - t0,
        "csr_build_s": t2 - t1,
        "components_s": t3 - t2,
        "n_components": int(count),
        "labels": labels[order],
        "sorted_nodes": index.to_numpy()[order],
    }


def same_partition(sorted_nodes: np.ndarray, scipy_labels: np.ndarray, sql: np.ndarray) -> bool:
    sql_nodes, sql_labels = sql
    if len(sql_nodes) != len(sorted_nodes) or not np.array_equal(sql_nodes, sorted_nodes):
        return False
    pairs = np.unique(np.stack([scipy_labels.astype(np.int64), sql_labels]), axis=1)
    return len(np.unique(pairs[0])) == pairs.shape[1] and len(np.unique(pairs[1])) == pairs.shape[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m omniwh.bench_identity", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--duckdb", default=os.environ.get("OMNI_DUCKDB_PATH", "data/warehouse.duckdb"))
    parser.add_argument("--project-dir", default=".")
    parser.add_argument("--profiles-dir", default=".")
    parser.add_argument("--schema", default="intermediate")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each side (median)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="engines to time, comma list")
    parser.add_argument("--skip-dbt", action="store_true", help="only time scipy on the current tables")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    env = dict(os.environ, OMNI_DUCKDB_PATH=os.path.abspath(args.duckdb), DO_NOT_TRACK="1")
    engines = [] if args.skip_dbt else [e.strip() for e in args.engines.split(",") if e.strip()]

    def med(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    figures: dict = {"dbt_seconds": {}, "identical_partition": {}}
    scipy_cc = scipy_all = float("nan")
    for engine in engines or [None]:
        dbt_times: dict[str, list[float]] = {}
        if engine:
            with tempfile.TemporaryDirectory(prefix="bench_identity_") as target:
                for _ in range(args.repeat):
                    timings = run_dbt_models(engine, args.project_dir, args.profiles_dir, target, env)
                    for model in stitching_models(engine):
                        dbt_times.setdefault(model, []).append(timings[model])
        # the tables now hold this engine's output: check it against scipy on the exported edge list
        nodes, low, high, sql = export_graph(args.duckdb, args.schema)
        runs = [scipy_components(nodes, low, high) for _ in range(max(args.repeat, 1))]
        scipy_cc = med([r["csr_build_s"] + r["components_s"] for r in runs])
        scipy_all = med([r["relabel_s"] + r["csr_build_s"] + r["components_s"] for r in runs])
        figures.update(nodes=int(len(nodes)), edges=int(len(low)), components=runs[0]["n_components"])
        name = engine or "current"
        figures["identical_partition"][name] = same_partition(runs[0]["sorted_nodes"], runs[0]["labels"], sql)
        figures["dbt_seconds"][name] = {m: med(v) for m, v in dbt_times.items()}
    figures["scipy_csr_plus_components_s"] = scipy_cc
    figures["scipy_with_relabel_s"] = scipy_all

    print(
        f"identity graph: {figures['nodes']:,} nodes, {figures['edges']:,} edges, "
        f"{figures['components']:,} components"
    )
    print(f"  scipy csr build + connected_components        {scipy_cc:8.3f} s")
    print(f"  scipy incl. relabelling node keys to 0..n-1   {scipy_all:8.3f} s")
    for engine in engines:
        seconds = figures["dbt_seconds"][engine]
        for model, value in seconds.items():
            print(f"  dbt [{engine:5}] {model:<32} {value:8.3f} s (median of {args.repeat})")
        cc = seconds[f"int_identity_components_{engine}"]
        figures[f"ratio_{engine}_vs_scipy_csr_plus_components"] = cc / scipy_cc
        figures[f"ratio_{engine}_vs_scipy_with_relabel"] = cc / scipy_all
        print(f"  ratio [{engine:5}] components / scipy (csr + cc)       {cc / scipy_cc:8.2f}x")
        print(f"  ratio [{engine:5}] components / scipy (incl. relabel)  {cc / scipy_all:8.2f}x")
        print(f"  partition identical to scipy [{engine}]: {figures['identical_partition'][engine]}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=2)
    return 0 if all(figures["identical_partition"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
