"""Helpers shared by the tests that build the project into their own DuckDB file: the environment of such a
build, a dbt call that fails the test with dbt's output, the copy of the session's built tiny warehouse
(fixture `built_tiny` in conftest.py), and the comparison of two builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
HASH_KEY_ENV = "OMNI_HASH_KEY"
_SESSION_KEY = object()


def dbt_env(
    root: Path,
    landing: Path | None,
    db: Path,
    *,
    key: str | None | object = _SESSION_KEY,
    target: str | Path = "target",
    logs: str | Path = "logs",
    temp: str | Path = "duckdb_tmp",
    **extra: str,
) -> dict:
    """Environment of a build reading `landing` into `db`, with dbt's target, logs and spill under `root`.

    key: OMNI_HASH_KEY of the build. By default the session's (conftest.py sets a test key unless one is set);
    None removes the variable, so the build hashes with the public demo key (generator data only); a string is
    the key itself. target/logs/temp are folder names under root (an absolute path is taken as it is);
    landing None keeps the OMNI_LANDING_PATH of the environment. `extra` adds or overrides variables.
    """
    env = dict(
        os.environ,
        OMNI_DUCKDB_PATH=str(db),
        OMNI_DUCKDB_TEMP_DIR=str(root / temp),
        DBT_TARGET_PATH=str(root / target),
        DBT_LOG_PATH=str(root / logs),
        DO_NOT_TRACK="1",
    )
    if landing is not None:
        env["OMNI_LANDING_PATH"] = str(landing)
    if key is None:
        env.pop(HASH_KEY_ENV, None)
    elif key is not _SESSION_KEY:
        env[HASH_KEY_ENV] = str(key)
    env.update(extra)
    return env


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


@dataclass(frozen=True)
class BuiltWarehouse:
    """A warehouse built from `landing` into `db`, with the target/ and logs/ folders its build wrote.

    `key` is the OMNI_HASH_KEY it was built under (None: the public demo key). The session's shared one is the
    fixture `built_tiny` (conftest.py): never write into it; take a copy with `copy_to`.
    """

    root: Path
    landing: Path
    db: Path
    target: Path
    logs: Path
    key: str | None = None

    def env(self, **extra: str) -> dict:
        """dbt_env of this warehouse: its landing, file, target/, logs/ and key; `extra` as in dbt_env."""
        return dbt_env(
            self.root, self.landing, self.db, key=self.key, target=self.target, logs=self.logs, **extra
        )

    def copy_to(self, folder: Path, *, landing: bool = False) -> BuiltWarehouse:
        """A copy in `folder` (created), in seconds against minutes for a build: the DuckDB file (same name:
        dbt's views name its catalog), target/ and logs/ (what the build wrote, for tests that scan them).

        landing=True also copies the landing folder, for tests that land files or run the preflight; without
        it the copy reads this one's landing, which must then stay untouched.
        """
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / self.db.name
        shutil.copyfile(self.db, db)
        if Path(f"{self.db}.wal").exists():
            shutil.copyfile(f"{self.db}.wal", f"{db}.wal")
        # without dbt's partial-parse state: a copy may be built from a copy of the project (copy_project)
        no_state = shutil.ignore_patterns("partial_parse.msgpack")
        shutil.copytree(self.target, folder / "target", ignore=no_state)
        shutil.copytree(self.logs, folder / "logs")
        copied_landing = self.landing
        if landing:
            copied_landing = folder / "landing"
            shutil.copytree(self.landing, copied_landing)
        return replace(
            self, root=folder, landing=copied_landing, db=db, target=folder / "target", logs=folder / "logs"
        )


def run_dbt(env: dict, *args: str) -> None:
    """Run dbt on this project; a non-zero exit fails the test with the end of dbt's output."""
    cmd = [DBT, *args, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")


def relation_differences(
    incremental_db: Path, full_db: Path, relations: list[str], where: dict[str, str] | None = None
) -> dict[str, tuple[int, int, int]]:
    """Per relation: (rows, rows only in the incremental build, rows only in the full refresh).

    EXCEPT ALL in both directions, so duplicated rows count: two builds are equal when both are 0. `where`:
    per relation, a predicate both sides are restricted to (e.g. the open months of a frozen snapshot).
    """
    where = where or {}
    con = duckdb.connect()
    try:
        con.execute(f"attach '{incremental_db}' as incr (read_only)")
        con.execute(f"attach '{full_db}' as full_refresh (read_only)")
        out = {}
        for rel in relations:
            cond = f" where {where[rel]}" if rel in where else ""
            rows = con.execute(f"select count(*) from incr.{rel}{cond}").fetchone()[0]
            only_incr = con.execute(
                f"select count(*) from (select * from incr.{rel}{cond}"
                f" except all select * from full_refresh.{rel}{cond})"
            ).fetchone()[0]
            only_full = con.execute(
                f"select count(*) from (select * from full_refresh.{rel}{cond}"
                f" except all select * from incr.{rel}{cond})"
            ).fetchone()[0]
            out[rel] = (rows, only_incr, only_full)
        return out
    finally:
        con.close()
