"""Serving snapshot: the read-only DuckDB file that BI, the dashboard, the semantic layer and activation read.

    python -m omniwh.serving publish [--warehouse PATH] [--serving PATH] [--run-id ID] [--manifest PATH]
    python -m omniwh.serving info [--serving PATH]

Why a second file: DuckDB allows one writer per file and refuses a writer while any other process holds the
file open, even read-only. A BI connection on the warehouse would fail the next `dbt build`, and a build
would lock BI out for its whole duration. So the build writes only `data/warehouse.duckdb`, and after a
green build (models, data tests, GX suites) `publish` copies what BI reads into a NEW file and renames it over
the snapshot (`OMNI_SERVING_PATH`, default `data/serving.duckdb`):

- schema ``marts``: every table and view of the warehouse's ``marts`` schema, as tables of the same name;
- schema ``intermediate``: the few intermediate tables BI needs (``SERVED_INTERMEDIATE``: the quarantine and
  reference-check lists), without their columns marked ``meta: {pii: true}`` in the dbt YAML (read from the
  build's ``manifest.json``: personal data stays in the warehouse);
- ``serving_meta.snapshot_info``: one row, run_id, as_of_date, built_at (UTC), git_commit.

Beside it, the same publish writes the **contacts snapshot** (`OMNI_CONTACTS_PATH`, default
`data/serving.contacts.duckdb` beside the snapshot, file mode 0600): the masked phone of each member on the
day's activation list (``intermediate.int_member_contacts_resolved``, restricted to those members and to
member_id, masked_phone and exclusion_reason) and the same ``serving_meta.snapshot_info`` row. A mask is
unique per member, so it never enters the BI snapshot; `omniwh activate` is its one reader and checks that
both files carry the same run id.
It is written and renamed the same way, before the BI snapshot.

The new file is written with ``STORAGE_VERSION`` ``v1.0.0`` (``SERVING_STORAGE_VERSION``), which every
DuckDB client from 1.0 on reads (the ODBC/JDBC drivers BI tools ship, older Python/R/Node packages); the
warehouse itself is in the storage format of DuckDB 2.0, which 1.x clients refuse. It is flushed
(fsync), then ``os.replace``-d over the old snapshot: a reader sees either the old file or the new one, never
a half-written one, and a reader that holds the old file open keeps reading it until it reconnects (on POSIX
the old inode lives on). A publish that fails at any point removes its temporary file and leaves the previous
snapshot byte-identical; a build that fails never reaches the publish step (Makefile, Dagster job).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SERVING_PATH = "data/serving.duckdb"
DEFAULT_WAREHOUSE_PATH = "data/warehouse.duckdb"
MARTS_SCHEMA = "marts"
# The contacts snapshot: the activation list's masked phones, for `omniwh activate` only (never BI).
CONTACTS_RELATION = ("intermediate", "int_member_contacts_resolved")
CONTACTS_COLUMNS = ("member_id", "masked_phone", "exclusion_reason")
ACTIVATIONS_RELATION = (MARTS_SCHEMA, "fct_member_activations")
# Readable by every DuckDB client from 1.0 on (storage format 64). Raise it only when every consumer's client
# is newer: the value names the OLDEST DuckDB version that must read the snapshot.
SERVING_STORAGE_VERSION = "v1.0.0"
META_SCHEMA = "serving_meta"
# Intermediate tables BI reads besides the marts: why rows and files did not make it into the marts.
SERVED_INTERMEDIATE = ("int_rows_quarantined", "int_files_quarantined", "int_references_checked")


class PublishError(RuntimeError):
    """The snapshot could not be published; the previous snapshot is untouched."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    run_id: str
    as_of_date: dt.date | None
    built_at: dt.datetime
    git_commit: str
    tables: tuple[str, ...]


def _repo_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else REPO / path


def serving_path() -> Path:
    """The serving snapshot: $OMNI_SERVING_PATH, default data/serving.duckdb (relative to the repository)."""
    return _repo_path(os.environ.get("OMNI_SERVING_PATH", DEFAULT_SERVING_PATH))


def warehouse_path() -> Path:
    """The warehouse dbt builds: $OMNI_DUCKDB_PATH, default data/warehouse.duckdb (relative to the repo)."""
    return _repo_path(os.environ.get("OMNI_DUCKDB_PATH", DEFAULT_WAREHOUSE_PATH))


def contacts_path(serving: Path | None = None) -> Path:
    """The contacts snapshot (activation masks): $OMNI_CONTACTS_PATH, else beside the serving snapshot
    (data/serving.contacts.duckdb for the default data/serving.duckdb)."""
    configured = os.environ.get("OMNI_CONTACTS_PATH")
    if configured:
        return _repo_path(configured)
    serving = serving or serving_path()
    return serving.with_name(f"{serving.stem}.contacts{serving.suffix}")


def default_manifest_path() -> Path:
    """dbt's manifest of the last build: $DBT_TARGET_PATH/manifest.json, default target/manifest.json."""
    return _repo_path(os.environ.get("DBT_TARGET_PATH", "target")) / "manifest.json"


def git_commit(repo: Path = REPO) -> str:
    """HEAD of the repository, with '-dirty' when tracked files differ from it; 'unknown' outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def personal_columns(manifest: Path) -> dict[str, set[str]]:
    """Per model name, the columns its YAML marks as personal data (`meta: {pii: true}` or tag `pii`)."""
    if not manifest.is_file():
        raise PublishError(
            f"dbt manifest {manifest} not found: publish runs after a dbt build (it reads which columns are "
            "personal data from the manifest); pass --manifest or set DBT_TARGET_PATH"
        )
    nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
    out: dict[str, set[str]] = {}
    for node in nodes.values():
        if node.get("resource_type") != "model":
            continue
        pii = {
            name.lower()
            for name, column in (node.get("columns") or {}).items()
            if (column.get("meta") or {}).get("pii") or "pii" in (column.get("tags") or [])
        }
        out[node["name"]] = pii
    return out


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _relations(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = ? and table_schema = ? order by table_name",
        [catalog, schema],
    ).fetchall()
    return [row[0] for row in rows]


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()
    return [row[0] for row in rows]


def _as_of_date(con: duckdb.DuckDBPyConnection, catalog: str) -> dt.date | None:
    """The business date the warehouse reports as of (int_metric_months_spined); None if it has none."""
    try:
        row = con.execute(
            f"select max(as_of_date) from {_quote(catalog)}.intermediate.int_metric_months_spined"
        ).fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _write_meta(con: duckdb.DuckDBPyConnection, alias: str, row: list) -> None:
    con.execute(
        f"create table {alias}.{META_SCHEMA}.snapshot_info ("
        " run_id varchar not null, as_of_date date, built_at timestamp not null,"
        " git_commit varchar not null)"
    )
    con.execute(f"insert into {alias}.{META_SCHEMA}.snapshot_info values (?, ?, ?, ?)", row)


def _replace(tmp: Path, target: Path) -> None:
    _fsync(tmp)
    os.replace(tmp, target)
    _fsync(target.parent)


def _temporary(path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    _remove(tmp)
    return tmp


def _write_contacts(con: duckdb.DuckDBPyConnection, catalog: str, tmp: Path, meta: list) -> bool:
    """The contacts snapshot into `tmp` (mode 0600); False when the warehouse has no activation list."""
    schema, name = CONTACTS_RELATION
    if name not in _relations(con, catalog, schema) or (
        ACTIVATIONS_RELATION[1] not in _relations(con, catalog, ACTIVATIONS_RELATION[0])
    ):
        return False
    previous = os.umask(0o077)  # DuckDB creates the file: private to the owner from its first byte
    try:
        con.execute(
            f"attach '{tmp}' as contacts (storage_version '{SERVING_STORAGE_VERSION}', read_only false)"
        )
    finally:
        os.umask(previous)
    for target in (schema, META_SCHEMA):
        con.execute(f"create schema contacts.{target}")
    columns = ", ".join(f"contacts_resolved.{_quote(column)}" for column in CONTACTS_COLUMNS)
    con.execute(
        f"create table contacts.{schema}.{name} as select {columns}"
        f" from {_quote(catalog)}.{schema}.{name} as contacts_resolved"
        f" where contacts_resolved.member_id in (select listed.member_id"
        f"  from {_quote(catalog)}.{ACTIVATIONS_RELATION[0]}.{ACTIVATIONS_RELATION[1]} as listed)"
    )
    _write_meta(con, "contacts", meta)
    con.execute("detach contacts")
    os.chmod(tmp, 0o600)
    return True


def publish(
    warehouse: Path | None = None,
    serving: Path | None = None,
    *,
    run_id: str | None = None,
    manifest: Path | None = None,
    built_at: dt.datetime | None = None,
    commit: str | None = None,
    contacts: Path | None = None,
) -> Snapshot:
    """Copy the marts (and SERVED_INTERMEDIATE) of `warehouse` into a new snapshot renamed over `serving`.

    Call it only after a green build. On any error the temporary file is removed, PublishError is raised and
    the previous snapshot stays as it was.
    """
    warehouse = warehouse or warehouse_path()
    serving = serving or serving_path()
    contacts = contacts or contacts_path(serving)
    manifest = manifest or default_manifest_path()
    run_id = run_id or os.environ.get("OMNI_RUN_ID") or uuid.uuid4().hex
    built_at = built_at or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    commit = commit or git_commit()
    if not warehouse.is_file():
        raise PublishError(f"warehouse {warehouse} does not exist: build it first (make build)")
    pii = personal_columns(manifest)

    serving.parent.mkdir(parents=True, exist_ok=True)
    contacts.parent.mkdir(parents=True, exist_ok=True)
    tmp, contacts_tmp = _temporary(serving), _temporary(contacts)
    # The warehouse is opened read-only as the main database, so its catalog keeps its own name and the
    # views of `marts` (fct_orders, fct_order_lines over intermediate tables) resolve as dbt created them.
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise PublishError(f"cannot open the warehouse {warehouse} read-only: {exc}") from exc
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
        marts = _relations(con, catalog, MARTS_SCHEMA)
        if not marts:
            raise PublishError(f"the warehouse {warehouse} has no relation in schema {MARTS_SCHEMA}")
        served = [(MARTS_SCHEMA, name, None) for name in marts]
        available = set(_relations(con, catalog, "intermediate"))
        for name in SERVED_INTERMEDIATE:
            if name not in available:
                raise PublishError(f"the warehouse has no intermediate.{name}, which the snapshot serves")
            served.append(("intermediate", name, pii.get(name, set())))
        as_of = _as_of_date(con, catalog)

        con.execute(
            f"attach '{tmp}' as snapshot (storage_version '{SERVING_STORAGE_VERSION}', read_only false)"
        )
        for schema in (MARTS_SCHEMA, "intermediate", META_SCHEMA):
            con.execute(f"create schema snapshot.{schema}")
        for schema, name, excluded in served:
            columns = _columns(con, catalog, schema, name)
            keep = [c for c in columns if not excluded or c.lower() not in excluded]
            select = ", ".join(_quote(c) for c in keep)
            con.execute(
                f"create table snapshot.{schema}.{_quote(name)} as"
                f" select {select} from {_quote(catalog)}.{schema}.{_quote(name)}"
            )
        meta = [run_id, as_of, built_at, commit]
        _write_meta(con, "snapshot", meta)
        con.execute("detach snapshot")
        has_contacts = _write_contacts(con, catalog, contacts_tmp, meta)
        con.close()
        if has_contacts:
            _replace(contacts_tmp, contacts)
        _replace(tmp, serving)
    except BaseException as exc:
        con.close()
        _remove(tmp)
        _remove(contacts_tmp)
        if isinstance(exc, duckdb.Error):
            raise PublishError(f"publishing the snapshot failed: {exc}") from exc
        raise
    return Snapshot(serving, run_id, as_of, built_at, commit, tuple(f"{s}.{n}" for s, n, _ in served))


def snapshot_info(serving: Path | None = None) -> dict:
    """The metadata row of the published snapshot (opened read-only, as every reader should)."""
    serving = serving or serving_path()
    con = duckdb.connect(str(serving), read_only=True)
    try:
        cursor = con.execute(f"select * from {META_SCHEMA}.snapshot_info")
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m omniwh.serving", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    pub = sub.add_parser("publish", help="copy the marts of the built warehouse into the serving snapshot")
    pub.add_argument("--warehouse", type=Path, help="default $OMNI_DUCKDB_PATH or data/warehouse.duckdb")
    pub.add_argument("--serving", type=Path, help="default $OMNI_SERVING_PATH or data/serving.duckdb")
    pub.add_argument("--run-id", help="id of the build (default $OMNI_RUN_ID or a new uuid)")
    pub.add_argument("--manifest", type=Path, help="dbt manifest.json of the build (default target/)")
    info = sub.add_parser("info", help="print the snapshot's metadata row")
    info.add_argument("--serving", type=Path, help="default $OMNI_SERVING_PATH or data/serving.duckdb")
    args = parser.parse_args(argv)
    try:
        if args.command == "publish":
            snap = publish(args.warehouse, args.serving, run_id=args.run_id, manifest=args.manifest)
            print(
                f"published {snap.path}: {len(snap.tables)} tables, run {snap.run_id}, as of "
                f"{snap.as_of_date}, built {snap.built_at:%Y-%m-%d %H:%M:%S} UTC, commit {snap.git_commit}"
            )
        else:
            for key, value in snapshot_info(args.serving).items():
                print(f"{key}: {value}")
    except (PublishError, duckdb.Error) as exc:
        print(f"omniwh.serving: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
