"""Safe by default: no command deletes a retailer's files, no key mistake or file name opens a hole.

- the generator (and `make data`/`make build`) refuses a landing folder holding files it did not write, and
  leaves both the files and the warehouse untouched;
- real data (a landing folder the generator did not write) without a secret OMNI_HASH_KEY, or with the public
  demo key, stops every dbt run before any node runs; a run with another key than the warehouse was built
  with stops too and points to the re-key procedure;
- landing file names reach SQL only when they have the documented name; the preflight moves a name with a
  quote and a link pointing outside the landing root to _rejected/ without reading them, and an incremental
  run refuses a file name outside the contract instead of pasting it into SQL.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from test_quality import warehouse  # noqa: F401 (module fixture reused)
from warehouse_helpers import DBT, REPO, dbt_env

from omniwh import landing_check
from omniwh.duckdb_plugin import DEMO_HASH_KEY
from omniwh.generator import ForeignLandingError, generate
from omniwh.generator.ownership import MARKER, is_generated

MAKE = shutil.which("make")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dbt(env: dict, *args: str) -> subprocess.CompletedProcess:
    cmd = [DBT, *args, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)


def _copy_landing(tiny, dest: Path, with_marker: bool) -> Path:
    shutil.copytree(tiny["landing"], dest, ignore=None if with_marker else shutil.ignore_patterns(MARKER))
    return dest


def _tables(db: Path) -> list[str]:
    if not db.exists():
        return []
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        return [f"{schema}.{table}" for schema, table in rows]
    finally:
        con.close()


# ------------------------------------------------------------------------------------- demo data is explicit
def test_generator_refuses_a_folder_with_foreign_files(scratch):
    landing = scratch / "landing"
    retailer = landing / "pos" / "transactions" / "dt=2025-01-01" / "part-20250101.csv"
    retailer.parent.mkdir(parents=True)
    retailer.write_text("store_id,ticket_no\nS1,T1\n", encoding="utf-8")
    before = _digest(retailer)
    with pytest.raises(ForeignLandingError, match="did not write") as refused:
        generate("tiny", 42, str(landing), str(scratch / "truth"), until="2024-11-02", quiet=True)
    assert "move those files away" in str(refused.value)
    assert _digest(retailer) == before
    assert sorted(p.name for p in landing.rglob("*") if p.is_file()) == ["part-20250101.csv"]


def test_generator_writes_into_its_own_folder_again_but_not_over_an_added_file(scratch):
    landing = scratch / "landing"
    generate("tiny", 42, str(landing), str(scratch / "truth"), until="2024-11-02", quiet=True)
    assert is_generated(landing)
    generate("tiny", 42, str(landing), str(scratch / "truth"), until="2024-11-03", quiet=True)  # its own: ok
    assert is_generated(landing)
    added = next(landing.glob("crm/members/dt=*/part-*.parquet")).with_name("part-20991231.parquet")
    added.write_bytes(b"retailer bytes")
    assert not is_generated(landing)
    with pytest.raises(ForeignLandingError):
        generate("tiny", 42, str(landing), str(scratch / "truth"), until="2024-11-02", quiet=True)
    assert added.read_bytes() == b"retailer bytes"


@pytest.mark.parametrize("warehouse_exists", [False, True])
def test_make_build_on_a_foreign_folder_stops_and_keeps_files_and_warehouse(scratch, warehouse_exists):
    if MAKE is None:
        pytest.skip("make not installed")
    landing = scratch / "retailer_landing"
    retailer = landing / "crm" / "members" / "dt=2025-01-01" / "part-20250101.parquet"
    retailer.parent.mkdir(parents=True)
    retailer.write_bytes(b"not really parquet, but the retailer's")
    db = scratch / "warehouse.duckdb"
    if warehouse_exists:
        con = duckdb.connect(str(db))
        con.execute("create table kept as select 42 as answer")
        con.close()
        db_before = _digest(db)
    env = dict(os.environ, OMNI_LANDING_PATH=str(landing), OMNI_DUCKDB_PATH=str(db))
    env.pop("OMNI_HASH_KEY", None)
    done = subprocess.run(
        [MAKE, "build", "SCALE=tiny", f"OMNI_TRUTH_PATH={scratch / 'truth'}"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0, done.stdout[-2000:]
    message = done.stderr + done.stdout
    assert ("did not write" in message) or ("make clean" in message), message[-2000:]
    assert retailer.read_bytes() == b"not really parquet, but the retailer's"
    assert sorted(p.name for p in landing.rglob("*")) == sorted(
        ["crm", "members", "dt=2025-01-01", "part-20250101.parquet"]
    )
    if warehouse_exists:
        assert _digest(db) == db_before
    else:
        assert not db.exists()


# ---------------------------------------------------------------------------------- real data needs a key
@pytest.mark.parametrize("key", [None, DEMO_HASH_KEY])
def test_foreign_data_without_a_secret_key_stops_before_any_model(tiny, scratch, key):
    landing = _copy_landing(tiny, scratch / "landing", with_marker=False)
    db = scratch / "warehouse.duckdb"
    env = dbt_env(scratch, landing, db)
    env.pop("OMNI_HASH_KEY", None)
    if key:
        env["OMNI_HASH_KEY"] = key
    done = _dbt(env, "build", "--select", "base_crm__members")
    assert done.returncode != 0
    assert "real data needs a secret key" in done.stdout, done.stdout[-3000:]
    assert "nothing was built" in done.stdout
    assert _tables(db) == []  # not even the fingerprint: the warehouse is as it was (empty)


def test_generator_data_builds_with_the_demo_key(tiny, scratch):
    landing = _copy_landing(tiny, scratch / "landing", with_marker=True)
    db = scratch / "warehouse.duckdb"
    env = dbt_env(scratch, landing, db)
    env.pop("OMNI_HASH_KEY", None)
    done = _dbt(env, "seed", "--select", "erasure_requests")
    assert done.returncode == 0, done.stdout[-3000:]
    con = duckdb.connect(str(db), read_only=True)
    try:
        (fingerprint, kind), *more = con.execute(
            "select fingerprint, key_kind from warehouse_meta.hash_key_fingerprint"
        ).fetchall()
    finally:
        con.close()
    assert not more and kind == "demo" and len(fingerprint) == 64
    assert DEMO_HASH_KEY not in fingerprint


def test_another_key_stops_the_run_with_one_message(tiny, scratch):
    db = scratch / "warehouse.duckdb"
    env = dbt_env(scratch, Path(tiny["landing"]), db)
    first = _dbt({**env, "OMNI_HASH_KEY": "first-secret-key"}, "seed", "--select", "erasure_requests")
    assert first.returncode == 0, first.stdout[-3000:]
    stored = duckdb.connect(str(db), read_only=True)
    fingerprint = stored.execute("select fingerprint from warehouse_meta.hash_key_fingerprint").fetchone()[0]
    stored.close()
    assert "first-secret-key" not in fingerprint
    before = _tables(db)
    other = _dbt({**env, "OMNI_HASH_KEY": "second-secret-key"}, "build", "--select", "base_crm__members")
    assert other.returncode != 0
    assert "not the key this warehouse was built with" in other.stdout, other.stdout[-3000:]
    assert "Rotating the hash key" in other.stdout
    assert _tables(db) == before  # nothing built
    again = _dbt({**env, "OMNI_HASH_KEY": "first-secret-key"}, "seed", "--select", "erasure_requests")
    assert again.returncode == 0, again.stdout[-3000:]


# --------------------------------------------------------------------------- no string from data becomes SQL
def test_preflight_rejects_a_quoted_name_and_a_link_outside_the_root_without_reading_them(tiny, scratch):
    landing = _copy_landing(tiny, scratch / "landing", with_marker=True)
    partition = next((landing / "crm" / "members").glob("dt=*"))
    original = next(partition.glob("part-*.parquet"))
    quoted = partition / "part-20241101-o'brien.parquet"
    shutil.copyfile(original, quoted)
    outside = scratch / "secret" / "payroll.parquet"
    outside.parent.mkdir()
    pq.write_table(pq.read_table(original), outside)
    outside_before = _digest(outside)
    link = partition / "part-20241101-link.parquet"
    link.symlink_to(outside)
    linked_dir = landing / "crm" / "members" / "dt=2020-01-01"
    linked_dir.symlink_to(outside.parent, target_is_directory=True)

    report = landing_check.run(landing, REPO)
    unsafe = {f.file_path: f for f in report.findings if f.check_name == "unsafe_file_path"}
    assert set(unsafe) == {
        quoted.relative_to(landing).as_posix(),
        link.relative_to(landing).as_posix(),
        "crm/members/dt=2020-01-01",
    }, unsafe
    assert all(f.action == "rejected" and f.file_md5 == "" for f in unsafe.values())  # never opened
    assert "symbolic link" in unsafe[link.relative_to(landing).as_posix()].detail
    assert "o'brien" in unsafe[quoted.relative_to(landing).as_posix()].detail
    assert not quoted.exists() and not link.is_symlink() and not linked_dir.is_symlink()
    assert _digest(outside) == outside_before and outside.exists()  # the target was not moved or changed
    assert landing_check.file_path_problem(landing, original) is None
    rejected = pq.read_table(landing / "_rejected" / "manifest.parquet").to_pylist()
    assert {r["file_path"] for r in rejected if r["check_name"] == "unsafe_file_path"} == set(unsafe)


@pytest.mark.parametrize(
    "name",
    ["part-20250101.parquet", "part-20250101-redelivered.csv", "part-20250101_2.parquet"],
)
def test_documented_names_are_safe(scratch, name):
    path = scratch / "pos" / "transactions" / "dt=2025-01-01" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    assert landing_check.file_path_problem(scratch, path) is None


@pytest.mark.parametrize(
    "name",
    [
        "part-20250101'.parquet",
        "part-20250101 x.parquet",
        "part-2025*.parquet",
        "part-20250101-[a].csv",
        "data.parquet",
        "part-20250101.parquet.csv.parquet",
    ],
)
def test_other_names_are_refused_with_a_reason(scratch, name):
    path = scratch / "pos" / "transactions" / "dt=2025-01-01" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    problem = landing_check.file_path_problem(scratch, path)
    assert problem and "part-<YYYYMMDD>" in problem


def test_incremental_run_refuses_a_file_name_outside_the_contract(tiny, scratch):
    """A name the preflight would reject never reaches SQL, even when the preflight was skipped."""
    landing = _copy_landing(tiny, scratch / "landing", with_marker=True)
    db = scratch / "warehouse.duckdb"
    env = dbt_env(scratch, landing, db)
    no_tests = ("--exclude", "resource_type:test", "resource_type:unit_test")
    built = _dbt(env, "build", "--select", "+base_crm__points_ledger", *no_tests)
    assert built.returncode == 0, built.stdout[-3000:]
    partition = next((landing / "crm" / "points_ledger").glob("dt=*"))
    original = next(partition.glob("part-*.parquet"))
    shutil.copyfile(original, partition / "part-20991231-x'); select 1; --.parquet")
    daily = _dbt(env, "run", "--select", "base_crm__points_ledger")
    assert daily.returncode != 0
    assert "does not have the documented name" in daily.stdout, daily.stdout[-3000:]
    assert "landing_check" in daily.stdout


# ----------------------------------------------------------------------- BI marts carry no quasi-identifier
def _key_env_for(db: Path) -> dict:
    """The environment whose OMNI_HASH_KEY built ``db`` (the demo key or this session's key)."""
    from omniwh.duckdb_plugin import key_fingerprint

    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute("select max(fingerprint) from warehouse_meta.hash_key_fingerprint").fetchone()[0]
    finally:
        con.close()
    env = dict(os.environ)
    if stored == key_fingerprint(DEMO_HASH_KEY.encode()):
        env.pop("OMNI_HASH_KEY", None)
    return env


def test_a_member_unique_column_in_a_mart_fails_the_scan(warehouse, scratch):  # noqa: F811
    copy = scratch / "warehouse.duckdb"
    shutil.copyfile(warehouse, copy)
    if Path(f"{warehouse}.wal").exists():
        shutil.copyfile(f"{warehouse}.wal", f"{copy}.wal")
    env = {
        **_key_env_for(copy),
        "OMNI_DUCKDB_PATH": str(copy),
        "DBT_TARGET_PATH": str(scratch / "target"),
        "DBT_LOG_PATH": str(scratch / "logs"),
        "OMNI_DUCKDB_TEMP_DIR": str(scratch / "tmp"),
    }
    test = ("test", "--select", "assert_privacy_no_member_unique_columns_in_marts")
    clean = _dbt(env, *test)
    assert clean.returncode == 0, clean.stdout[-3000:]
    con = duckdb.connect(str(copy))
    try:
        # the masked phone this issue took out of dim_members, put back
        con.execute("alter table marts.dim_members add column masked_phone varchar")
        con.execute(
            """
            update marts.dim_members set masked_phone = substr(golden.phone, 1, 3) || '****'
                || substr(golden.phone, 8, 4)
            from intermediate.int_members_golden as golden
            where golden.member_id = dim_members.member_id
            """
        )
    finally:
        con.close()
    leaked = _dbt(env, *test)
    assert leaked.returncode != 0
    assert "assert_privacy_no_member_unique_columns_in_marts" in leaked.stdout
    assert "Got 1 result" in leaked.stdout, leaked.stdout[-3000:]


# ------------------------------------------------------------------------------------------ open warehouse
def test_a_held_warehouse_is_named_in_one_line(scratch):
    db = scratch / "warehouse.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); "
            "time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        done = subprocess.run(
            [sys.executable, "-m", "omniwh.warehouse_lock", str(db)], capture_output=True, text=True, cwd=REPO
        )
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"process {holder.pid}" in lines[0] and "one writer" in lines[0], lines[0]
    free = subprocess.run([sys.executable, "-m", "omniwh.warehouse_lock", str(db)], cwd=REPO)
    assert free.returncode == 0


def test_a_file_dbt_does_not_read_keeps_its_own_finding(scratch, tiny):
    """Only files the glob lists (and links) get the name check: a stray file stays 'unexpected_file'."""
    landing = scratch / "landing"
    partition = landing / "crm" / "members" / "dt=2025-01-01"
    partition.mkdir(parents=True)
    stray = partition / "notes o'brien.txt"
    stray.write_text("hello", encoding="utf-8")
    report = landing_check.run(landing, REPO, dry_run=True)
    assert [(f.check_name, f.action) for f in report.findings] == [("unexpected_file", "ignored")]
