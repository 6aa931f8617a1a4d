"""The Dagster job on tiny data, in process, and the serving snapshot around real builds.

One module-scoped run of job `daily_warehouse_build` (preflight -> dbt build with its tests as asset checks ->
GX suites as asset checks -> publish) on a copy of the session's tiny landing data, with its own warehouse,
snapshot, GX output and logs. Then, on that warehouse and snapshot:

- a dbt build succeeds while a reader holds the snapshot open (and the same build fails while a reader holds
  the warehouse: the reason the snapshot exists); the publish that follows replaces the snapshot under the
  reader, who keeps reading the version it opened;
- a run whose dbt step fails (the warehouse locked by another writer, retried once) and a run whose GX suite
  fails (a broken mart row) both leave the previous snapshot byte-identical and never reach the publish;
- a DuckDB 1.0 client (its own virtualenv, created once under .venv/clients/) opens the snapshot and reads a
  mart, with the same figures DuckDB 2.0 reads from the warehouse.
"""

import datetime as dt
import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from warehouse_helpers import DBT, REPO

from omniwh import serving

DUCKDB1_VERSION = "1.0.0"  # the oldest client the snapshot's storage version promises to serve
CLIENT_VENV = REPO / ".venv" / "clients" / f"duckdb-{DUCKDB1_VERSION}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def pipeline(tiny, scratch_root):
    root = scratch_root / "orchestration"
    landing = root / "landing"
    # own copy: the preflight writes _rejected/ into the landing folder, which the shared `tiny` must not get
    shutil.copytree(tiny["landing"], landing)
    env = {
        "OMNI_LANDING_PATH": str(landing),
        "OMNI_DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "OMNI_SERVING_PATH": str(root / "serving.duckdb"),
        "OMNI_DUCKDB_TEMP_DIR": str(root / "duckdb_tmp"),
        "OMNI_GX_OUT": str(root / "gx_out"),
        "DBT_LOG_PATH": str(root / "logs"),
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_PROFILES_DIR": str(REPO),
        "DO_NOT_TRACK": "1",
        # one retry, one second apart: the failing-run test sees a retry without waiting minutes
        "OMNI_DAGSTER_RETRIES": "1",
        "OMNI_DAGSTER_RETRY_DELAY_SECONDS": "1",
    }
    patch = pytest.MonkeyPatch()
    for name, value in env.items():
        patch.setenv(name, value)
    (root / "duckdb_tmp").mkdir(parents=True)
    from omniwh.orchestration import definitions

    definitions = importlib.reload(definitions)  # the retry policy is read when the module loads
    job = definitions.defs.resolve_job_def(definitions.JOB_NAME)
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    yield {
        "root": root,
        "env": dict(os.environ),
        "definitions": definitions,
        "job": job,
        "result": result,
        "warehouse": root / "warehouse.duckdb",
        "serving": root / "serving.duckdb",
    }
    patch.undo()


def _failure_text(result) -> str:
    return "\n".join(
        f"{event.step_key}: {event.event_specific_data.error.message[:2000]}"
        for event in result.all_events
        if event.is_step_failure
    )


def test_daily_job_materialises_tiny_data_with_checks_and_publishes(pipeline):
    result, definitions = pipeline["result"], pipeline["definitions"]
    assert result.success, _failure_text(result)

    materialised = {event.asset_key for event in result.get_asset_materialization_events()}
    assert set(definitions.SOURCE_KEYS) <= materialised  # the preflight's landing tables
    assert set(definitions.MODEL_KEYS.values()) <= materialised  # every dbt seed and model
    assert dg.AssetKey(["serving", "snapshot"]) in materialised

    evaluations = result.get_asset_check_evaluations()
    gx = [e for e in evaluations if e.check_name.startswith("gx_")]
    dbt_tests = [e for e in evaluations if not e.check_name.startswith("gx_")]
    assert len(gx) == len(definitions.GX_SUITES) > 0
    assert len(dbt_tests) > 500  # every data test of the project, attached to its model
    # dbt tests configured `severity: warn` report a failed check of severity WARN; nothing may fail at ERROR
    errors = [e.check_name for e in evaluations if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    assert errors == []
    assert all(e.passed for e in gx)

    info = serving.snapshot_info(pipeline["serving"])
    assert info["run_id"] == result.run_id
    assert info["git_commit"] not in ("", "unknown")
    # the tiny data end on TINY_UNTIL; the as-of date is the latest day the tills were fully extracted for
    until = dt.date.fromisoformat("2025-04-30")
    assert until - dt.timedelta(days=2) <= info["as_of_date"] <= until
    assert abs(dt.datetime.now(dt.UTC).replace(tzinfo=None) - info["built_at"]) < dt.timedelta(hours=2)


def test_snapshot_holds_exactly_the_warehouse_marts(pipeline):
    con = duckdb.connect(str(pipeline["warehouse"]), read_only=True)
    try:
        con.execute(f"attach '{pipeline['serving']}' as snap (read_only)")
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables"
                " where table_catalog = 'warehouse' and table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        served = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables"
                " where table_catalog = 'snap' and table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        assert served == marts and len(marts) >= 15
        for name in marts:
            rows = con.execute(f"select count(*) from warehouse.marts.{name}").fetchone()[0]
            differing = con.execute(
                f"select count(*) from (select * from warehouse.marts.{name}"
                f" except all select * from snap.marts.{name})"
            ).fetchone()[0]
            extra = con.execute(
                f"select count(*) from (select * from snap.marts.{name}"
                f" except all select * from warehouse.marts.{name})"
            ).fetchone()[0]
            assert (name, differing, extra) == (name, 0, 0), f"{name}: {rows} rows"
    finally:
        con.close()


def _publish(env: dict, run_id: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "omniwh.serving", "publish", "--run-id", run_id]
    cmd += ["--manifest", str(REPO / "target" / "manifest.json")]
    return subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)


def _dbt(env: dict, *args: str) -> subprocess.CompletedProcess:
    cmd = [DBT, *args, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    return subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)


def test_build_succeeds_while_a_reader_holds_the_snapshot(pipeline):
    env, snap = pipeline["env"], pipeline["serving"]
    first_run = serving.snapshot_info(snap)["run_id"]

    # the problem the snapshot solves: a reader on the warehouse itself makes the build fail
    blocker = duckdb.connect(str(pipeline["warehouse"]), read_only=True)
    try:
        blocked = _dbt(env, "run", "--select", "dim_stores")
    finally:
        blocker.close()
    assert blocked.returncode != 0 and "lock" in (blocked.stdout + blocked.stderr).lower()

    reader = duckdb.connect(str(snap), read_only=True)
    try:
        stores_before = reader.execute("select count(*) from marts.dim_stores").fetchone()[0]
        built = _dbt(env, "build", "--select", "+dim_stores", "--exclude-resource-type", "unit_test")
        assert built.returncode == 0, built.stdout[-4000:]
        published = _publish(env, "second-build")
        assert published.returncode == 0, published.stderr
        # the reader still has the snapshot it opened, whole
        assert reader.execute("select run_id from serving_meta.snapshot_info").fetchone()[0] == first_run
        assert reader.execute("select count(*) from marts.dim_stores").fetchone()[0] == stores_before
    finally:
        reader.close()
    assert serving.snapshot_info(snap)["run_id"] == "second-build"


def test_failed_runs_leave_the_previous_snapshot_byte_identical(pipeline):
    job, snap, warehouse = pipeline["job"], pipeline["serving"], pipeline["warehouse"]
    before = _sha256(snap)
    snapshot_key = dg.AssetKey(["serving", "snapshot"])

    # 1. the dbt step fails: another process holds the warehouse for writing (retried once, then given up)
    writer = duckdb.connect(str(warehouse))
    try:
        failed = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    finally:
        writer.close()
    assert not failed.success
    retried = [e for e in failed.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert [e.step_key for e in retried] == ["warehouse_dbt"]
    assert snapshot_key not in {e.asset_key for e in failed.get_asset_materialization_events()}
    assert _sha256(snap) == before

    # 2. a GX suite fails on a broken mart row (in a copy of the warehouse): its blocking check stops the
    # publish. A job of the GX checks of dim_stores and the publish alone, so no dbt build repairs the row.
    definitions = pipeline["definitions"]
    broken = warehouse.with_name("broken.duckdb")
    shutil.copy(warehouse, broken)
    con = duckdb.connect(str(broken))
    con.execute(
        "update marts.dim_stores set banner_code = 'XX'"
        " where store_id = (select min(store_id) from marts.dim_stores)"
    )
    con.close()
    checks = [key for key in definitions.GX_SUITES if key.asset_key == dg.AssetKey(["marts", "dim_stores"])]
    gx_then_publish = dg.define_asset_job(
        "gx_then_publish",
        selection=dg.AssetSelection.assets(snapshot_key) | dg.AssetSelection.checks(*checks),
    )
    defs = dg.Definitions(
        assets=[definitions.landing_preflight, definitions.warehouse_dbt, definitions.serving_snapshot],
        asset_checks=[definitions.gx_suites],
        jobs=[gx_then_publish],
        resources=definitions.defs.resources,
    )
    patch = pytest.MonkeyPatch()
    patch.setenv("OMNI_DUCKDB_PATH", str(broken))
    try:
        gx_failed = defs.resolve_job_def("gx_then_publish").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    finally:
        patch.undo()
    evaluations = gx_failed.get_asset_check_evaluations()
    assert [(e.check_name, e.passed) for e in evaluations] == [(checks[0].name, False)]
    assert snapshot_key not in {e.asset_key for e in gx_failed.get_asset_materialization_events()}
    assert _sha256(snap) == before


def _client_python() -> Path:
    python = CLIENT_VENV / "bin" / "python"
    if not python.exists():
        shutil.rmtree(CLIENT_VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(CLIENT_VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"duckdb=={DUCKDB1_VERSION}",
            ],
            check=True,
            capture_output=True,
        )
    return python


def test_duckdb_1x_client_reads_the_snapshot(pipeline):
    python = _client_python()
    script = textwrap.dedent(
        """
        import sys, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)
        print(duckdb.__version__)
        print(con.execute("select run_id from serving_meta.snapshot_info").fetchone()[0])
        print(con.execute("select count(*), sum(net_sales_amount) from marts.fct_orders").fetchone())
        """
    )
    done = subprocess.run(
        [str(python), "-c", script, str(pipeline["serving"])], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    version, run_id, figures = done.stdout.strip().splitlines()
    assert version == DUCKDB1_VERSION
    assert run_id == serving.snapshot_info(pipeline["serving"])["run_id"]
    con = duckdb.connect(str(pipeline["warehouse"]), read_only=True)
    try:
        expected = con.execute("select count(*), sum(net_sales_amount) from marts.fct_orders").fetchone()
    finally:
        con.close()
    assert figures == str(expected) and expected[0] > 0
