"""The semantic layer from Python: `mf query` (dbt-metricflow) on the serving snapshot, read-only.

    python -m omniwh.semantic mf <any mf arguments>     (mf without its online version check)
    python -m omniwh.semantic query --metrics member_order_share,online_reachable_rate \
        --group-by metric_time__month,kpi_unit__scope_value \
        --where "{{ Dimension('kpi_unit__scope_type') }} = 'banner'"

Metrics and semantic models: models/semantic/. MetricFlow reads the build's target/semantic_manifest.json
(written by every `dbt parse`/`dbt build`) and connects through the profile target `serving` (profiles.yml),
which attaches the snapshot at OMNI_SERVING_PATH read-only under the warehouse's catalog name.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# `mf` itself, run as `python -m omniwh.semantic mf ...`: the same CLI without its start-up version check,
# which asks PyPI on every call (update_checker); the semantic layer must work offline.
MF = [sys.executable, "-m", "omniwh.semantic", "mf"]
DBT = str(Path(sys.executable).with_name("dbt"))


class SemanticLayerError(RuntimeError):
    """`mf` failed; the message carries the end of its output."""


def mf_env(serving: Path | None = None) -> dict:
    """Environment of an `mf` call on the snapshot (`serving`, default $OMNI_SERVING_PATH)."""
    env = dict(
        os.environ,
        OMNI_DBT_TARGET="serving",
        DBT_PROFILES_DIR=str(REPO),
        DBT_PROJECT_DIR=str(REPO),
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    if serving is not None:
        env["OMNI_SERVING_PATH"] = str(serving)
    return env


def ensure_semantic_manifest(env: dict) -> None:
    """`mf` reads target/semantic_manifest.json; parse the project when a build has not written it."""
    if (REPO / "target" / "semantic_manifest.json").is_file():
        return
    done = subprocess.run([DBT, "parse", "--quiet"], cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SemanticLayerError(f"dbt parse failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")


def query(
    metrics: list[str],
    group_by: list[str],
    where: list[str] | None = None,
    *,
    start_time: str | None = None,
    end_time: str | None = None,
    serving: Path | None = None,
) -> list[dict[str, str]]:
    """Rows of `mf query` (values as text, as MetricFlow's CSV writes them)."""
    env = mf_env(serving)
    ensure_semantic_manifest(env)
    with tempfile.TemporaryDirectory(prefix="omniwh-mf-") as tmp:
        out = Path(tmp) / "result.csv"
        cmd = [*MF, "query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by)]
        cmd += ["--csv", str(out)]
        for condition in where or []:
            cmd += ["--where", condition]
        if start_time:
            cmd += ["--start-time", start_time]
        if end_time:
            cmd += ["--end-time", end_time]
        done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
        if done.returncode != 0 or not out.is_file():
            raise SemanticLayerError(f"{' '.join(cmd)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")
        with out.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))


def run_mf(args: list[str]) -> int:
    """dbt-metricflow's `mf` command line, with its online update check switched off."""
    import update_checker
    from dbt_metricflow.cli.main import cli

    update_checker.UpdateChecker.check = lambda self, *a, **k: None
    return cli.main(args=args, prog_name="mf", standalone_mode=False) or 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["mf"]:
        return run_mf(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m omniwh.semantic", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["query"])
    parser.add_argument("--metrics", required=True, help="comma-separated metric names (models/semantic/)")
    parser.add_argument("--group-by", default="metric_time__month", help="comma-separated dimensions")
    parser.add_argument("--where", action="append", default=[], help="MetricFlow filter (repeatable)")
    parser.add_argument("--serving", type=Path, default=None, help="snapshot (default: $OMNI_SERVING_PATH)")
    args = parser.parse_args(argv)
    try:
        rows = query(args.metrics.split(","), args.group_by.split(","), args.where, serving=args.serving)
    except SemanticLayerError as err:
        print(err, file=sys.stderr)
        return 1
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else [])
    writer.writeheader()
    writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
