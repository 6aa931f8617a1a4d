"""The keyed-hash UDF (omniwh/duckdb_plugin.py) and the keyed_hash() macro that calls it.

The dbt test tests/macros/assert_keyed_hash_properties.sql checks what holds under any key; here we check
exact HMAC-SHA256 values under known keys, the demo-key fallback, and that the secret never reaches dbt's
output.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from omniwh import duckdb_plugin
from omniwh.duckdb_plugin import (
    DEMO_HASH_KEY,
    HASH_KEY_ENV,
    KEYED_HASH_FUNCTION,
    keyed_hash_hex,
    register_udfs,
    resolve_hash_key,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).parent / "dbt"

# RFC 4231, test case 2: HMAC-SHA-256 with key "Jefe".
RFC4231_KEY = "Jefe"
RFC4231_DATA = "what do ya want for nothing?"
RFC4231_DIGEST = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_keyed_hash_hex_matches_rfc4231_vector():
    assert keyed_hash_hex(RFC4231_DATA, RFC4231_KEY.encode()) == RFC4231_DIGEST
    assert keyed_hash_hex(None, b"any") is None


def test_resolve_hash_key_prefers_environment():
    assert resolve_hash_key({HASH_KEY_ENV: "s3cret"}) == (b"s3cret", False)


@pytest.mark.parametrize("environ", [{}, {HASH_KEY_ENV: ""}])
def test_resolve_hash_key_falls_back_to_labelled_demo_key(environ):
    key, is_demo = resolve_hash_key(environ)
    assert is_demo
    assert key == DEMO_HASH_KEY.encode()
    assert "DEMO" in DEMO_HASH_KEY


def test_demo_key_warning_is_logged_once(monkeypatch):
    warnings: list[str] = []
    monkeypatch.setattr(duckdb_plugin, "_demo_key_warned", False)
    monkeypatch.setattr(duckdb_plugin._logger, "warning", lambda msg, *a, **k: warnings.append(msg))
    resolve_hash_key({})
    resolve_hash_key({})
    assert len(warnings) == 1
    assert HASH_KEY_ENV in warnings[0]


def test_udf_computes_hmac_under_environment_key_vectorised():
    con = duckdb.connect()
    try:
        register_udfs(con, {HASH_KEY_ENV: RFC4231_KEY})
        assert con.execute(f"select {KEYED_HASH_FUNCTION}(?)", [RFC4231_DATA]).fetchone()[0] == RFC4231_DIGEST
        assert con.execute(f"select {KEYED_HASH_FUNCTION}(null)").fetchone()[0] is None
        # enough rows for several vectors, with NULLs, unicode and a cursor (dbt's threads use cursors)
        query = f"""
            select value, {KEYED_HASH_FUNCTION}(value)
            from (
                select case when i % 7 = 0 then null else '手机' || cast(i as varchar) end as value
                from range(5000) as numbers(i)
            )
        """
        rows = con.cursor().execute(query).fetchall()
    finally:
        con.close()
    assert len(rows) == 5000
    for value, digest in rows:
        expected = None if value is None else hmac.new(b"Jefe", value.encode(), hashlib.sha256).hexdigest()
        assert digest == expected


def _dbt(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DBT), *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600
    )


def test_keyed_hash_macro_end_to_end_and_secret_never_written(tmp_path):
    """dbt compiles keyed_hash() to the UDF call; the result is the HMAC under OMNI_HASH_KEY; the key
    itself appears in no file dbt writes (compiled SQL, manifest, partial-parse state, logs) nor in the
    DuckDB file."""
    sentinel = "omni-test-key-" + secrets.token_hex(16)
    target_path, log_path = tmp_path / "target", tmp_path / "logs"
    duckdb_path = tmp_path / "warehouse.duckdb"
    env = {
        **os.environ,
        HASH_KEY_ENV: sentinel,
        "OMNI_DUCKDB_PATH": str(duckdb_path),
        "OMNI_DUCKDB_TEMP_DIR": str(tmp_path / "duckdb_tmp"),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DO_NOT_TRACK": "1",
    }
    phone = "13812345678"
    result = _dbt(
        [
            "show",
            "--inline",
            f"select {{{{ keyed_hash(\"'{phone}'\") }}}} as digest",
            "--output",
            "json",
            "--log-format",
            "text",
            "--target-path",
            str(target_path),
            "--log-path",
            str(log_path),
        ],
        env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    start = result.stdout.index("{")
    shown = json.loads(result.stdout[start : result.stdout.rindex("}") + 1])
    expected = hmac.new(sentinel.encode(), phone.encode(), hashlib.sha256).hexdigest()
    assert shown["show"][0]["digest"] == expected

    assert sentinel not in result.stdout + result.stderr
    written = [p for root in (target_path, log_path) for p in root.rglob("*") if p.is_file()]
    written.append(duckdb_path)
    assert any(p.suffix == ".msgpack" or p.name == "manifest.json" for p in written)
    for path in written:
        assert sentinel.encode() not in path.read_bytes(), f"hash key leaked into {path}"
