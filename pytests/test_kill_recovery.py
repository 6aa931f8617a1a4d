"""A build killed with SIGKILL half-way recovers on the next run and equals a clean build.

On the session's tiny landing data: `dbt build` into a fresh DuckDB file is killed (SIGKILL to dbt's whole
process group, so no handler runs) once a number of models have been created; DuckDB replays or drops its
write-ahead log when the file is opened again, and dbt-duckdb builds each table under a temporary name and
swaps it in only on success. The rerun (`dbt build`, data tests included) must succeed, and every table and
view of the warehouse must then hold exactly the rows of a clean build of the same landing data (row count and
an order-independent hash of every row, per relation).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from warehouse_helpers import dbt_env

from omniwh.duckdb_plugin import register_udfs

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
SCHEMAS = ("staging", "intermediate", "marts", "seeds")
# models created before the kill: past the staging layer (about 55 models), into the intermediate layer
KILL_AFTER_MODELS = 70
MODELS_ONLY = ["--exclude-resource-type", "test", "unit_test"]
# stamped with the run's start time or id by design (identity decisions, tag computation, the member-id
# registry, the activation list's consent instant): they differ between any two builds, so they are left out
# of the comparison
RUN_TIME_COLUMNS = {
    "decided_at", "detected_at", "computed_at", "registered_at", "run_id", "consent_checked_at",
}


def _env(root: Path, landing: Path, name: str) -> dict:
    return dbt_env(
        root,
        landing,
        root / f"{name}.duckdb",
        key=None,  # the public demo key, as the clean build (fixture built_tiny)
        target=f"{name}_target",
        logs=f"{name}_logs",
        temp=f"{name}_tmp",
        DBT_USE_COLORS="false",
        # one DuckDB thread: parallel aggregation adds doubles in a varying order (last-bit differences in the
        # lift and CLV fits), and this test compares two builds row for row
        OMNI_DUCKDB_THREADS="1",
    )


def _dbt_cmd(*args: str) -> list[str]:
    return [DBT, *args, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]


def _dbt(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_dbt_cmd(*args), env=env, capture_output=True, text=True, cwd=REPO)


def _created(log: Path) -> int:
    if not log.exists():
        return 0
    return sum(1 for line in log.read_text(errors="replace").splitlines() if " OK created " in line)


def _kill_mid_build(env: dict) -> int:
    log = Path(env["DBT_LOG_PATH"]) / "dbt.log"
    process = subprocess.Popen(
        _dbt_cmd("build", *MODELS_ONLY),
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while process.poll() is None and _created(log) < KILL_AFTER_MODELS:
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return process.returncode


def _fingerprints(db: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(db), read_only=True)
    register_udfs(con)
    try:
        columns: dict[str, list[str]] = {}
        for schema, name, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            f"where table_schema in {SCHEMAS} order by table_schema, table_name, ordinal_position"
        ).fetchall():
            if column not in RUN_TIME_COLUMNS or schema == "staging":
                columns.setdefault(f'"{schema}"."{name}"', []).append(f'"{column}"')
        return {
            relation: con.execute(
                f"select count(*), bit_xor(hash({', '.join(names)})) from {relation}"
            ).fetchone()
            for relation, names in columns.items()
        }
    finally:
        con.close()


def test_kill_9_mid_build_then_rerun_equals_clean_build(built_tiny, scratch):
    # the clean build is the session's (fixture built_tiny: preflighted landing, models and data tests, one
    # DuckDB thread, demo key); the killed build reads the same landing folder, which dbt only reads
    landing = built_tiny.landing
    killed_env = _env(scratch, landing, "killed")
    returncode = _kill_mid_build(killed_env)
    created = _created(Path(killed_env["DBT_LOG_PATH"]) / "dbt.log")
    assert returncode == -signal.SIGKILL, f"dbt ended by itself ({returncode}) after {created} models"
    assert created >= KILL_AFTER_MODELS

    rerun = _dbt(killed_env, "build", "--exclude-resource-type", "unit_test")
    assert rerun.returncode == 0, rerun.stdout[-4000:]

    recovered = _fingerprints(scratch / "killed.duckdb")
    expected = _fingerprints(built_tiny.db)
    assert len(expected) > 100
    names = expected.keys() | recovered.keys()
    differing = sorted(name for name in names if recovered.get(name) != expected.get(name))
    assert not differing, differing
