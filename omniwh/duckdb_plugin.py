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

import duckdb
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.events.logging import AdapterLogger
from duckdb.sqltypes import VARCHAR

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
        return secret.encode("utf-8"), False
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
    key, _ = resolve_hash_key(environ)
    conn.create_function(
        KEYED_HASH_FUNCTION,
        _make_arrow_keyed_hash(key),
        [VARCHAR],
        VARCHAR,
        type="arrow",
        side_effects=False,
    )


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
