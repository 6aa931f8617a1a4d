"""Dagster definitions: the warehouse as assets, built daily, published only when everything passed.

    make dagster                                   # = dagster dev -m omniwh.orchestration.definitions
    dagster definitions validate -m omniwh.orchestration.definitions

Job ``daily_warehouse_build`` (one run = what ``make build`` does):

1. ``landing_preflight`` (group ``landing``): omniwh.landing_check over $OMNI_LANDING_PATH. It produces the
   dbt sources (one asset per landing table), so every dbt model waits for it. A landing folder, or a
   contract table, without a readable file fails the run.
2. ``warehouse_dbt``: every dbt seed and model as an asset (groups: the dbt group of each mart area, else the
   layer), ``dbt build`` without unit tests (code tests, not data: CI runs them); each dbt data test is an
   asset check of its model. Config ``full_refresh`` and ``vars`` (dbt --vars YAML, e.g.
   ``{backfill_from: 2025-06-01}``) cover the README's backfill cases.
3. ``gx_suites``: each Great Expectations suite of expectations/ is a blocking asset check of the relation it
   validates (the runner of ``make quality``; results and Data Docs in $OMNI_GX_OUT/dagster).
4. ``serving/snapshot``: omniwh.serving.publish, downstream of the marts and of the blocking checks, so a
   failed model, dbt test or GX suite leaves the previous snapshot in place.

Retries: each step is retried ``OMNI_DAGSTER_RETRIES`` times (default 2), ``OMNI_DAGSTER_RETRY_DELAY_SECONDS``
apart (default 300, doubling): a warehouse locked by another process or a full disk clears up; a failed data
test does not, so a dbt run whose only failures are tests fails at once without retrying.

Schedule ``daily_warehouse_build_schedule``: every day at ``OMNI_SCHEDULE_TIME`` (HH:MM, default 06:30) in
``OMNI_SCHEDULE_TIMEZONE`` (default Asia/Shanghai). Sensor ``landing_complete_sensor``: one run per load date
on which every daily feed has delivered (omniwh/orchestration/landing.py), checked every
``OMNI_SENSOR_INTERVAL_SECONDS`` (default 300). Both start switched off: turn on the one that fits the
extracts' delivery (a fixed time, or "as soon as the day is complete") in the UI's Automation tab.
"""

import datetime as dt
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from omniwh import landing_check, progress, serving
from omniwh.orchestration.landing import daily_tables, latest_complete_load_date
from omniwh.quality import spec as quality_spec

REPO = Path(__file__).resolve().parents[2]
EXPECTATIONS = REPO / "expectations"
# dbt of this environment (the .venv), whether or not .venv/bin is on PATH
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
JOB_NAME = "daily_warehouse_build"


def _repo_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else REPO / path


def _landing() -> Path:
    return _repo_path(os.environ.get("OMNI_LANDING_PATH", "data/landing"))


def _schedule_cron() -> str:
    value = os.environ.get("OMNI_SCHEDULE_TIME", "06:30").strip()
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
    if not match:
        raise ValueError(f"OMNI_SCHEDULE_TIME must be HH:MM (24 h), not {value!r}")
    return f"{int(match.group(2))} {int(match.group(1))} * * *"


# --- dbt project ------------------------------------------------------------------------------------------
# The manifest is target/manifest.json, the one `dbt build` writes; each dbt run of Dagster writes its own
# folder under $DBT_TARGET_PATH (default target/), so runs never overwrite each other's artifacts.
dbt_project = DbtProject(project_dir=REPO, profiles_dir=REPO, target_path="target")


def _manifest_is_stale() -> bool:
    """True when a model, macro, test, seed or the project file changed after the manifest was written."""
    if not dbt_project.manifest_path.exists():
        return True
    written = dbt_project.manifest_path.stat().st_mtime
    sources = [REPO / "dbt_project.yml"]
    for folder in ("models", "macros", "tests", "seeds", "snapshots", "analyses"):
        sources += [p for p in (REPO / folder).rglob("*") if p.suffix in {".sql", ".yml", ".csv", ".md"}]
    return any(p.stat().st_mtime > written for p in sources)


if _manifest_is_stale():
    # a fresh clone, or models edited since the last parse or build (also under `dagster dev`, where a reload
    # picks up edited models): `dbt parse`. `make dagster` parses before starting, so the first load is quick.
    DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE).cli(
        ["parse", "--quiet"], target_path=dbt_project.target_path
    ).wait()
MANIFEST = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


class WarehouseTranslator(DagsterDbtTranslator):
    """Asset keys [schema, model] (dagster-dbt's default); groups: the dbt group (mart areas, with owners),
    else the layer folder (staging, intermediate) or `seeds`."""

    def get_group_name(self, dbt_resource_props) -> str | None:
        group = super().get_group_name(dbt_resource_props)
        if group:
            return group
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn") or []
        return fqn[1] if len(fqn) > 2 else None


TRANSLATOR = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
SOURCE_KEYS = sorted(
    {TRANSLATOR.get_asset_key(source) for source in MANIFEST["sources"].values()},
    key=lambda key: key.to_user_string(),
)
MODEL_KEYS = {
    node["unique_id"]: TRANSLATOR.get_asset_key(node)
    for node in MANIFEST["nodes"].values()
    if node["resource_type"] in {"model", "seed"}
}
SERVED_KEYS = sorted(
    (
        key
        for key in MODEL_KEYS.values()
        if key.path[0] == serving.MARTS_SCHEMA
        or (key.path[0] == "intermediate" and key.path[-1] in serving.SERVED_INTERMEDIATE)
    ),
    key=lambda key: key.to_user_string(),
)

RETRY_POLICY = dg.RetryPolicy(
    max_retries=int(os.environ.get("OMNI_DAGSTER_RETRIES", "2")),
    delay=int(os.environ.get("OMNI_DAGSTER_RETRY_DELAY_SECONDS", "300")),
    backoff=dg.Backoff.EXPONENTIAL,
)


# --- 1. preflight -------------------------------------------------------------------------------------------
@dg.multi_asset(
    name="landing_preflight",
    specs=[
        dg.AssetSpec(
            key,
            group_name="landing",
            kinds={"parquet"},
            description=f"Landing table {key.to_user_string()}, checked file by file against the contract",
        )
        for key in SOURCE_KEYS
    ],
)
def landing_preflight(context: dg.AssetExecutionContext):
    """Check every new or changed landing file (omniwh.landing_check); rejected files move to _rejected/ and
    the manifest."""
    landing = _landing()
    total = sum(1 for p in landing.rglob("*") if p.is_file()) if landing.is_dir() else 0
    try:
        with progress.count_calls(landing_check, "_check_file", "preflight: landing files", total):
            report = landing_check.run(landing, REPO)
    except landing_check.ContractError as exc:
        raise dg.Failure(f"landing preflight: {exc}", allow_retries=False) from exc
    empty = getattr(report, "empty_tables", None) or []
    # files skipped as unchanged since an earlier check are still there for dbt
    if report.files_checked + report.files_skipped == 0 or empty:
        raise dg.Failure(
            f"landing {landing} holds no readable file for: {', '.join(empty) or 'any table'} "
            "(check OMNI_LANDING_PATH, or wait for the transfer)",
            allow_retries=True,
        )
    rejected = Counter(f"{f.system}.{f.table}" for f in report.rejected)
    context.log.info(
        f"{report.files_checked} files checked in {landing} ({report.files_skipped} unchanged, not read), "
        f"{len(report.rejected)} rejected, "
        f"{report.new_manifest_rows} new manifest rows"
    )
    for key in SOURCE_KEYS:
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "files_rejected_this_run": rejected.get(".".join(key.path), 0),
                "files_checked_in_landing": report.files_checked,
            },
        )


# --- 2. dbt -------------------------------------------------------------------------------------------------
class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    vars: str = ""  # dbt --vars, YAML, e.g. "{backfill_from: 2025-06-01}"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    name="warehouse_dbt",
)
def warehouse_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    if config.vars:
        args += ["--vars", config.vars]
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    yield from invocation.stream()
    if invocation.is_successful():
        return
    results = invocation.get_artifact("run_results.json").get("results", [])
    failed = [r["unique_id"] for r in results if r.get("status") in {"fail", "error"}]
    only_tests = failed and all(uid.startswith(("test.", "unit_test.")) for uid in failed)
    raise dg.Failure(
        f"dbt build failed: {len(failed)} node(s) failed: {', '.join(failed[:10])}"
        + (" (data tests only: not retried)" if only_tests else ""),
        allow_retries=not only_tests,
    )


# --- 3. GX suites as asset checks ---------------------------------------------------------------------------
def _check_name(suite_name: str) -> str:
    return "gx_" + re.sub(r"[^A-Za-z0-9_]", "__", suite_name)


GX_SUITES: dict[dg.AssetCheckKey, str] = {}
for _suite in quality_spec.load_all(EXPECTATIONS):
    _key = dg.AssetKey((_suite.relation or "").split("."))
    if _key in MODEL_KEYS.values():
        GX_SUITES[dg.AssetCheckKey(_key, _check_name(_suite.name))] = _suite.name


@dg.multi_asset_check(
    name="gx_suites",
    specs=[
        dg.AssetCheckSpec(
            check_key.name,
            asset=check_key.asset_key,
            blocking=True,
            description=f"Great Expectations suite {suite} (expectations/)",
            metadata={"gx_suite": suite},
        )
        for check_key, suite in GX_SUITES.items()
    ],
    can_subset=True,
)
def gx_suites(context: dg.AssetCheckExecutionContext):
    from omniwh.quality import run as quality_run

    selected = [key for key in GX_SUITES if key in context.selected_asset_check_keys]
    out = _repo_path(os.environ.get("OMNI_GX_OUT", "gx_out")) / "dagster"
    args = ["--duckdb", str(serving.warehouse_path()), "--out", str(out)]
    for key in selected:
        args += ["--suite", GX_SUITES[key]]
    code = quality_run.main(args)
    summary_path = out / quality_run.SUMMARY_FILE
    if code == 2 or not summary_path.exists():
        raise dg.Failure(f"the GX runner could not run (exit {code}); see the step's log")
    records = {r["suite"]: r for r in json.loads(summary_path.read_text(encoding="utf-8"))["suites"]}
    for key in selected:
        record = records.get(GX_SUITES[key], {})
        yield dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=bool(record.get("success")),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "expectations": record.get("expectation_count", 0),
                "failed_expectations": record.get("failed_count", 0),
                "rows_validated": record.get("rows_validated", 0),
                "error": (record.get("error") or "")[:500],
                "summary": str(summary_path),
            },
        )


# --- 4. publish ---------------------------------------------------------------------------------------------
@dg.asset(
    key=dg.AssetKey(["serving", "snapshot"]),
    deps=SERVED_KEYS,
    group_name="serving",
    kinds={"duckdb"},
    description="The read-only snapshot BI reads ($OMNI_SERVING_PATH), replaced atomically (omniwh.serving)",
)
def serving_snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    try:
        snap = serving.publish(run_id=context.run.run_id, manifest=dbt_project.manifest_path)
    except serving.PublishError as exc:
        raise dg.Failure(str(exc)) from exc
    return dg.MaterializeResult(
        metadata={
            "path": str(snap.path),
            "tables": len(snap.tables),
            "as_of_date": str(snap.as_of_date),
            "built_at_utc": snap.built_at.isoformat(),
            "git_commit": snap.git_commit,
        }
    )


# --- job, schedule, sensor ----------------------------------------------------------------------------------
daily_job = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="preflight -> dbt build (data tests as checks) -> GX suites -> publish the serving snapshot",
    op_retry_policy=RETRY_POLICY,
)

daily_schedule = dg.ScheduleDefinition(
    name=f"{JOB_NAME}_schedule",
    job=daily_job,
    cron_schedule=_schedule_cron(),
    execution_timezone=os.environ.get("OMNI_SCHEDULE_TIMEZONE", "Asia/Shanghai"),
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="The daily build at OMNI_SCHEDULE_TIME in OMNI_SCHEDULE_TIMEZONE",
)


@dg.sensor(
    job=daily_job,
    minimum_interval_seconds=int(os.environ.get("OMNI_SENSOR_INTERVAL_SECONDS", "300")),
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="One build per load date on which every daily feed (OMNI_LANDING_DAILY_TABLES) has delivered",
)
def landing_complete_sensor(context: dg.SensorEvaluationContext):
    landing = _landing()
    latest = latest_complete_load_date(landing)
    if latest is None:
        return dg.SkipReason(
            f"no load date in {landing} has files from every daily feed ({', '.join(daily_tables())})"
        )
    if context.cursor and dt.date.fromisoformat(context.cursor) >= latest:
        return dg.SkipReason(f"load date {latest} already requested; no newer complete day")
    context.update_cursor(latest.isoformat())
    return dg.RunRequest(run_key=f"landing-{latest}", tags={"omniwh/load_date": latest.isoformat()})


defs = dg.Definitions(
    assets=[landing_preflight, warehouse_dbt, serving_snapshot],
    asset_checks=[gx_suites],
    jobs=[daily_job],
    schedules=[daily_schedule],
    sensors=[landing_complete_sensor],
    resources={"dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)},
)
