"""Benchmark identity stitching: the dbt connected-components model against scipy on the same edge list.

    python -m omniwh.bench_identity --duckdb /tmp/bench.duckdb [--repeat 3]

The warehouse must already be built up to the identity graph (``dbt build`` once, at the scale you want to
measure, e.g. ``omniwh generate --scale bench``). The benchmark then

1. re-runs ``int_identity_components`` (and, for context, the other identity stitching models) ``--repeat``
   times with ``dbt run`` and reads each model's own execution time from ``run_results.json`` (dbt's start-up
   and parsing are excluded: they do not grow with the data);
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
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

STITCHING_MODELS = ["int_identity_graph_edges", "int_identity_components", "int_identity_clusters"]
COMPONENTS_MODEL = "int_identity_components"


def run_dbt_models(models: list[str], project_dir: str, profiles_dir: str, target_path: str, env: dict) -> dict:
    """Run the models once with `dbt run`; return {model name: execution seconds} from run_results.json."""
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "dbt"), "run", "--select", " ".join(models),
        "--project-dir", project_dir, "--profiles-dir", profiles_dir, "--target-path", target_path,
        "--threads", "1",
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
        edges = con.sql(f"select node_key_low, node_key_high from {schema}.int_identity_graph_edges").fetchnumpy()
        components = con.sql(f"select node_key, component_key from {schema}.int_identity_components").fetchnumpy()
    finally:
        con.close()
    low = np.asarray(edges["node_key_low"], dtype=np.int64)
    high = np.asarray(edges["node_key_high"], dtype=np.int64)
    sql_nodes = np.asarray(components["node_key"], dtype=np.int64)
    sql_labels = np.asarray(components["component_key"], dtype=np.int64)
    order = np.argsort(sql_nodes)
    return np.asarray(nodes, dtype=np.int64), low, high, np.stack([sql_nodes[order], sql_labels[order]])


def scipy_components(nodes: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict:
    """Time scipy on the exported graph: relabelling, CSR build and connected_components separately."""
    t0 = time.perf_counter()
    sorted_nodes = np.sort(nodes)
    lo = np.searchsorted(sorted_nodes, low)
    hi = np.searchsorted(sorted_nodes, high)
    t1 = time.perf_counter()
    n = len(sorted_nodes)
    graph = coo_matrix((np.ones(len(lo), dtype=np.int8), (lo, hi)), shape=(n, n)).tocsr()
    t2 = time.perf_counter()
    count, labels = connected_components(graph, directed=False)
    t3 = time.perf_counter()
    return {
        "relabel_s": t1 - t0, "csr_build_s": t2 - t1, "components_s": t3 - t2,
        "n_components": int(count), "labels": labels, "sorted_nodes": sorted_nodes,
    }


def same_partition(sorted_nodes: np.ndarray, scipy_labels: np.ndarray, sql: np.ndarray) -> bool:
    sql_nodes, sql_labels = sql
    if len(sql_nodes) != len(sorted_nodes) or not np.array_equal(sql_nodes, sorted_nodes):
        return False
    pairs = np.unique(np.stack([scipy_labels.astype(np.int64), sql_labels]), axis=1)
    return len(np.unique(pairs[0])) == pairs.shape[1] and len(np.unique(pairs[1])) == pairs.shape[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m omniwh.bench_identity", description=__doc__.split("\n")[0])
    parser.add_argument("--duckdb", default=os.environ.get("OMNI_DUCKDB_PATH", "data/warehouse.duckdb"))
    parser.add_argument("--project-dir", default=".")
    parser.add_argument("--profiles-dir", default=".")
    parser.add_argument("--schema", default="intermediate")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each side (median is reported)")
    parser.add_argument("--skip-dbt", action="store_true", help="only time scipy on the current tables")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    env = dict(os.environ, OMNI_DUCKDB_PATH=os.path.abspath(args.duckdb), DO_NOT_TRACK="1")
    dbt_times: dict[str, list[float]] = {m: [] for m in STITCHING_MODELS}
    if not args.skip_dbt:
        with tempfile.TemporaryDirectory(prefix="bench_identity_") as target:
            for _ in range(args.repeat):
                timings = run_dbt_models(STITCHING_MODELS, args.project_dir, args.profiles_dir, target, env)
                for model in STITCHING_MODELS:
                    dbt_times[model].append(timings[model])

    nodes, low, high, sql = export_graph(args.duckdb, args.schema)
    runs = [scipy_components(nodes, low, high) for _ in range(max(args.repeat, 1))]
    identical = same_partition(runs[0]["sorted_nodes"], runs[0]["labels"], sql)

    def med(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    scipy_cc = med([r["csr_build_s"] + r["components_s"] for r in runs])
    scipy_all = med([r["relabel_s"] + r["csr_build_s"] + r["components_s"] for r in runs])
    figures = {
        "nodes": int(len(nodes)), "edges": int(len(low)), "components": runs[0]["n_components"],
        "identical_partition": identical,
        "dbt_seconds": {m: med(v) for m, v in dbt_times.items()},
        "scipy_csr_plus_components_s": scipy_cc,
        "scipy_with_relabel_s": scipy_all,
    }
    dbt_cc = figures["dbt_seconds"][COMPONENTS_MODEL]
    figures["ratio_vs_scipy_csr_plus_components"] = dbt_cc / scipy_cc if scipy_cc else float("nan")
    figures["ratio_vs_scipy_with_relabel"] = dbt_cc / scipy_all if scipy_all else float("nan")

    print(f"identity graph: {figures['nodes']:,} nodes, {figures['edges']:,} edges, "
          f"{figures['components']:,} components; partitions identical: {identical}")
    for model, seconds in figures["dbt_seconds"].items():
        print(f"  dbt  {model:<34} {seconds:8.3f} s (median of {len(dbt_times[model])})")
    print(f"  scipy csr build + connected_components       {scipy_cc:8.3f} s")
    print(f"  scipy incl. relabelling node keys to 0..n-1  {scipy_all:8.3f} s")
    print(f"  ratio dbt components / scipy (csr + cc)      {figures['ratio_vs_scipy_csr_plus_components']:8.2f}x")
    print(f"  ratio dbt components / scipy (incl. relabel) {figures['ratio_vs_scipy_with_relabel']:8.2f}x")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=2)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
