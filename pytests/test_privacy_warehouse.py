"""Privacy by default, checked on a real build: tiny demo data, a temporary DuckDB file, a random hash key.

The fixture builds every seed and model once under a fresh random OMNI_HASH_KEY (k1), runs the dbt tests of
tests/privacy/, rebuilds dim_members alone under a second random key (k2), then plants a canary table of
clear identifiers in schema `marts` and runs the marts scan again (with --store-failures). Checks:

(a) the scan `assert_privacy_no_clear_identifiers_in_marts` passes on the marts as built, and on the canary
    reports exactly the planted leaks (a phone, a name, an openid inside a sentence, a buyer id, an
    external_userid, a phone stored as an integer and as a double, a formatted phone) and nothing else,
    not even an average whose fractional digits look like a mobile;
(b) neither key appears in any file dbt wrote (target/, logs/), in dbt's output, in the DuckDB file or its
    WAL, in the catalog (view and table SQL, macros, settings) nor in any text value of any table;
(c) the hash is keyed: dim_members.phone_hash is exactly HMAC-SHA256(key, phone) of the golden record's phone
    under each key, every hash changes with the key, and none is the unkeyed SHA-256 or MD5 of the phone;
    member ids do not depend on which key built dim_members (BI marts carry no masked phone);
and failing rows of a test over personal data are not stored even when --store-failures is asked for.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warehouse_helpers import dbt_env

from omniwh.duckdb_plugin import HASH_KEY_ENV, register_udfs

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
PROJECT = "omnichannel_member_warehouse"
SCAN_TEST = "assert_privacy_no_clear_identifiers_in_marts"


def _env(root: Path, landing: Path, db: Path, key: str) -> dict:
    return dbt_env(root, landing, db, key=key, DBT_USE_COLORS="false")


def _dbt(env: dict, *args: str, expect_success: bool = True) -> subprocess.CompletedProcess:
    cmd = [DBT, *args, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if expect_success and done.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")
    return done


def _connect(db: Path, key: str, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db), read_only=read_only)
    register_udfs(con, {HASH_KEY_ENV: key})
    return con


def _phone_hashes(db: Path, key: str) -> dict[str, tuple]:
    con = _connect(db, key)
    try:
        rows = con.execute(
            """
            select members.member_id, members.phone_hash, golden.phone
            from marts.dim_members as members
            left join intermediate.int_members_golden as golden
                on members.member_id = golden.member_id
            """
        ).fetchall()
    finally:
        con.close()
    return {member_id: (digest, phone) for member_id, digest, phone in rows}


def _plant_canary(db: Path, key: str) -> dict[str, str]:
    """A table in schema marts holding clear identifiers taken from the staging layer of this warehouse."""
    con = _connect(db, key, read_only=False)
    try:
        phone, name = con.execute(
            "select phone, member_name from staging.stg_crm__members "
            "where phone is not null and member_name is not null order by card_no limit 1"
        ).fetchone()
        openid = con.execute("select min(openid) from staging.stg_miniprogram__users").fetchone()[0]
        buyer_id = con.execute("select min(buyer_id) from staging.stg_ecommerce__orders").fetchone()[0]
        external_userid = con.execute(
            "select min(external_userid) from staging.stg_wecom__external_contacts"
        ).fetchone()[0]
        con.execute(
            """
            create table marts.privacy_canary as
            select
                cast(? as varchar) as leaked_phone,
                cast(? as varchar) as leaked_name,
                'bought by openid ' || cast(? as varchar) || ' yesterday' as leaked_in_text,
                cast(? as varchar) as leaked_buyer_id,
                cast(? as varchar) as leaked_external_userid,
                cast(? as bigint) as leaked_phone_number,
                cast(? as double) as leaked_phone_double,
                '+86 139 1234 5678' as leaked_formatted_phone,
                'nothing personal here' as harmless_text,
                42 as harmless_number,
                -- eleven fractional digits that look like a mobile: not one
                cast(215.13912345678 as double) as harmless_average
            """,
            [phone, name, openid, buyer_id, external_userid, int(phone), float(phone)],
        )
    finally:
        con.close()
    return {"phone": phone, "name": name}


def _run_compiled_scan(root: Path, db: Path, key: str) -> list[tuple]:
    sql = (root / "target" / "compiled" / PROJECT / "tests" / "privacy" / f"{SCAN_TEST}.sql").read_text()
    con = _connect(db, key)
    try:
        return con.execute(f"select relation_name, column_name, match_kind from ({sql})").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(tiny, tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy_warehouse")
    db = root / "warehouse.duckdb"
    keys = ["omni-privacy-k1-" + secrets.token_hex(16), "omni-privacy-k2-" + secrets.token_hex(16)]
    env1 = _env(root, tiny["landing"], db, keys[0])
    env2 = _env(root, tiny["landing"], db, keys[1])
    outputs = []

    # every seed and model, no data tests (their own suites check them)
    outputs.append(_dbt(env1, "build", "--exclude", "resource_type:test", "resource_type:unit_test"))
    privacy_tests = _dbt(env1, "test", "--select", "path:tests/privacy", expect_success=False)
    outputs.append(privacy_tests)
    hashes_k1 = _phone_hashes(db, keys[0])

    # The key changes on purpose here. The warehouse refuses a run under another key than the one it
    # recorded (hash_key_guard); the rotation procedure replaces that record, which this test does by hand.
    with duckdb.connect(str(db)) as connection:
        connection.execute("drop table warehouse_meta.hash_key_fingerprint")

    outputs.append(_dbt(env2, "run", "--select", "dim_members"))
    hashes_k2 = _phone_hashes(db, keys[1])

    canary = _plant_canary(db, keys[1])
    canary_run = _dbt(env2, "test", "--store-failures", "--select", SCAN_TEST, expect_success=False)
    outputs.append(canary_run)
    canary_rows = _run_compiled_scan(root, db, keys[1])

    return {
        "root": root,
        "db": db,
        "keys": keys,
        "outputs": outputs,
        "privacy_tests": privacy_tests,
        "hashes_k1": hashes_k1,
        "hashes_k2": hashes_k2,
        "canary": canary,
        "canary_run": canary_run,
        "canary_rows": canary_rows,
    }


# ---------------------------------------------------------------- (a) no clear identifiers in marts


def test_privacy_tests_pass_on_the_built_marts(warehouse):
    done = warehouse["privacy_tests"]
    assert done.returncode == 0, done.stdout[-6000:]
    assert re.search(rf"\bPASS {SCAN_TEST}\b", done.stdout), done.stdout[-6000:]


def test_scan_reports_exactly_the_planted_leaks(warehouse):
    assert warehouse["canary_run"].returncode != 0, "the scan must fail on a mart holding clear identifiers"
    got = {(column, kind) for relation, column, kind in warehouse["canary_rows"]}
    assert {relation for relation, _, _ in warehouse["canary_rows"]} == {"marts.privacy_canary"}
    assert got == {
        ("leaked_phone", "clear_identifier"),
        ("leaked_phone", "mobile_number"),
        ("leaked_name", "clear_identifier"),
        ("leaked_in_text", "clear_identifier"),
        ("leaked_buyer_id", "clear_identifier"),
        ("leaked_external_userid", "clear_identifier"),
        ("leaked_phone_number", "clear_identifier"),
        ("leaked_phone_number", "mobile_number"),
        ("leaked_phone_double", "clear_identifier"),
        ("leaked_phone_double", "mobile_number"),
        ("leaked_formatted_phone", "formatted_mobile_number"),
    }


def test_failures_of_a_pii_test_are_not_stored_even_with_the_flag(warehouse):
    """dbt creates the (empty) audit schema for --store-failures, but must write no table or view into it."""
    con = _connect(warehouse["db"], warehouse["keys"][1])
    try:
        stored = con.execute(
            """
            select schema_name, table_name from duckdb_tables()
            where schema_name like '%dbt_test__audit%' or table_name like $test
            union all
            select schema_name, view_name from duckdb_views()
            where schema_name like '%dbt_test__audit%' or view_name like $test
            """,
            {"test": f"%{SCAN_TEST}%"},
        ).fetchall()
    finally:
        con.close()
    assert stored == []


# ---------------------------------------------------------------- (b) the key is never written


def test_hash_key_in_no_file_dbt_wrote(warehouse):
    root = warehouse["root"]
    files = [p for folder in ("target", "logs") for p in (root / folder).rglob("*") if p.is_file()]
    assert any(p.name == "manifest.json" for p in files) and any(p.suffix == ".log" for p in files)
    assert any("compiled" in p.parts and p.name == "dim_members.sql" for p in files)
    files += [p for p in root.glob("warehouse.duckdb*") if p.is_file()]
    files += [p for p in (root / "duckdb_tmp").rglob("*") if p.is_file()]
    for key in warehouse["keys"]:
        for path in files:
            assert key.encode() not in path.read_bytes(), f"hash key leaked into {path}"
        for done in warehouse["outputs"]:
            assert key not in done.stdout + done.stderr


def test_hash_key_in_no_catalog_entry_or_value(warehouse):
    con = _connect(warehouse["db"], warehouse["keys"][1])
    try:
        catalog_text = "\n".join(
            str(row[0])
            for query in (
                "select sql from duckdb_views() where sql is not null",
                "select sql from duckdb_tables() where sql is not null",
                "select macro_definition from duckdb_functions() where macro_definition is not null",
                "select value from duckdb_settings() where value is not null",
            )
            for row in con.execute(query).fetchall()
        )
        assert "create view" in catalog_text.lower() and "create table" in catalog_text.lower()
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where not internal order by all"
        ).fetchall()
        found = []
        for schema, table in tables:
            text_columns = [
                name
                for name, dtype in con.execute(
                    "select column_name, data_type from duckdb_columns() "
                    "where schema_name = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
                if dtype == "VARCHAR"
            ]
            for key in warehouse["keys"]:
                if text_columns:
                    condition = " or ".join(f'instr("{c}", $key) > 0' for c in text_columns)
                    hits = con.execute(
                        f'select count(*) from "{schema}"."{table}" where {condition}', {"key": key}
                    ).fetchone()[0]
                    if hits:
                        found.append(f"{schema}.{table}")
    finally:
        con.close()
    assert len(tables) > 50
    for key in warehouse["keys"]:
        assert key not in catalog_text
    assert not found, f"hash key stored as a value in {found}"


# ---------------------------------------------------------------- (c) the hash is keyed


def test_phone_hash_is_the_hmac_of_the_golden_phone_under_each_key(warehouse):
    with_phone = 0
    for hashes, key in (
        (warehouse["hashes_k1"], warehouse["keys"][0]),
        (warehouse["hashes_k2"], warehouse["keys"][1]),
    ):
        for member_id, (digest, phone) in hashes.items():
            if phone is None:
                assert digest is None, member_id
                continue
            with_phone += 1
            assert digest == hmac.new(key.encode(), phone.encode(), hashlib.sha256).hexdigest(), member_id
    assert with_phone > 100


def test_changing_the_key_changes_every_phone_hash_and_nothing_else(warehouse):
    k1, k2 = warehouse["hashes_k1"], warehouse["hashes_k2"]
    assert set(k1) == set(k2), "dim_members rebuilt under another key must hold the same member ids"
    hashed = [m for m, (digest, _) in k1.items() if digest is not None]
    assert len(hashed) > 100
    assert all(k1[m][0] != k2[m][0] for m in hashed)


def test_phone_hash_is_not_an_unkeyed_digest(warehouse):
    for member_id, (digest, phone) in warehouse["hashes_k1"].items():
        if phone is None:
            continue
        assert digest != hashlib.sha256(phone.encode()).hexdigest(), member_id
        assert digest != hashlib.md5(phone.encode()).hexdigest(), member_id


def test_order_marts_publish_the_coupon_as_a_keyed_hash(warehouse, tiny):
    """fct_orders / fct_order_lines carry HMAC-SHA256(key, coupon code) of a code landed on an order, never
    the clear code: a single-use coupon is issued to one card, so its code is unique per member."""
    landing, key = Path(tiny["landing"]), warehouse["keys"][0]
    raw = duckdb.connect()
    try:
        codes = {
            code
            for (code,) in raw.execute(
                f"""
                select coupon_code from read_csv('{landing}/pos/transactions/*/*.csv', all_varchar = true,
                    union_by_name = true, header = true)
                union all
                select coupon_code
                from read_parquet('{landing}/ecommerce/orders/*/*.parquet', union_by_name = true)
                union all
                select coupon_code
                from read_parquet('{landing}/miniprogram/orders/*/*.parquet', union_by_name = true)
                """
            ).fetchall()
            if code
        }
    finally:
        raw.close()
    expected = {hmac.new(key.encode(), code.strip().encode(), hashlib.sha256).hexdigest() for code in codes}
    con = _connect(warehouse["db"], key)  # int_order_coupons_hashed was built under k1
    try:
        columns = {
            (table, column)
            for table, column in con.execute(
                "select table_name, column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name in ('fct_orders', 'fct_order_lines') and column_name like 'coupon%'"
            ).fetchall()
        }
        hashes = con.execute("select coupon_code_hash from marts.fct_orders").fetchall()
        published = {digest for (digest,) in hashes if digest}
        line_mismatches = con.execute(
            """
            select count(*) from marts.fct_order_lines as lines
            inner join marts.fct_orders as orders on lines.order_id = orders.order_id
            where lines.coupon_code_hash is distinct from orders.coupon_code_hash
            """
        ).fetchone()[0]
    finally:
        con.close()
    assert columns == {("fct_orders", "coupon_code_hash"), ("fct_order_lines", "coupon_code_hash")}
    assert len(published) > 10
    assert published <= expected, "a published coupon hash is not the keyed hash of a landed coupon code"
    assert line_mismatches == 0
