"""`omniwh activate --date D --out DIR`: the day's activation lists, one per channel, for the sending systems.

Reads `marts.fct_member_activations` (one row per member, trigger and day, with the one channel the member
consented to and can be reached on) from the published serving snapshot when it exists (OMNI_SERVING_PATH,
default data/serving.duckdb), else from the warehouse (OMNI_DUCKDB_PATH), read-only. Writes, per channel
(WECOM, MINIPROGRAM, SMS), `activation_<D>_<channel>.csv` and `.parquet` with member id, trigger, masked
phone, keyed phone hash, guide and store (never a clear identifier), and `activation_<D>_manifest.json` with
the counts, the source and each file's SHA-256. Refuses a date other than the snapshot's as-of date: the
consent behind the lists was judged when that snapshot was built.

The masked phone is not in the BI snapshot (a mask is unique per member): the same publish writes it, for
the members on the activation list only, into the contacts snapshot (OMNI_CONTACTS_PATH, default
data/serving.contacts.duckdb, mode 0600), which no BI tool reads. Both files must carry the same run id, so
the masks come from the build that made the lists, and the export never opens the warehouse a build may be
writing. A listed member the contacts snapshot holds as excluded or not at all is withheld and counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

from omniwh.warehouse_lock import warehouse_busy_message

CHANNELS = ("WECOM", "MINIPROGRAM", "SMS")
# The one relation the masked phone is read from: in the contacts snapshot (or the warehouse), never in BI's.
CONTACTS_RELATION = "intermediate.int_member_contacts_resolved"
EXPORT_COLUMNS = (
    "activation_date", "member_id", "trigger_code", "trigger_anchor", "channel",
    "masked_phone", "phone_hash", "guide_staff_id", "store_id",
)
MASKED_PHONE = re.compile(r"^1\d{2}\*{4}\d{4}$")
KEYED_HASH = re.compile(r"^[0-9a-f]{64}$")


class ActivationError(RuntimeError):
    pass


def _serving_path() -> Path:
    try:  # the serving module (published snapshot) owns its path when present
        from omniwh.serving import serving_path  # type: ignore[import-not-found]

        return Path(serving_path())
    except ImportError:
        return Path(os.environ.get("OMNI_SERVING_PATH", "data/serving.duckdb"))


def _contacts_path() -> Path:
    try:
        from omniwh.serving import contacts_path  # type: ignore[import-not-found]

        return Path(contacts_path(_serving_path()))
    except ImportError:
        return Path(os.environ.get("OMNI_CONTACTS_PATH", "data/serving.contacts.duckdb"))


def _warehouse_path() -> Path:
    return Path(os.environ.get("OMNI_DUCKDB_PATH", "data/warehouse.duckdb"))


def _source() -> tuple[str, Path]:
    serving = _serving_path()
    if serving.exists():
        return "serving_snapshot", serving
    warehouse = _warehouse_path()
    if warehouse.exists():
        return "warehouse", warehouse
    raise ActivationError(f"neither a serving snapshot ({serving}) nor a warehouse ({warehouse}) exists")


def _snapshot_info(con: duckdb.DuckDBPyConnection, catalog: str) -> dict:
    """as_of_date (and run metadata when the snapshot has it) of the database attached as `catalog`."""
    has_meta = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = ? and table_schema = 'serving_meta' and table_name = 'snapshot_info'",
        [catalog],
    ).fetchone()[0]
    if has_meta:
        result = con.execute(f"select * from {catalog}.serving_meta.snapshot_info limit 1")
        row = result.fetchone()
        if row is not None:
            names = [column[0] for column in result.description]
            return {name: (value.isoformat() if hasattr(value, "isoformat") else value)
                    for name, value in zip(names, row, strict=True)}
    return {"as_of_date": _warehouse_as_of(con, catalog)}


def _check_privacy(rows: list[dict]) -> None:
    """No clear identifier may leave: masked phones and keyed hashes only, in their exact shapes."""
    for row in rows:
        if row["masked_phone"] is not None and not MASKED_PHONE.match(row["masked_phone"]):
            raise ActivationError(f"member {row['member_id']}: masked_phone is not a mask, not exported")
        if row["phone_hash"] is not None and not KEYED_HASH.match(row["phone_hash"]):
            raise ActivationError(f"member {row['member_id']}: phone_hash is not a keyed hash, not exported")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _attach(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    try:
        con.execute(f"attach {_sql_path(path)} as {alias} (read_only)")
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise ActivationError(warehouse_busy_message(str(path), exc)) from exc
        raise ActivationError(f"cannot open {path} read-only: {exc}") from exc


def _warehouse_as_of(con: duckdb.DuckDBPyConnection, alias: str) -> str | None:
    as_of = con.execute(f"select max(as_of_date) from {alias}.marts.fct_member_clv").fetchone()[0]
    return as_of.isoformat() if as_of else None


def _listed_rows(con: duckdb.DuckDBPyConnection, date: dt.date, contacts: str) -> tuple[int, list[dict]]:
    """(rows on the list, rows exported): the list joined to the contactable members' masked phones."""
    listed = con.execute(
        "select count(*) from source.marts.fct_member_activations where activation_date = ?", [date]
    ).fetchone()[0]
    columns = ", ".join(
        f"contacts.{name}" if name == "masked_phone" else f"activations.{name}" for name in EXPORT_COLUMNS
    )
    con.execute(
        f"create temp table export as select {columns}, activations.consent_checked_at "
        "from source.marts.fct_member_activations as activations "
        f"inner join {contacts}.{CONTACTS_RELATION} as contacts "
        "    on activations.member_id = contacts.member_id and contacts.exclusion_reason is null "
        "where activations.activation_date = ?",
        [date],
    )
    result = con.execute("select * from export order by channel, trigger_code, member_id")
    names = [column[0] for column in result.description]
    return listed, [dict(zip(names, values, strict=True)) for values in result.fetchall()]


def activate(date: dt.date, out: Path) -> dict:
    kind, path = _source()
    con = duckdb.connect()  # in memory: the source and the warehouse are attached read-only
    try:
        _attach(con, path, "source")
        info = _snapshot_info(con, "source")
        if info.get("as_of_date") != date.isoformat():
            raise ActivationError(
                f"the {kind} at {path} is as of {info.get('as_of_date')}, not {date.isoformat()}: build the "
                f"warehouse for that date first (consent is judged when the lists are built)"
            )
        contacts, contacts_file = "source", path  # the warehouse, when it is the source itself
        if kind != "warehouse":
            contacts_file = _contacts_path()
            if not contacts_file.exists():
                raise ActivationError(
                    f"the masked phones are read from the contacts snapshot ({contacts_file}), which does "
                    "not exist: publish the snapshot of the current build (make publish)"
                )
            _attach(con, contacts_file, "contacts")
            contacts = "contacts"
            contacts_run = _snapshot_info(con, "contacts").get("run_id")
            if contacts_run != info.get("run_id"):
                raise ActivationError(
                    f"the contacts snapshot at {contacts_file} is of run {contacts_run}, the BI snapshot of "
                    f"run {info.get('run_id')}: the masked phones must come from the build that made the "
                    "lists (publish again)"
                )
        listed, rows = _listed_rows(con, date, contacts)
        _check_privacy(rows)
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".activation-", dir=out))
        try:
            files = {}
            for channel in CHANNELS:
                query = (
                    f"select {', '.join(EXPORT_COLUMNS)} from export "
                    f"where channel = '{channel}' order by trigger_code, member_id"
                )
                for extension, options in (("csv", "format csv, header true"), ("parquet", "format parquet")):
                    name = f"activation_{date.isoformat()}_{channel.lower()}.{extension}"
                    con.execute(f"copy ({query}) to {_sql_path(staging / name)} ({options})")
                    files[name] = _sha256(staging / name)
            counts: dict[str, dict[str, int]] = {channel: {} for channel in CHANNELS}
            for row in rows:
                by_trigger = counts[row["channel"]]
                by_trigger[row["trigger_code"]] = by_trigger.get(row["trigger_code"], 0) + 1
            checked = {row["consent_checked_at"] for row in rows}
            manifest = {
                "activation_date": date.isoformat(),
                "source": kind,
                "source_path": str(path),
                "snapshot": info,
                "masked_phones_from": str(contacts_file),
                "consent_checked_at": sorted(value.isoformat() for value in checked)[0] if checked else None,
                "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "rows": len(rows),
                "rows_withheld": listed - len(rows),
                "members": len({row["member_id"] for row in rows}),
                "rows_by_channel": {channel: sum(counts[channel].values()) for channel in CHANNELS},
                "rows_by_channel_and_trigger": counts,
                "files": files,
            }
            manifest_name = f"activation_{date.isoformat()}_manifest.json"
            (staging / manifest_name).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
            # the manifest last: a reader that sees it sees complete lists
            for name in [*files, manifest_name]:
                os.replace(staging / name, out / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        con.close()
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="omniwh activate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="activation day (the as-of date)")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for the lists and the manifest")
    args = parser.parse_args(argv)
    try:
        date = dt.date.fromisoformat(args.date)
        manifest = activate(date, Path(args.out))
    except (ValueError, ActivationError) as exc:
        print(f"omniwh activate: error: {exc}", file=sys.stderr)
        return 2
    by_channel = ", ".join(f"{channel} {count}" for channel, count in manifest["rows_by_channel"].items())
    print(f"activation {manifest['activation_date']}: {manifest['rows']} actions for {manifest['members']} "
          f"members ({by_channel}) from the {manifest['source']} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
