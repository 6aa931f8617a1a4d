"""Benchmark of the warehouse: a full build, then daily incremental builds, at one or two scales.

    python -m omniwh.bench --scale bench100k --days 3 [--compare-scale tiny] [--root data/bench]
    make bench [BENCH_SCALE=bench100k] [BENCH_DAYS=3] [BENCH_COMPARE_SCALE=tiny]

For each scale, in its own folder ``<root>/<scale>/`` (landing, truth, DuckDB file, spill folder):

1. generation: ``omniwh generate --scale S --until <period end - days>`` (skipped when that generation is
   already there; load batches a previous benchmark appended after that day are deleted first, so every run
   starts from the same files);
2. full build on a new DuckDB file: ``dbt seed``, ``dbt run`` (the timed build), then ``dbt test`` with every
   data test (unit tests are CI's business, they do not depend on the data);
3. ``--days`` times: ``omniwh append --date <next day>`` (one daily load batch: on-time, late and re-sent
   rows), then the daily preflight (``omniwh.landing_check``: only files it has not checked before) and the
   daily ``dbt run`` (incremental models process only the new loads); ``dbt test`` after the last day. The
   daily figure is preflight + dbt run, set against the full figure preflight (every file) + dbt run; the
   daily run's slowest models are listed;
4. identity stitching: the four stitching models re-run alone after the full build (``dbt run --select``,
   median of 3; inside the full build the components model shares the cores with another model) next to
   ``scipy.sparse.csgraph.connected_components`` on the same exported edge list (``omniwh.bench_identity``),
   timed with and without numbering the 64-bit node keys 0..n-1, and the check that both give the same
   partition. The target is judged against scipy including the numbering, which scipy cannot do without.
5. CLV fit: BG/NBD and Gamma-Gamma fitted on ``--clv-members`` (default 1M) members simulated from the two
   models (``omniwh.clv.bench``; in days, like the warehouse); ``--clv-only`` runs this step alone.

Memory: peak RSS of the dbt process and all its children, sampled every 0.2 s with psutil; DuckDB's own view
after the build (``pragma database_size``: file size, WAL, memory limit). Every step's ``run_results.json``
is kept under ``bench_out/<timestamp>/<scale>/<step>/`` for per-model timings.

Prints one table and writes the same figures to ``bench_out/<timestamp>.json``. A printed benchmark, never a
test: timings on a shared machine vary, so nothing here asserts a threshold; the targets are printed next to
the measured figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import psutil

from omniwh import progress
from omniwh.bench_identity import (
    export_graph,
    run_dbt_models,
    same_partition,
    scipy_components,
    stitching_models,
)
from omniwh.clv import bench as clv_bench
from omniwh.clv import bench_line as clv_bench_line
from omniwh.generator.config import PERIOD_END

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PART_RE = re.compile(r"^part-(\d{8})\.")

# Targets at the bench scale (1M people, 2 years), printed next to the figures.
TARGET_DAILY_SHARE = 0.05  # one day incremental / full build
TARGET_PEAK_GIB = 8.0  # full build peak memory
TARGET_SCALE_RATIO_10X = 10.0  # time at 10x the people / time at 1x
TARGET_IDENTITY_VS_SCIPY = 1.5
TOP_MODELS = 10  # the daily run's slowest models, listed in the report
TARGET_CLV_FIT_S = 30.0  # BG/NBD + Gamma-Gamma fit on 1M simulated members (omniwh.clv)


class PeakRss:
    """Samples the summed RSS of a process and all its descendants until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.2):
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_step(name: str, cmd: list[str], env: dict, log_dir: Path, target_path: Path | None = None) -> dict:
    """Run one command; wall time, peak RSS of its process tree, and per-resource times from dbt."""
    log_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log_dir / f"{name}.log", "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        with PeakRss(proc.pid) as rss:
            returncode = progress.wait(proc, f"bench: {name}", log_dir / f"{name}.log")
    wall = time.perf_counter() - started
    if returncode != 0:
        tail = (log_dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")[-4000:]
        raise RuntimeError(f"step {name} failed ({' '.join(cmd)}):\n{tail}")
    figures = {"wall_s": wall, "peak_rss_bytes": rss.peak}
    if target_path is not None and (target_path / "run_results.json").exists():
        step_dir = log_dir / name
        step_dir.mkdir(exist_ok=True)
        shutil.copy(target_path / "run_results.json", step_dir / "run_results.json")
        figures.update(summarise_run_results(step_dir / "run_results.json"))
    return figures


def summarise_run_results(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        results = json.load(fh)
    by_type: dict[str, float] = {}
    nodes = {}
    statuses: dict[str, int] = {}
    for result in results["results"]:
        kind = result["unique_id"].split(".")[0]
        by_type[kind] = by_type.get(kind, 0.0) + float(result["execution_time"])
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        if kind == "model":
            nodes[result["unique_id"].split(".")[-1]] = float(result["execution_time"])
    return {
        "dbt_elapsed_s": float(results.get("elapsed_time", 0.0)),
        "node_seconds_by_type": by_type,
        "statuses": statuses,
        "model_seconds": nodes,
    }


def model_layers(target: Path) -> dict[str, str]:
    """Model name -> its folder (staging/base, staging/stg, intermediate/orders, marts/core, ...)."""
    with open(target / "manifest.json", encoding="utf-8") as fh:
        nodes = json.load(fh)["nodes"].values()
    layers = {}
    for node in nodes:
        if node["resource_type"] != "model":
            continue
        folders = Path(node["original_file_path"]).parts[1:-1]  # without models/ and the file name
        if folders[0] == "staging":
            layers[node["name"]] = "staging/base" if "base" in folders else "staging/stg"
        else:
            layers[node["name"]] = "/".join(folders[:2])
    return layers


def seconds_by_layer(model_seconds: dict[str, float], layers: dict[str, str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for model, seconds in model_seconds.items():
        layer = layers.get(model, "other")
        out[layer] = out.get(layer, 0.0) + seconds
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def reset_landing(landing: Path, until: dt.date) -> int:
    """Delete load batches dated after `until` (files part-YYYYMMDD.*), so appends start from `until`."""
    removed = 0
    limit = until.strftime("%Y%m%d")
    for folder, _, files in os.walk(landing):
        if "_rejected" in Path(folder).parts:
            continue
        for name in files:
            match = PART_RE.match(name)
            if match and match.group(1) > limit:
                os.remove(os.path.join(folder, name))
                removed += 1
    return removed


def base_row_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.sql(
            "select table_name from duckdb_tables() where schema_name = 'staging' "
            "and table_name like 'base\\_%' escape '\\' order by table_name"
        ).fetchall()
        return {
            name.removeprefix("base_"): con.execute(f'select count(*) from staging."{name}"').fetchone()[0]
            for (name,) in tables
        }
    finally:
        con.close()


def duckdb_view(db: Path) -> dict:
    """DuckDB's own figures after the build: file size, WAL size, and the memory limit dbt's connections use
    (the profile's OMNI_DUCKDB_MEMORY_LIMIT, default 6GB; pragma database_size)."""
    limit = os.environ.get("OMNI_DUCKDB_MEMORY_LIMIT", "6GB")
    con = duckdb.connect(str(db), read_only=True, config={"memory_limit": limit})
    try:
        cursor = con.execute("pragma database_size")
        names = [d[0] for d in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
        memory = con.execute("select coalesce(sum(memory_usage_bytes), 0) from duckdb_memory()").fetchone()[0]
    finally:
        con.close()
    return {
        "database_size": row.get("database_size"),
        "wal_size": row.get("wal_size"),
        "memory_limit": row.get("memory_limit"),
        "memory_usage_after_open_bytes": int(memory),
        "file_bytes": os.path.getsize(db),
    }


def identity_figures(db: Path, full_models: dict[str, float], env: dict, repeat: int = 3) -> dict:
    """Identity stitching against scipy on the same edges.

    Inside the full build the components model shares the two cores with whatever dbt runs on its other
    thread, while scipy is timed alone; so the stitching models are also re-run alone (``dbt run --select``,
    one dbt thread, median of ``repeat``), and that is the figure the target is judged on. scipy is charged
    for numbering the 64-bit node keys 0..n-1, which it needs and SQL does not, but not for reading the
    edges from the warehouse nor for writing the labels back, which the model does.
    """
    engine = "scipy" if "int_identity_components_scipy" in full_models else "sql"
    alone: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench_identity_") as target:
        for _ in range(repeat):
            for model, seconds in run_dbt_models(engine, str(REPO), str(REPO), target, env).items():
                alone.setdefault(model, []).append(seconds)
    alone_s = {model: statistics.median(values) for model, values in alone.items()}
    nodes, low, high, sql_partition = export_graph(str(db), "intermediate")
    runs = [scipy_components(nodes, low, high) for _ in range(repeat)]
    scipy_cc = statistics.median(r["csr_build_s"] + r["components_s"] for r in runs)
    scipy_all = statistics.median(r["relabel_s"] + r["csr_build_s"] + r["components_s"] for r in runs)
    component_model = f"int_identity_components_{engine}"
    dbt_cc = alone_s.get(component_model, float("nan"))
    return {
        "nodes": int(len(nodes)),
        "edges": int(len(low)),
        "components": runs[0]["n_components"],
        "engine": engine,
        "dbt_components_in_full_build_s": full_models.get(component_model, float("nan")),
        "dbt_components_s": dbt_cc,
        "dbt_stitching_models_s": sum(alone_s.get(m, 0.0) for m in stitching_models(engine)),
        "scipy_csr_plus_components_s": scipy_cc,
        "scipy_with_relabel_s": scipy_all,
        "ratio_components_vs_scipy": dbt_cc / scipy_all if scipy_all else float("nan"),
        "ratio_components_vs_scipy_bare": dbt_cc / scipy_cc if scipy_cc else float("nan"),
        "identical_partition": bool(
            same_partition(runs[0]["sorted_nodes"], runs[0]["labels"], sql_partition)
        ),
    }


def bench_scale(
    scale: str, days: int, root: Path, out_dir: Path, seed: int, threads: str | None, run_tests: bool
) -> dict:
    until = PERIOD_END - dt.timedelta(days=days)
    home = root / scale
    landing, truth = home / "landing", home / "truth"
    db = home / "warehouse.duckdb"
    target = home / "target"
    log_dir = out_dir / scale
    env = dict(
        os.environ,
        OMNI_LANDING_PATH=str(landing),
        OMNI_TRUTH_PATH=str(truth),
        OMNI_DUCKDB_PATH=str(db),
        OMNI_DUCKDB_TEMP_DIR=str(home / "duckdb_tmp"),
        DBT_PROFILES_DIR=str(REPO),
        DBT_PROJECT_DIR=str(REPO),
        DBT_TARGET_PATH=str(target),
        DBT_LOG_PATH=str(home / "logs"),
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    if threads:
        env["OMNI_DBT_THREADS"] = threads
    (home / "duckdb_tmp").mkdir(parents=True, exist_ok=True)
    figures: dict = {"scale": scale, "seed": seed, "until": until.isoformat(), "days": days}

    marker = landing / f".bench-{scale}-seed{seed}-until-{until:%Y%m%d}"
    if marker.exists():
        figures["generate"] = {"skipped": True, "removed_appended_files": reset_landing(landing, until)}
    else:
        shutil.rmtree(home, ignore_errors=True)
        (home / "duckdb_tmp").mkdir(parents=True, exist_ok=True)
        figures["generate"] = run_step(
            "generate",
            [
                str(BIN / "omniwh"),
                "generate",
                "--scale",
                scale,
                "--seed",
                str(seed),
                "--until",
                until.isoformat(),
                "--landing",
                str(landing),
                "--truth",
                str(truth),
                "--quiet",
            ],
            env,
            log_dir,
        )
        marker.touch()

    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    dbt = str(BIN / "dbt")
    preflight = [sys.executable, "-m", "omniwh.landing_check", "--landing", str(landing), "--quiet"]
    full = {
        # the full build's preflight reads every file, also when the generation is reused from an earlier run
        "preflight": run_step("full_preflight", [*preflight, "--recheck-all"], env, log_dir),
        "seed": run_step("full_seed", [dbt, "seed"], env, log_dir, target),
        "run": run_step("full_run", [dbt, "run"], env, log_dir, target),
    }
    full["duckdb"] = duckdb_view(db)
    test_cmd = [dbt, "test", "--exclude-resource-type", "unit_test"]
    full["test"] = (
        run_step("full_test", test_cmd, env, log_dir, target) if run_tests else {"wall_s": float("nan")}
    )
    figures["full"] = full
    figures["rows_per_source"] = base_row_counts(db)
    figures["identity"] = identity_figures(db, full["run"].get("model_seconds", {}), env)

    daily = []
    for offset in range(1, days + 1):
        day = until + dt.timedelta(days=offset)
        step = {"date": day.isoformat()}
        step["append"] = run_step(
            f"append_{day:%Y%m%d}",
            [
                str(BIN / "omniwh"),
                "append",
                "--scale",
                scale,
                "--seed",
                str(seed),
                "--date",
                day.isoformat(),
                "--landing",
                str(landing),
                "--quiet",
            ],
            env,
            log_dir,
        )
        step["preflight"] = run_step(f"preflight_{day:%Y%m%d}", preflight, env, log_dir)
        step["run"] = run_step(f"incremental_run_{day:%Y%m%d}", [dbt, "run"], env, log_dir, target)
        daily.append(step)
    figures["daily"] = daily
    figures["daily_test"] = (
        run_step("incremental_test", test_cmd, env, log_dir, target)
        if run_tests
        else {"wall_s": float("nan")}
    )
    figures["rows_per_source_after_days"] = base_row_counts(db)
    layers = model_layers(target)
    figures["model_seconds_by_layer"] = {
        "full": seconds_by_layer(full["run"].get("model_seconds", {}), layers),
        "daily_mean": {
            layer: seconds / len(daily)
            for layer, seconds in seconds_by_layer(
                {
                    model: sum(d["run"].get("model_seconds", {}).get(model, 0.0) for d in daily)
                    for model in layers
                },
                layers,
            ).items()
        },
    }
    full_s = full["run"]["wall_s"]
    daily_s = [d["run"]["wall_s"] for d in daily]
    # what a day costs: the preflight over the new files plus the incremental dbt run (issue 18)
    daily_total_s = [d["preflight"]["wall_s"] + d["run"]["wall_s"] for d in daily]
    full_total_s = full["preflight"]["wall_s"] + full_s
    daily_models: dict[str, float] = {}
    for d in daily:
        for model, seconds in d["run"].get("model_seconds", {}).items():
            daily_models[model] = daily_models.get(model, 0.0) + seconds / len(daily)
    figures["daily_top_models"] = sorted(daily_models.items(), key=lambda item: -item[1])[:TOP_MODELS]
    figures["summary"] = {
        "full_run_s": full_s,
        "full_preflight_plus_run_s": full_total_s,
        "full_test_s": full["test"]["wall_s"],
        "daily_run_s": daily_s,
        "daily_run_mean_s": sum(daily_s) / len(daily_s) if daily_s else float("nan"),
        "daily_preflight_plus_run_s": daily_total_s,
        "daily_preflight_plus_run_mean_s": (
            sum(daily_total_s) / len(daily_total_s) if daily_total_s else float("nan")
        ),
        "daily_share_of_full": (
            (sum(daily_total_s) / len(daily_total_s)) / full_total_s if daily_total_s else float("nan")
        ),
        "daily_run_share_of_full_run": (sum(daily_s) / len(daily_s)) / full_s if daily_s else float("nan"),
        "full_peak_rss_bytes": max(full["seed"]["peak_rss_bytes"], full["run"]["peak_rss_bytes"]),
        "daily_peak_rss_bytes": max((d["run"]["peak_rss_bytes"] for d in daily), default=0),
        "landing_rows": sum(figures["rows_per_source"].values()),
    }
    return figures


def fmt_s(seconds: float) -> str:
    return f"{seconds:,.1f} s"


def fmt_gib(n: float) -> str:
    return f"{n / 2**30:,.2f} GiB"


def render(report: dict) -> str:
    scales = report["scales"]
    names = [s["scale"] for s in scales]
    width = max(14, *(len(n) + 2 for n in names))
    lines = [f"{'':44}" + "".join(f"{n:>{width}}" for n in names)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"{label:44}" + "".join(f"{v:>{width}}" for v in values))

    all_sources = sorted({k for s in scales for k in s["rows_per_source"]})
    lines.append("rows per source (landed rows in the base models, after the full build)")
    for source in all_sources:
        row(f"  {source}", [f"{s['rows_per_source'].get(source, 0):,}" for s in scales])
    row("  total", [f"{s['summary']['landing_rows']:,}" for s in scales])
    row("landing preflight (every file)", [fmt_s(s["full"]["preflight"]["wall_s"]) for s in scales])
    row("full build: dbt run", [fmt_s(s["summary"]["full_run_s"]) for s in scales])
    row("full build: dbt test (data tests)", [fmt_s(s["summary"]["full_test_s"]) for s in scales])
    max_days = max(len(s["daily"]) for s in scales)
    for i in range(max_days):
        row(
            f"incremental day {i + 1}: dbt run",
            [fmt_s(s["daily"][i]["run"]["wall_s"]) if i < len(s["daily"]) else "-" for s in scales],
        )
    row(
        "incremental: landing preflight, new files (mean)",
        [fmt_s(sum(d["preflight"]["wall_s"] for d in s["daily"]) / len(s["daily"])) for s in scales],
    )
    row(
        "incremental: preflight + dbt run (mean)",
        [fmt_s(s["summary"]["daily_preflight_plus_run_mean_s"]) for s in scales],
    )
    row("incremental: dbt test after the last day", [fmt_s(s["daily_test"]["wall_s"]) for s in scales])
    all_layers = sorted(
        {layer for s in scales for layer in s["model_seconds_by_layer"]["full"]},
        key=lambda layer: -scales[-1]["model_seconds_by_layer"]["full"].get(layer, 0.0),
    )
    lines.append("model seconds by folder, full run / mean daily run (summed over dbt threads)")
    for layer in all_layers:
        row(
            f"  {layer}",
            [
                f"{s['model_seconds_by_layer']['full'].get(layer, 0.0):,.0f}"
                f"/{s['model_seconds_by_layer']['daily_mean'].get(layer, 0.0):,.0f}"
                for s in scales
            ],
        )
    row(
        f"daily (preflight + run) / full (target <= {TARGET_DAILY_SHARE:.0%})",
        [f"{s['summary']['daily_share_of_full']:.1%}" for s in scales],
    )
    row(
        "daily dbt run / full dbt run",
        [f"{s['summary']['daily_run_share_of_full_run']:.1%}" for s in scales],
    )
    for s in scales:
        lines.append(f"daily run's top models by seconds (mean per day, {s['scale']})")
        for model, seconds in s.get("daily_top_models", []):
            lines.append(f"  {model:42}{seconds:>{width}.1f}")
    row(
        f"peak RSS full build (target <= {TARGET_PEAK_GIB:g} GiB)",
        [fmt_gib(s["summary"]["full_peak_rss_bytes"]) for s in scales],
    )
    row("peak RSS daily run", [fmt_gib(s["summary"]["daily_peak_rss_bytes"]) for s in scales])
    row("DuckDB database_size after full build", [str(s["full"]["duckdb"]["database_size"]) for s in scales])
    row("DuckDB memory_limit", [str(s["full"]["duckdb"]["memory_limit"]) for s in scales])
    row("identity graph nodes", [f"{s['identity']['nodes']:,}" for s in scales])
    row("identity graph edges", [f"{s['identity']['edges']:,}" for s in scales])
    row(
        "identity: components model, in full build",
        [fmt_s(s["identity"].get("dbt_components_in_full_build_s", float("nan"))) for s in scales],
    )
    row(
        "identity: components model alone (median)",
        [fmt_s(s["identity"]["dbt_components_s"]) for s in scales],
    )
    row(
        "identity: stitching models alone (4)",
        [fmt_s(s["identity"]["dbt_stitching_models_s"]) for s in scales],
    )
    row(
        "identity: scipy csr + connected_components",
        [fmt_s(s["identity"]["scipy_csr_plus_components_s"]) for s in scales],
    )
    row(
        "identity: scipy incl. numbering the keys",
        [fmt_s(s["identity"]["scipy_with_relabel_s"]) for s in scales],
    )
    row(
        f"identity: alone / scipy+numbering (<= {TARGET_IDENTITY_VS_SCIPY:g}x)",
        [f"{s['identity']['ratio_components_vs_scipy']:.2f}x" for s in scales],
    )
    row(
        "identity: alone / scipy csr + cc only",
        [f"{s['identity'].get('ratio_components_vs_scipy_bare', float('nan')):.2f}x" for s in scales],
    )
    row("identity: same partition as scipy", [str(s["identity"]["identical_partition"]) for s in scales])
    for key, ratio in report.get("scaling", {}).items():
        lines.append(
            f"scaling {key}: landed rows x{ratio['rows_ratio']:.1f}, "
            f"full run time x{ratio['full_run_ratio']:.2f}, daily run time x{ratio['daily_run_ratio']:.2f} "
            f"(target at 10x people: <= {TARGET_SCALE_RATIO_10X:g}x)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m omniwh.bench",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n", 2)[2],
    )
    parser.add_argument("--scale", default="bench100k", help="scale to benchmark (default bench100k)")
    parser.add_argument("--days", type=int, default=3, help="daily loads appended after the full build")
    parser.add_argument(
        "--compare-scale", default=None, help="a second scale for the scaling ratio (e.g. tiny)"
    )
    parser.add_argument(
        "--root", default="data/bench", help="folder of each scale's data (default data/bench)"
    )
    parser.add_argument("--out", default="bench_out", help="report folder (default bench_out)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--no-tests",
        action="store_true",
        help="skip the dbt data tests after the full and the last daily run",
    )
    parser.add_argument(
        "--dbt-threads", default=None, help="OMNI_DBT_THREADS for the runs (profile default 2)"
    )
    parser.add_argument(
        "--clv-members", type=int, default=1_000_000,
        help="members simulated for the CLV fit timing (omniwh.clv; target <= 30 s at 1M); 0 skips it",
    )
    parser.add_argument("--clv-only", action="store_true", help="only the CLV fit timing, no warehouse runs")
    args = parser.parse_args(argv)
    if args.clv_only:
        print(clv_bench_line(clv_bench(args.clv_members or 1_000_000)))
        return 0
    if args.days < 1:
        parser.error("--days must be at least 1")

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = Path(args.out) / stamp
    root = Path(args.root).resolve()
    scales = [s for s in (args.compare_scale, args.scale) if s]
    report: dict = {
        "started_at_utc": stamp,
        "host": {
            "cpus": os.cpu_count(),
            "memory_bytes": psutil.virtual_memory().total,
            "load_average_at_start": os.getloadavg(),
        },
        "scales": [],
    }
    for scale in scales:
        print(
            f"[bench] {scale}: generate, full build, {args.days} daily loads ...", file=sys.stderr, flush=True
        )
        report["scales"].append(
            bench_scale(
                scale, args.days, root, out_dir.resolve(), args.seed, args.dbt_threads, not args.no_tests
            )
        )
    if args.clv_members:
        report["clv_fit"] = clv_bench(args.clv_members)
    report["host"]["load_average_at_end"] = os.getloadavg()
    if len(report["scales"]) == 2:
        small, large = report["scales"]
        report["scaling"] = {
            f"{large['scale']} / {small['scale']}": {
                "rows_ratio": large["summary"]["landing_rows"] / small["summary"]["landing_rows"],
                "full_run_ratio": large["summary"]["full_run_s"] / small["summary"]["full_run_s"],
                "daily_run_ratio": large["summary"]["daily_run_mean_s"]
                / small["summary"]["daily_run_mean_s"],
            }
        }
    text = render(report)
    if "clv_fit" in report:
        text += "\n" + clv_bench_line(report["clv_fit"]) + f" (target <= {TARGET_CLV_FIT_S:g} s at 1M)"
    print(text)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    json_path = Path(args.out) / f"{stamp}.json"
    with open(json_path, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2, default=str)
    print(f"figures: {json_path}; logs and run_results: {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
