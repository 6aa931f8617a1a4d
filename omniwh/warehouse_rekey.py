"""Rotate the hash key of a built warehouse, keeping every member id (the counterpart of `erasure rekey`).

    OMNI_HASH_KEY_OLD=<current key> OMNI_HASH_KEY=<new key> python -m omniwh.warehouse_rekey [--duckdb PATH]

What a warehouse keeps across builds under the key, and what this command does with it (in one transaction):

- ``warehouse_meta.hash_key_fingerprint``: the fingerprint of the key the warehouse was built with. It must be
  the OLD key's (else nothing is done); it becomes the new key's.
- ``intermediate.int_member_ids_registered`` (the member-id registry): each ``anchor_hash`` (keyed hash of an
  anchor identifier) is re-hashed under the new key; the member ids stay. The clear identifier is taken from
  ``intermediate.int_identifiers_resolved``, hashed under both keys in memory; an anchor no longer there
  (an erased person, purged data) has its row deleted: it cannot be re-keyed, and an erased person must not
  be findable.
- ``intermediate.int_member_ids_ledger``: ``via_identifier_hash`` re-hashed the same way (NULL when the
  identifier is gone).

Everything else is rebuilt from the landing files by the next ``dbt build --full-refresh`` under the new key
(the registry and the ledger are never rebuilt). The full procedure, in this order (docs/data_protection.md,
"Rotating the hash key"): ``omniwh erasure rekey`` (the erasure list), this command, ``dbt seed`` and
``dbt build --full-refresh``. Keys are read from environment variables only (``--old-key-env`` /
``--new-key-env`` name them) and never printed; nothing in clear is written: the pairs of hashes live in a
temporary table of this connection.

Exit status: 0 done (or nothing to do), 2 refused (wrong old key, same keys, warehouse busy or missing).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
from duckdb.sqltypes import VARCHAR

from .duckdb_plugin import _make_arrow_keyed_hash, key_fingerprint
from .erasure import NEW_KEY_ENV, OLD_KEY_ENV, ErasureError, key_from_env
from .warehouse_lock import warehouse_busy_message

REGISTRY = "intermediate.int_member_ids_registered"
LEDGER = "intermediate.int_member_ids_ledger"
RESOLVED = "intermediate.int_identifiers_resolved"
FINGERPRINT = "warehouse_meta.hash_key_fingerprint"


@dataclass
class WarehouseRekeyReport:
    registry_rekeyed: int = 0
    registry_dropped: int = 0
    ledger_rekeyed: int = 0
    ledger_cleared: int = 0


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def rekey_warehouse(duckdb_path: str, old_key: bytes, new_key: bytes) -> WarehouseRekeyReport:
    if old_key == new_key:
        raise ErasureError("the old and the new key are the same: nothing to re-key")
    if not Path(duckdb_path).exists():
        raise ErasureError(f"no warehouse at {duckdb_path}: pass --duckdb")
    try:
        con = duckdb.connect(duckdb_path)
    except duckdb.IOException as exc:
        raise ErasureError(warehouse_busy_message(duckdb_path, exc)) from exc
    report = WarehouseRekeyReport()
    try:
        if not _exists(con, FINGERPRINT):
            raise ErasureError(f"{duckdb_path} records no key fingerprint: build it with the old key first")
        stored = {r[0] for r in con.execute(f"select fingerprint from {FINGERPRINT}").fetchall()}
        if stored == {key_fingerprint(new_key)}:
            return report  # already rotated: running twice is harmless
        if stored != {key_fingerprint(old_key)}:
            raise ErasureError(
                f"the old key (OMNI_HASH_KEY_OLD) is not the key {duckdb_path} was built with: "
                "nothing changed"
            )
        for name, key in (("rekey_old_hash", old_key), ("rekey_new_hash", new_key)):
            con.create_function(name, _make_arrow_keyed_hash(key), [VARCHAR], VARCHAR, type="arrow")
        con.execute("begin transaction")
        if _exists(con, REGISTRY) and _exists(con, RESOLVED):
            con.execute(
                f"""
                create temp table anchor_pairs as
                select distinct
                    rekey_old_hash(identifier_type || ':' || identifier_value) as old_hash,
                    rekey_new_hash(identifier_type || ':' || identifier_value) as new_hash
                from {RESOLVED}
                """
            )
            report.registry_dropped = con.execute(
                f"delete from {REGISTRY} where anchor_hash not in (select old_hash from anchor_pairs)"
            ).fetchone()[0]
            report.registry_rekeyed = con.execute(
                f"""
                update {REGISTRY} set anchor_hash = anchor_pairs.new_hash
                from anchor_pairs where {REGISTRY}.anchor_hash = anchor_pairs.old_hash
                """
            ).fetchone()[0]
        if _exists(con, LEDGER) and _exists(con, RESOLVED):
            con.execute(
                f"""
                create temp table value_pairs as
                select distinct
                    rekey_old_hash(identifier_value) as old_hash,
                    rekey_new_hash(identifier_value) as new_hash
                from {RESOLVED}
                """
            )
            report.ledger_cleared = con.execute(
                f"""
                update {LEDGER} set via_identifier_hash = null
                where via_identifier_hash is not null
                    and via_identifier_hash not in (select old_hash from value_pairs)
                """
            ).fetchone()[0]
            report.ledger_rekeyed = con.execute(
                f"""
                update {LEDGER} set via_identifier_hash = value_pairs.new_hash
                from value_pairs where {LEDGER}.via_identifier_hash = value_pairs.old_hash
                """
            ).fetchone()[0]
        con.execute(f"delete from {FINGERPRINT}")
        con.execute(
            f"insert into {FINGERPRINT} values (?, 'secret', cast(now() as timestamp))",
            [key_fingerprint(new_key)],
        )
        con.execute("commit")
    except Exception:
        try:
            con.execute("rollback")
        except duckdb.Error:
            pass
        raise
    finally:
        con.close()
    return report


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="python -m omniwh.warehouse_rekey", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--duckdb",
        default=env.get("OMNI_DUCKDB_PATH", "data/warehouse.duckdb"),
        help="warehouse file (default $OMNI_DUCKDB_PATH or data/warehouse.duckdb)",
    )
    for option, default in (("--old-key-env", OLD_KEY_ENV), ("--new-key-env", NEW_KEY_ENV)):
        parser.add_argument(option, default=default, help=f"NAME of the variable holding the key ({default})")
    args = parser.parse_args(argv)
    try:
        old_key = key_from_env(env, args.old_key_env, "--old-key-env")
        new_key = key_from_env(env, args.new_key_env, "--new-key-env")
        report = rekey_warehouse(args.duckdb, old_key, new_key)
    except ErasureError as exc:
        print(f"omniwh.warehouse_rekey: error: {exc}", file=sys.stderr)
        return 2
    print(
        f"warehouse_rekey: member-id registry: {report.registry_rekeyed} anchors re-keyed, "
        f"{report.registry_dropped} no longer present dropped; ledger: {report.ledger_rekeyed} re-keyed, "
        f"{report.ledger_cleared} cleared; fingerprint now the new key's. Next: `dbt seed` and "
        "`dbt build --full-refresh` with the new key."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
