"""dbt-duckdb plugin that registers the warehouse's Python scalar functions on every DuckDB connection.

Enabled in ``profiles.yml``::

    plugins:
      - module: omniwh.duckdb_plugin

Functions registered:

``omni_keyed_hash(varchar) -> varchar``
    Lower-case hex HMAC-SHA256 of the UTF-8 text under the secret key in the environment variable
    ``OMNI_HASH_KEY``; NULL in, NULL out. The dbt macro ``keyed_hash()`` compiles to a call of this function,
    so the key lives only in this process's memory: it never appears in compiled SQL, in ``target/``, in
    dbt's logs or in the DuckDB file. When ``OMNI_HASH_KEY`` is unset (or empty) a published demo key is used
    and a warning is logged once per process; hashes made with the demo key protect nothing.

Other Python code that reads warehouse views built on ``keyed_hash()`` (benchmarks, data-quality runners,
notebooks) must register the same function on its own connection::

    import duckdb
    from omniwh.duckdb_plugin import register_udfs

    con = duckdb.connect("data/warehouse.duckdb", read_only=True)
    register_udfs(con)
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.events.logging import AdapterLogger
from duckdb.sqltypes import BOOLEAN, VARCHAR

HASH_KEY_ENV = "OMNI_HASH_KEY"
# Deliberately public and labelled: it only exists so that `make build` works out of the box on demo data.
DEMO_HASH_KEY = "omniwh-PUBLIC-DEMO-KEY-do-not-use-with-real-data"
KEYED_HASH_FUNCTION = "omni_keyed_hash"

_logger = AdapterLogger("omniwh")
_demo_key_warned = False


def resolve_hash_key(environ: Mapping[str, str] | None = None) -> tuple[bytes, bool]:
    """Return ``(key bytes, is_demo_key)`` from ``OMNI_HASH_KEY``, falling back to the demo key."""
    global _demo_key_warned
    env = os.environ if environ is None else environ
    secret = env.get(HASH_KEY_ENV, "")
    if secret:
        # the demo key set explicitly is still the demo key: it protects nothing
        return secret.encode("utf-8"), secret == DEMO_HASH_KEY
    if not _demo_key_warned:
        _demo_key_warned = True
        _logger.warning(
            f"{HASH_KEY_ENV} is not set: {KEYED_HASH_FUNCTION}() / keyed_hash() use the PUBLIC DEMO KEY. "
            "Hashes are then reversible by anyone with a phone list; set a secret key for real data."
        )
    return DEMO_HASH_KEY.encode("utf-8"), True


def keyed_hash_hex(value: str | None, key: bytes) -> str | None:
    """Hex HMAC-SHA256 of ``value`` (UTF-8) under ``key``; ``None`` stays ``None``."""
    if value is None:
        return None
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _make_arrow_keyed_hash(key: bytes):
    # The keyed inner/outer SHA-256 states are computed once and copied per value, which is several times
    # faster than building a new HMAC object for each row.
    prepared = hmac.new(key, digestmod=hashlib.sha256)

    def omni_keyed_hash(values: pa.Array | pa.ChunkedArray) -> pa.Array:
        out: list[str | None] = []
        for value in values.to_pylist():
            if value is None:
                out.append(None)
                continue
            mac = prepared.copy()
            mac.update(value.encode("utf-8"))
            out.append(mac.hexdigest())
        return pa.array(out, type=pa.string())

    return omni_keyed_hash


def register_udfs(conn: duckdb.DuckDBPyConnection, environ: Mapping[str, str] | None = None) -> None:
    """Register the warehouse's scalar functions on ``conn`` (call once per connection)."""
    key, is_demo = resolve_hash_key(environ)
    conn.create_function(
        KEYED_HASH_FUNCTION,
        _make_arrow_keyed_hash(key),
        [VARCHAR],
        VARCHAR,
        type="arrow",
        side_effects=False,
    )
    conn.create_function(
        KEY_PROBLEM_FUNCTION,
        lambda landing, stored: hash_key_problem(key, is_demo, landing, stored),
        [VARCHAR, VARCHAR],
        VARCHAR,
        null_handling="special",
        side_effects=True,
    )
    conn.create_function(
        KEY_FINGERPRINT_FUNCTION,
        lambda: key_fingerprint(key),
        [],
        VARCHAR,
        side_effects=False,
    )
    conn.create_function(KEY_KIND_FUNCTION, lambda: "demo" if is_demo else "secret", [], VARCHAR)
    conn.create_function(
        ERASURE_LANDED_FUNCTION,
        lambda landing, kind, digest: erasure_hash_landed(key, landing, kind, digest),
        [VARCHAR, VARCHAR, VARCHAR],
        BOOLEAN,
        side_effects=False,
    )


# Test erasure_requests_match_someone (tests/privacy/): does a listed hash match any landed identifier?
ERASURE_LANDED_FUNCTION = "omni_erasure_hash_landed"


def erasure_hash_landed(key: bytes, landing: str, identifier_type: str, identifier_hash: str) -> bool:
    """True when ``identifier_hash`` is the erasure hash (under ``key``) of an identifier of that type in
    some landing file, ``_rejected/`` included. Reads the landing files once per process."""
    from .erasure import landed_erasure_digests, project_dir_guess

    landed = landed_erasure_digests(Path(landing), project_dir_guess(), key)
    return (identifier_type, identifier_hash) in landed


# ------------------------------------------------------------------------------------------- key guard
# The on-run-start hook hash_key_guard() (macros/hashing/hash_key_guard.sql) calls these before any node.
KEY_PROBLEM_FUNCTION = "omni_hash_key_problem"
KEY_FINGERPRINT_FUNCTION = "omni_hash_key_fingerprint"
KEY_KIND_FUNCTION = "omni_hash_key_kind"
_FINGERPRINT_SALT = b"omniwh/hash-key-fingerprint/v1"
_FINGERPRINT_ROUNDS = 200_000
_fingerprints: dict[bytes, str] = {}
REKEY_DOC = 'docs/data_protection.md, "Rotating the hash key"'


def key_fingerprint(key: bytes) -> str:
    """One-way, slow digest of the key (PBKDF2-HMAC-SHA256, fixed salt): tells keys apart, gives none back.

    Stored in the warehouse (warehouse_meta.hash_key_fingerprint). The slow derivation makes guessing a weak
    key from it no cheaper than from the keyed hashes the marts already carry.
    """
    if key not in _fingerprints:
        _fingerprints[key] = hashlib.pbkdf2_hmac("sha256", key, _FINGERPRINT_SALT, _FINGERPRINT_ROUNDS).hex()
    return _fingerprints[key]


def hash_key_problem(key: bytes, is_demo: bool, landing: str | None, stored: str | None) -> str | None:
    """Why a run must not start with this key (one line), or None when it may."""
    from .generator.ownership import is_generated, landing_files

    if is_demo and landing:
        root = Path(landing)
        if root.is_dir() and landing_files(root) and not is_generated(root):
            return (
                f"{HASH_KEY_ENV} is not set (or is the public demo key) and the landing folder {landing} "
                "holds files the demo generator did not write: real data needs a secret key, or its "
                f"pseudonyms can be reversed by anyone. Set {HASH_KEY_ENV} to a secret (see "
                'docs/data_protection.md, "Setting the hash key") and run again; nothing was built.'
            )
    if stored and stored != key_fingerprint(key):
        return (
            f"{HASH_KEY_ENV} is not the key this warehouse was built with (its fingerprint differs): every "
            "member id and pseudonym would change and erased people would come back. Set the previous key "
            f"again, or rotate the key with the re-key procedure ({REKEY_DOC}); nothing was built."
        )
    return None


class Plugin(BasePlugin):
    """dbt-duckdb hook. Cursors share their connection's catalog: one registration covers every dbt thread."""

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        register_udfs(conn)
        # Tools that keep dbt's connection open until the interpreter exits (the sqlfluff dbt templater) would
        # otherwise make DuckDB's bindings print reference-leak warnings for the Python UDF at shutdown.
        atexit.register(_close_quietly, conn)


def _close_quietly(conn: duckdb.DuckDBPyConnection) -> None:
    try:
        conn.close()
    except Exception:  # already closed or never fully opened: nothing left to release
        pass
