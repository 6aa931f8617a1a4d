"""Great Expectations suites (omniwh.quality): they pass on a good warehouse and fail, naming the failing
expectation and the offending rows, on a deliberately corrupted copy.

Warehouse: OMNI_DUCKDB_PATH (default data/warehouse.duckdb) when it exists — `make test` builds it just before
pytest — else a tiny one (six months, seed 42) generated and built here: landing preflight, `dbt seed`,
`dbt run` (a few minutes on a busy machine). The corrupted copy lives in a temporary folder; the original is
only read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warehouse_helpers import dbt_env

from omniwh.duckdb_plugin import register_udfs
from omniwh.generator import generate
from omniwh.quality import run as quality_run
from omniwh.quality.spec import SpecError, load_all, load_file

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
EXPECTATIONS = REPO / "expectations"
ORPHAN_MEMBER_ID = "M" + "0" * 20
TINY_UNTIL = "2025-04-30"

# (suite, text in the failing expectation's label) that each corruption below must produce
EXPECTED_FAILURES = {
    ("marts.dim_members", "expect_column_values_to_match_regex(column=phone_hash)"),
    ("marts.dim_members.phone_hash", "expect_column_values_to_be_unique(column=phone_hash)"),
    ("marts.fct_orders.references", "where reference='member_id -> marts.dim_members.member_id'"),
    (
        "marts.fct_orders.shares",
        "expect_column_mean_to_be_between(column=is_member_order, where channel='POS')",
    ),
}
CORRUPTED_SUITES = ["marts.dim_members*", "marts.fct_orders*"]


def _configured_warehouse() -> Path:
    value = Path(os.environ.get("OMNI_DUCKDB_PATH", "data/warehouse.duckdb"))
    return value if value.is_absolute() else REPO / value


def _dbt(env: dict, *args: str) -> None:
    cmd = [DBT, *args, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    configured = _configured_warehouse()
    if configured.exists():
        return configured
    # Own landing copy: the preflight writes _rejected/ into it, which the shared `tiny` folder must not get.
    root = tmp_path_factory.mktemp("quality_warehouse")
    landing = root / "landing"
    generate("tiny", 42, str(landing), str(root / "truth"), until=TINY_UNTIL, quiet=True)
    env = dbt_env(root, landing, root / "warehouse.duckdb")
    landing_check = [sys.executable, "-m", "omniwh.landing_check", "--landing", str(landing), "--quiet"]
    subprocess.run(landing_check, env=env, cwd=REPO, check=True, capture_output=True)
    _dbt(env, "seed")
    _dbt(env, "run")
    return root / "warehouse.duckdb"


def _materialise_view(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    schema, name = relation.split(".")
    kind = con.execute(
        "select table_type from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()[0]
    if kind == "VIEW":
        con.execute(f"create table {schema}.{name}__edited as select * from {relation}")
        con.execute(f"drop view {relation}")
        con.execute(f"alter table {schema}.{name}__edited rename to {name}")


@pytest.fixture(scope="module")
def corrupted(warehouse, tmp_path_factory) -> tuple[Path, dict]:
    """A copy of the warehouse with four defects; returns the copy and the ids the defects touched."""
    copy = tmp_path_factory.mktemp("quality_corrupted") / "warehouse.duckdb"
    shutil.copyfile(warehouse, copy)
    if Path(f"{warehouse}.wal").exists():
        shutil.copyfile(f"{warehouse}.wal", f"{copy}.wal")
    con = duckdb.connect(str(copy))
    register_udfs(con)
    try:
        # marts that are views (fct_orders over its incremental table) become editable tables in the copy
        for relation in ("marts.dim_members", "marts.fct_orders"):
            _materialise_view(con, relation)
        phone_members = [
            row[0]
            for row in con.execute(
                "select member_id from marts.dim_members where phone_hash is not null "
                "order by member_id limit 3"
            ).fetchall()
        ]
        assert len(phone_members) == 3, "the warehouse needs members with phones"
        leaked, hash_from, hash_to = phone_members
        # 1. a clear phone number leaks into the pseudonym column (regex)
        con.execute("update marts.dim_members set phone_hash = '13812345678' where member_id = ?", [leaked])
        # 2. two members share one phone hash (uniqueness, on a column other than the chunk key)
        con.execute(
            "update marts.dim_members set phone_hash = (select phone_hash from marts.dim_members "
            "where member_id = ?) where member_id = ?",
            [hash_from, hash_to],
        )
        # 3. an online order points at a member that does not exist (referential integrity)
        orphan_order = con.execute(
            "select min(order_id) from marts.fct_orders where channel <> 'POS' and member_id is not null"
        ).fetchone()[0]
        con.execute(
            "update marts.fct_orders set member_id = ? where order_id = ?", [ORPHAN_MEMBER_ID, orphan_order]
        )
        # 4. identity resolution "fails" at the tills: no POS ticket has a member any more (distribution)
        con.execute(
            "update marts.fct_orders set member_id = null, resolved_via_identifier_type = null "
            "where channel = 'POS'"
        )
    finally:
        con.close()
    return copy, {"leaked": leaked, "duplicate_hash_members": {hash_from, hash_to}}


def _failures(summary: dict) -> dict[tuple[str, str], dict]:
    return {
        (suite["suite"], expectation["expectation"]): expectation
        for suite in summary["suites"]
        for expectation in suite["expectations"]
        if not expectation["success"]
    }


def _find(failures: dict, suite: str, label_part: str) -> dict | None:
    for (failed_suite, label), expectation in failures.items():
        if failed_suite == suite and label_part in label:
            return expectation
    return None


def test_every_suite_file_loads_and_builds_into_gx():
    from omniwh.quality.expectations import build_suite

    suites = load_all(EXPECTATIONS)
    names = {s.name for s in suites}
    for required in ("marts.fct_orders", "marts.dim_members", "marts.dim_stores", "marts.fct_order_lines"):
        assert required in names
    assert any(name.startswith("staging.stg_") for name in names)
    for suite in suites:
        gx_suite = build_suite(suite)
        assert gx_suite.expectations, suite.name


def test_every_public_mart_and_staging_view_has_a_suite():
    """A new mart or stg_ view needs its YAML file in expectations/ (a few lines: expectations/README.md)."""
    covered = {s.relation for s in load_all(EXPECTATIONS) if s.relation}
    models = {f"marts.{p.stem}" for p in (REPO / "models" / "marts").rglob("*.sql")}
    models |= {f"staging.{p.stem}" for p in (REPO / "models" / "staging").rglob("stg_*.sql")}
    missing = sorted(models - covered)
    assert not missing, f"models without a data-quality suite in expectations/: {missing}"


def test_spec_rejects_unknown_shorthand_and_chunk_unsafe_uniqueness(tmp_path):
    bad_shorthand = tmp_path / "bad_shorthand.yml"
    bad_shorthand.write_text("relation: marts.t\nkey: [id]\nsuites:\n  - columns:\n      id: [unqiue]\n")
    with pytest.raises(SpecError, match="unknown expectation 'unqiue'"):
        load_file(bad_shorthand)
    # uniqueness of a column other than the chunk key would miss duplicates that fall in different chunks
    unsafe = tmp_path / "unsafe.yml"
    unsafe.write_text("relation: marts.t\nkey: [id]\nsuites:\n  - columns:\n      other: [unique]\n")
    with pytest.raises(SpecError, match="does not include the key"):
        load_file(unsafe)


def test_runner_refuses_to_replace_a_folder_it_did_not_write(tmp_path, warehouse):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    assert quality_run.main(["--duckdb", str(warehouse), "--out", str(precious)]) == 2
    assert (precious / "notes.txt").read_text() == "keep me"


def test_runner_passes_on_the_built_warehouse(warehouse, tmp_path, capsys):
    out = tmp_path / "gx_out"
    code = quality_run.main(["--duckdb", str(warehouse), "--out", str(out)])
    printed = capsys.readouterr().out
    summary = json.loads((out / "checkpoint_result.json").read_text(encoding="utf-8"))
    assert code == 0, f"quality run failed on the good warehouse:\n{printed}"
    assert summary["success"] is True
    assert summary["statistics"]["suites"] == len(load_all(EXPECTATIONS))  # no suite skipped
    assert summary["statistics"]["failed_expectations"] == 0
    for suite in summary["suites"]:
        for expectation in suite["expectations"]:
            assert "observed_value" in expectation, (suite["suite"], expectation["expectation"])
    docs = out / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert docs.exists() and "marts.fct_orders" in docs.read_text(encoding="utf-8")
    assert "analytics_enabled: false" in (out / "gx" / "great_expectations.yml").read_text(encoding="utf-8")
    assert "marts.fct_orders.shares" in printed and "0 failed" in printed


@pytest.mark.parametrize("chunked", [False, True], ids=["whole", "chunked"])
def test_runner_fails_on_a_corrupted_copy_and_names_the_expectation(corrupted, tmp_path, capsys, chunked):
    """Chunked: members in about three chunks (orders in more), so the duplicated phone hash, the orphan and
    the leaked phone must be found across chunk boundaries, and the share suite reads a one-chunk sample."""
    copy, touched = corrupted
    out = tmp_path / "gx_out"
    chunk_rows = quality_run.DEFAULT_CHUNK_ROWS
    if chunked:
        with duckdb.connect(str(copy), read_only=True) as con:
            chunk_rows = con.execute("select count(*) // 3 + 1 from marts.dim_members").fetchone()[0]
    args = ["--duckdb", str(copy), "--out", str(out), "--chunk-rows", str(chunk_rows)]
    for pattern in CORRUPTED_SUITES:
        args += ["--suite", pattern]
    code = quality_run.main(args)
    printed = capsys.readouterr().out
    summary = json.loads((out / "checkpoint_result.json").read_text(encoding="utf-8"))
    assert code == 1
    assert summary["success"] is False
    failures = _failures(summary)
    for suite, label_part in EXPECTED_FAILURES:
        found = _find(failures, suite, label_part)
        assert found is not None, f"{suite}: {label_part} did not fail; failures: {sorted(failures)}"
        assert f"{suite}: " in printed and label_part in printed
    # failing rows are named, except in suites that read personal data: those get counts only
    # (pytests/test_quality_privacy.py checks that the leaked phone is written nowhere)
    regex = _find(failures, "marts.dim_members", "column=phone_hash")
    assert regex["unexpected_count"] == 1 and regex["unexpected_rows"] == []
    duplicate = _find(failures, "marts.dim_members.phone_hash", "column=phone_hash")
    assert duplicate["unexpected_count"] == 2
    orphan = _find(failures, "marts.fct_orders.references", "member_id -> marts.dim_members")
    assert [row["value"] for row in orphan["unexpected_rows"]] == [ORPHAN_MEMBER_ID]
    share = _find(failures, "marts.fct_orders.shares", "where channel='POS'")
    assert share["observed_value"] == 0.0
    if chunked:
        assert next(s for s in summary["suites"] if s["suite"] == "marts.dim_members")["chunks"] > 1
        sampled = next(s for s in summary["suites"] if s["suite"] == "marts.fct_orders.shares")
        assert sampled["rows_validated"].endswith("hash sample")
    # untouched checks still pass: the failures are specific
    passed = {suite["suite"] for suite in summary["suites"] if suite["success"]}
    assert {"marts.dim_members.references", "marts.fct_orders.monthly"} <= passed


def test_cli_exits_non_zero_on_the_corrupted_copy(corrupted, tmp_path):
    copy, _ = corrupted
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "omniwh.quality.run",
            "--duckdb",
            str(copy),
            "--out",
            str(tmp_path / "out"),
            "--suite",
            "marts.dim_members",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "marts.dim_members: expect_column_values_to_match_regex(column=phone_hash)" in done.stdout
