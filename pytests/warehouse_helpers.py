"""Helpers shared by the tests that build the project into their own DuckDB file: the environment of such a
build, a dbt call that fails the test with dbt's output, and the comparison of two builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))


def dbt_env(root: Path, landing: Path, db: Path) -> dict:
    """Environment of a build reading `landing` into `db`, with dbt's target, logs and spill under `root`."""
    return dict(
        os.environ,
        OMNI_LANDING_PATH=str(landing),
        OMNI_DUCKDB_PATH=str(db),
        OMNI_DUCKDB_TEMP_DIR=str(root / "duckdb_tmp"),
        DBT_TARGET_PATH=str(root / "target"),
        DBT_LOG_PATH=str(root / "logs"),
        DO_NOT_TRACK="1",
    )


PROJECT_PARTS = (
    "models",
    "macros",
    "seeds",
    "tests",
    "analyses",
    "snapshots",
    "dbt_project.yml",
    "profiles.yml",
)


def copy_project(root: Path) -> Path:
    """A copy of the dbt project under root/project, for tests that write seeds (the erasure list)."""
    project = root / "project"
    project.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, project / part)
        elif source.exists():
            shutil.copy2(source, project / part)
    return project


def run_dbt(env: dict, *args: str) -> None:
    """Run dbt on this project; a non-zero exit fails the test with the end of dbt's output."""
    cmd = [DBT, *args, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")


def relation_differences(
    incremental_db: Path, full_db: Path, relations: list[str]
) -> dict[str, tuple[int, int, int]]:
    """Per relation: (rows, rows only in the incremental build, rows only in the full refresh).

    EXCEPT ALL in both directions, so duplicated rows count: two builds are equal when both are 0.
    """
    con = duckdb.connect()
    try:
        con.execute(f"attach '{incremental_db}' as incr (read_only)")
        con.execute(f"attach '{full_db}' as full_refresh (read_only)")
        out = {}
        for rel in relations:
            rows = con.execute(f"select count(*) from incr.{rel}").fetchone()[0]
            only_incr = con.execute(
                f"select count(*) from (select * from incr.{rel} except all select * from full_refresh.{rel})"
            ).fetchone()[0]
            only_full = con.execute(
                f"select count(*) from (select * from full_refresh.{rel} except all select * from incr.{rel})"
            ).fetchone()[0]
            out[rel] = (rows, only_incr, only_full)
        return out
    finally:
        con.close()
