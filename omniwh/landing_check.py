"""Landing preflight: check every landing file against the contract before dbt reads the landing area.

    python -m omniwh.landing_check --landing data/landing [--project-dir .] [--dry-run] [--fail-on-reject]

dbt reads each landing table through one glob (``<landing>/<system>/<table>/*/*.<csv|parquet>``, see the
sources in ``models/staging/<system>/_<system>__sources.yml``). One unreadable file in that glob fails
every model built on the table, and some damage does not fail at all: DuckDB sniffs each CSV on its own, so a
file with a broken quote or an extra field is read with the wrong dialect and yields shifted or NULL columns
without an error. Row-level problems are staging's job (``_quarantine_reason``); this preflight handles what
makes a whole FILE untrustworthy:

==========================  ========  ===============================================================
check                       action    meaning
==========================  ========  ===============================================================
``bad_partition_path``      rejected  the partition folder is not ``dt=YYYY-MM-DD`` with a real date
                                      (DuckDB would refuse the whole glob: hive partitions must agree)
``empty_file``              rejected  0 bytes (DuckDB: "too small to be a Parquet file"; a CSV without header)
``undecodable_text``        rejected  a CSV that is not UTF-8 (typically a GBK/GB18030 export)
``malformed_csv``           rejected  a quote never closed, a row with more or fewer fields than the header,
                                      an empty header name
``duplicate_columns``       rejected  a column name twice in one file (CSV header or Parquet schema): which of
                                      the two a reader keeps is undefined, so neither can be believed
``unreadable_parquet``      rejected  a Parquet file whose footer or data pages cannot be decoded
``missing_columns``         rejected  a contract column is absent (read with union_by_name it would be NULL
                                      for every row of the file: a missing ``coupon_code`` would silently
                                      mean "no coupon", a missing ``card_no`` "anonymous")
``column_type_mismatch``    rejected  a Parquet column of another type than the contract (text in a numeric
                                      column, a zoned timestamp where naive UTC is agreed): union_by_name
                                      would widen the column of every file and break the base model
``unexpected_columns``      accepted  columns the contract does not know (schema drift): the file is used,
                                      the extra columns are ignored by staging, the drift is recorded
``unexpected_file``         ignored   a file in a table folder that the glob does not read (wrong extension
                                      or depth): left in place and recorded, since its rows would be lost
``unknown_table``           ignored   a file under a system folder for a table the contract does not have
``outside_layout``          ignored   a file outside ``<system>/<table>/``: at the landing root, directly in a
                                      system folder, or under a folder no contract system has. Left in place
                                      and listed, never silently skipped (names starting with ``.`` or ``_``
                                      at the landing root are the tooling's own: markers, ``_rejected``)
==========================  ========  ===============================================================

Only files not checked before are read: every file that passed (accepted, or ignored and left in place)
is recorded with its size and modification time in the checked-files index
``<landing>/_rejected/checked.parquet`` (file, size, mtime in ns, MD5, checked_at UTC); a later run skips a
file whose path, size and mtime are those of the index, and checks afresh a file that is new, or whose size
or mtime changed (a re-sent file under the same name: its findings go to the manifest under its new MD5). A
file rewritten with the same size AND the same mtime is not noticed; ``--recheck-all`` reads and re-hashes
every file (and rebuilds the index). Rejected files are never indexed (they leave the glob), so a fixed file
put back under its original path is checked afresh.

Rejected files are MOVED out of the glob to ``<landing>/_rejected/<system>/<table>/<partition>/<file>`` (a
``.<md5 prefix>`` suffix is added when a different file of that name was rejected before). Every finding is
appended to the manifest ``<landing>/_rejected/manifest.parquet`` (file, check, action, detail, row count
when known, size, MD5, detected_at UTC), which dbt exposes as ``stg_landing__file_checks`` and
``int_files_quarantined``. Re-running is idempotent: a finding already in the manifest (same file path, MD5
and check) is not appended again, and rejected files are no longer in the glob. To re-land a fixed file, put
it back under its original path; the next run checks it afresh.

Exit status: 0 when the check ran (rejections included, so the build goes on without the rejected files);
1 with ``--fail-on-reject`` when at least one file was rejected in this run; 2 on a usage or contract error
(the landing folder does not exist); 3 when the landing folder, or a table of the contract, holds no file dbt
could read after the check (an empty landing is a failed transfer, not "0 files, OK"; dbt would stop on the
table's empty glob with a message about a file pattern instead). Every message names the table, the file or
folder, and the setting to check (``--landing`` / ``$OMNI_LANDING_PATH``).
"""

from __future__ import annotations

import argparse
import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from omniwh import progress

REJECTED_DIR = "_rejected"
LANDING_ENV = "OMNI_LANDING_PATH"
EXIT_EMPTY = 3
MANIFEST_NAME = "manifest.parquet"
INDEX_NAME = "checked.parquet"
PARTITION = re.compile(r"dt=(\d{4}-\d{2}-\d{2})")
# columns dbt-duckdb adds to every landed row (filename=true, hive_partitioning=true), not in the files
READER_COLUMNS = frozenset({"filename", "dt"})

MANIFEST_SCHEMA = pa.schema(
    [
        ("check_id", pa.string()),
        ("file_path", pa.string()),
        ("rejected_path", pa.string()),
        ("source_system", pa.string()),
        ("source_table", pa.string()),
        ("check_name", pa.string()),
        ("action", pa.string()),
        ("detail", pa.string()),
        ("row_count", pa.int64()),
        ("file_bytes", pa.int64()),
        ("file_md5", pa.string()),
        ("detected_at", pa.timestamp("us")),
    ]
)

# files that passed the check (left in place), so that a daily run reads only new or changed files
INDEX_SCHEMA = pa.schema(
    [
        ("file_path", pa.string()),
        ("file_bytes", pa.int64()),
        ("file_mtime_ns", pa.int64()),
        ("file_md5", pa.string()),
        ("checked_at", pa.timestamp("us")),
    ]
)

# contract data_type (sources YAML) -> family; a Parquet column must be of the same family
CONTRACT_FAMILIES = {
    "varchar": "text",
    "text": "text",
    "string": "text",
    "bigint": "int",
    "integer": "int",
    "int": "int",
    "double": "float",
    "float": "float",
    "boolean": "bool",
    "date": "date",
    "timestamp": "timestamp",
}


@dataclass(frozen=True)
class TableContract:
    system: str
    table: str
    file_format: str  # "csv" or "parquet"
    columns: dict[str, str]  # column -> family, in contract order


@dataclass
class Finding:
    file_path: str  # relative to the landing root, where the file was found
    system: str | None
    table: str | None
    check_name: str
    action: str  # rejected / accepted / ignored
    detail: str
    row_count: int | None
    file_bytes: int
    file_md5: str
    rejected_path: str | None = None


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    # files left unread because the checked-files index holds them with the same size and mtime
    files_skipped: int = 0
    new_manifest_rows: int = 0
    # "<system>.<table>: <folder>" of every contract table left without a file dbt reads
    empty_tables: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[Finding]:
        return [f for f in self.findings if f.action == "rejected"]


class ContractError(ValueError):
    """The contract (the sources YAML) could not be read, or the landing folder does not exist."""


class EmptyLandingError(ValueError):
    """The landing folder, or a table of the contract, holds no file dbt can read."""


def load_contract(project_dir: Path) -> dict[tuple[str, str], TableContract]:
    """Every landing table with its format and columns, from models/staging/*/_*__sources.yml."""
    contracts: dict[tuple[str, str], TableContract] = {}
    for path in sorted(project_dir.glob("models/staging/*/_*__sources.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources", []):
            default_location = _external_location(source)
            for table in source.get("tables", []):
                location = _external_location(table) or default_location or ""
                # only sources read from <landing>/<system>/<table>/*/*.<ext> are landing tables
                if "/{name}/*/*." not in location and f"/{table['name']}/*/*." not in location:
                    continue
                columns: dict[str, str] = {}
                for column in table.get("columns", []):
                    name = column["name"]
                    if name in READER_COLUMNS:
                        continue
                    data_type = str(column.get("data_type", "")).lower()
                    if data_type not in CONTRACT_FAMILIES:
                        raise ContractError(
                            f"{path}: {source['name']}.{table['name']}.{name}: "
                            f"data_type {data_type!r} is not one the landing check knows"
                        )
                    columns[name] = CONTRACT_FAMILIES[data_type]
                file_format = "csv" if "read_csv" in location else "parquet"
                contracts[(source["name"], table["name"])] = TableContract(
                    source["name"], table["name"], file_format, columns
                )
    if not contracts:
        raise ContractError(f"no landing source found under {project_dir}/models/staging")
    return contracts


def _external_location(node: dict) -> str | None:
    for holder in (node.get("config", {}).get("meta", {}), node.get("meta", {})):
        if holder and holder.get("external_location"):
            return str(holder["external_location"])
    return None


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _arrow_family(data_type: pa.DataType) -> str:
    if pa.types.is_dictionary(data_type):
        return _arrow_family(data_type.value_type)
    if pa.types.is_null(data_type):
        return "null"
    if (
        pa.types.is_string(data_type)
        or pa.types.is_large_string(data_type)
        or (hasattr(pa.types, "is_string_view") and pa.types.is_string_view(data_type))
    ):
        return "text"
    if pa.types.is_integer(data_type):
        return "int"
    if pa.types.is_floating(data_type) or pa.types.is_decimal(data_type):
        return "float"
    if pa.types.is_boolean(data_type):
        return "bool"
    if pa.types.is_date(data_type):
        return "date"
    if pa.types.is_timestamp(data_type):
        return "timestamp" if data_type.tz is None else "timestamp with time zone"
    return str(data_type)


def _compatible(expected: str, actual: str) -> bool:
    # an all-NULL column carries no type; integers widen losslessly into a float column
    return actual == expected or actual == "null" or (expected == "float" and actual == "int")


def _column_findings(contract: TableContract, names: list[str]) -> list[tuple[str, str, str]]:
    """(check, action, detail) for columns missing from or unknown to the contract."""
    out = []
    missing = [c for c in contract.columns if c not in names]
    extra = [c for c in names if c not in contract.columns and c not in READER_COLUMNS]
    if missing:
        out.append(("missing_columns", "rejected", "missing contract columns: " + ", ".join(missing)))
    if extra:
        out.append(
            (
                "unexpected_columns",
                "accepted",
                "columns not in the contract (ignored by staging): " + ", ".join(extra),
            )
        )
    return out


def _repeated(names: list[str]) -> str:
    seen: set[str] = set()
    repeated = [name for name in names if name in seen or seen.add(name)]
    return ", ".join(sorted(set(repeated)))


def check_csv(path: Path, contract: TableContract) -> tuple[list[tuple[str, str, str]], int | None]:
    data = path.read_bytes()
    try:
        text = codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError as exc:
        return [
            (
                "undecodable_text",
                "rejected",
                f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} "
                "(a GBK/GB18030 export? re-export as UTF-8)",
            )
        ], None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = 0
    try:
        header = next(reader, None)
        if not header or all(not name.strip() for name in header):
            return [("malformed_csv", "rejected", "no header row")], None
        if any(not name.strip() for name in header):
            return [("malformed_csv", "rejected", "empty column name in the header")], None
        repeated = _repeated(header)
        if repeated:
            detail = "column names repeated in the header: " + repeated
            return [("duplicate_columns", "rejected", detail)], None
        for record in reader:
            if not record:  # a blank line: DuckDB skips it too
                continue
            if len(record) != len(header):
                return [
                    (
                        "malformed_csv",
                        "rejected",
                        f"line {reader.line_num}: {len(record)} fields, the header has {len(header)} "
                        "(an unquoted comma or a broken quote)",
                    )
                ], None
            rows += 1
    except csv.Error as exc:
        return [("malformed_csv", "rejected", f"line {reader.line_num}: {exc}")], None
    return _column_findings(contract, header), rows


def check_parquet(path: Path, contract: TableContract) -> tuple[list[tuple[str, str, str]], int | None]:
    try:
        parquet_file = pq.ParquetFile(path)
        schema = parquet_file.schema_arrow
        row_count = parquet_file.metadata.num_rows
    except Exception as exc:  # pyarrow raises several types for a damaged footer
        return [("unreadable_parquet", "rejected", f"footer unreadable: {str(exc)[:200]}")], None
    repeated = _repeated(schema.names)
    if repeated:
        # schema.field(name) is ambiguous for a repeated name: decide before looking at types
        detail = "column names repeated in the schema: " + repeated
        return [("duplicate_columns", "rejected", detail)], row_count
    findings = _column_findings(contract, schema.names)
    mismatched = []
    for name, expected in contract.columns.items():
        if name in schema.names:
            actual = _arrow_family(schema.field(name).type)
            if not _compatible(expected, actual):
                mismatched.append(f"{name} is {actual}, contract {expected}")
    if mismatched:
        findings.insert(0, ("column_type_mismatch", "rejected", "; ".join(mismatched)))
    if any(action == "rejected" for _, action, _ in findings):
        return findings, row_count
    try:
        # decode every page: a damaged data page passes the footer check but fails dbt at read time
        parquet_file.read(use_threads=False)
    except Exception as exc:
        return [("unreadable_parquet", "rejected", f"data unreadable: {str(exc)[:200]}")], row_count
    return findings, row_count


def _move_out_of_glob(landing: Path, path: Path, md5: str) -> str:
    relative = path.relative_to(landing)
    target = landing / REJECTED_DIR / relative
    if target.exists() and _md5(target) != md5:
        target = target.with_name(f"{target.stem}.{md5[:8]}{target.suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), str(target))
    return target.relative_to(landing).as_posix()


def _read_manifest(path: Path) -> pa.Table:
    if path.exists():
        return pq.read_table(path).cast(MANIFEST_SCHEMA)
    return MANIFEST_SCHEMA.empty_table()


def _check_id(finding: Finding) -> str:
    return hashlib.md5(f"{finding.file_path}|{finding.file_md5}|{finding.check_name}".encode()).hexdigest()


def run(
    landing: Path,
    project_dir: Path,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    recheck_all: bool = False,
) -> Report:
    """Check every file under ``landing`` not checked before (all with ``recheck_all``); move rejected ones,
    append findings to the manifest and record the files that passed in the checked-files index."""
    contracts = load_contract(project_dir)
    systems = {system for system, _ in contracts}
    detected_at = (now or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0)
    report = Report()
    if not landing.is_dir():
        raise ContractError(
            f"landing folder {landing} does not exist: check --landing or ${LANDING_ENV} "
            f"(now {os.environ.get(LANDING_ENV, 'unset')!r})"
        )

    index_path = landing / REJECTED_DIR / INDEX_NAME
    index = {} if recheck_all else _read_index(index_path)
    checked: list[Path] = []

    def already_checked(path: Path) -> bool:
        """In the index with this size and mtime (a symbolic link never is: it is always looked at)."""
        known = index.get(path.relative_to(landing).as_posix())
        if known is None or path.is_symlink():
            return False
        stat = path.lstat()
        return known == (stat.st_size, stat.st_mtime_ns)

    for system_dir in sorted(p for p in landing.iterdir() if p.is_dir() and p.name in systems):
        for table_dir in sorted(p for p in system_dir.iterdir() if p.is_dir()):
            contract = contracts.get((system_dir.name, table_dir.name))
            # a symbolic link is listed too (even to a folder, which rglob does not enter): it is rejected
            for path in sorted(p for p in table_dir.rglob("*") if p.is_file() or p.is_symlink()):
                if not os.path.lexists(path):
                    continue  # moved away with the symbolic link above it (recorded as unsafe_file_path)
                if already_checked(path):
                    report.files_skipped += 1
                    continue
                report.files_checked += 1
                checked.append(path)
                if path.is_symlink() or _in_glob(table_dir, path, contract):
                    unsafe = unsafe_path_finding(landing, path, system_dir.name, table_dir.name, dry_run)
                    if unsafe is not None:  # checked first: nothing outside the landing root is opened
                        report.findings.append(unsafe)
                        continue
                report.findings.extend(
                    _check_file(landing, table_dir, path, contract, system_dir.name, dry_run)
                )
    for path in _outside_layout(landing, systems):
        if already_checked(path):
            report.files_skipped += 1
            continue
        report.files_checked += 1
        checked.append(path)
        report.findings.append(_outside_layout_finding(landing, path))
    report.empty_tables = _empty_tables(landing, contracts, report)

    manifest_path = landing / REJECTED_DIR / MANIFEST_NAME
    manifest = _read_manifest(manifest_path)
    seen = set(manifest.column("check_id").to_pylist())
    new_rows = []
    for finding in report.findings:
        check_id = _check_id(finding)
        if check_id in seen:
            continue
        seen.add(check_id)
        new_rows.append(
            {
                "check_id": check_id,
                "file_path": finding.file_path,
                "rejected_path": finding.rejected_path,
                "source_system": finding.system,
                "source_table": finding.table,
                "check_name": finding.check_name,
                "action": finding.action,
                "detail": finding.detail,
                "row_count": finding.row_count,
                "file_bytes": finding.file_bytes,
                "file_md5": finding.file_md5,
                "detected_at": detected_at,
            }
        )
    report.new_manifest_rows = len(new_rows)
    # the manifest is written even when empty, so dbt always finds one once the check has run
    if not dry_run and (new_rows or not manifest_path.exists()):
        combined = pa.concat_tables([manifest, pa.Table.from_pylist(new_rows, schema=MANIFEST_SCHEMA)])
        manifest_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = manifest_path.with_suffix(".parquet.tmp")
        pq.write_table(combined, tmp)
        os.replace(tmp, manifest_path)
    if not dry_run:
        _write_index(index_path, index, landing, checked, report, detected_at)
    return report


def _read_index(path: Path) -> dict[str, tuple[int, int]]:
    """file_path -> (size, mtime_ns) of every file that passed an earlier check."""
    if not path.exists():
        return {}
    table = pq.read_table(path, columns=["file_path", "file_bytes", "file_mtime_ns"])
    return {
        row["file_path"]: (row["file_bytes"], row["file_mtime_ns"]) for row in table.to_pylist()
    }


def _write_index(
    path: Path,
    index: dict[str, tuple[int, int]],
    landing: Path,
    checked: list[Path],
    report: Report,
    checked_at: dt.datetime,
) -> None:
    """Add the files checked in this run that are still in place; drop entries of files gone since."""
    md5_of = {f.file_path: f.file_md5 for f in report.findings}
    previous = (
        {row["file_path"]: row for row in pq.read_table(path).to_pylist()} if path.exists() else {}
    )
    rows = {
        file_path: previous[file_path]
        for file_path in index
        if file_path in previous and os.path.lexists(landing / file_path)
    }
    for file in checked:
        if file.is_symlink() or not file.is_file():
            continue  # rejected and moved away (a link is never indexed)
        relative = file.relative_to(landing).as_posix()
        stat = file.lstat()
        rows[relative] = {
            "file_path": relative,
            "file_bytes": stat.st_size,
            "file_mtime_ns": stat.st_mtime_ns,
            "file_md5": md5_of.get(relative) or _md5(file),
            "checked_at": checked_at,
        }
    if not checked and len(rows) == len(previous):
        return  # nothing new, nothing gone: the index stays as it is
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(pa.Table.from_pylist(sorted(rows.values(), key=lambda r: r["file_path"]),
                                        schema=INDEX_SCHEMA), tmp)
    os.replace(tmp, path)


def _outside_layout(landing: Path, systems: set[str]) -> list[Path]:
    """Files dbt never reads because they are not under <system>/<table>/ of a contract system."""
    found = []
    for entry in sorted(landing.iterdir()):
        # the tooling's own entries: completion markers, _rejected/
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file():
            found.append(entry)
        elif entry.name not in systems:
            found.extend(sorted(p for p in entry.rglob("*") if p.is_file()))
        else:
            found.extend(sorted(p for p in entry.iterdir() if p.is_file()))
    return found


def _outside_layout_finding(landing: Path, path: Path) -> Finding:
    relative = path.relative_to(landing).as_posix()
    return Finding(
        relative,
        relative.split("/")[0] if "/" in relative else None,
        None,
        "outside_layout",
        "ignored",
        "not under <system>/<table>/dt=YYYY-MM-DD/ of a contract table (docs/landing_contract.md): dbt does "
        "not read this file; move it into its table's folder or out of the landing area",
        None,
        path.stat().st_size,
        _md5(path),
    )


def _empty_tables(
    landing: Path, contracts: dict[tuple[str, str], TableContract], report: Report
) -> list[str]:
    """Contract tables whose dbt glob matches no file once the rejected files are out (dry run: would be)."""
    rejected = {f.file_path for f in report.rejected}
    empty = []
    for (system, table), contract in sorted(contracts.items()):
        pattern = f"{system}/{table}/*/*.{contract.file_format}"
        readable = [
            p for p in landing.glob(pattern) if p.relative_to(landing).as_posix() not in rejected
        ]
        if not readable:
            empty.append(f"{system}.{table}: {landing / pattern}")
    return empty


def _check_file(
    landing: Path, table_dir: Path, path: Path, contract: TableContract | None, system: str, dry_run: bool
) -> list[Finding]:
    relative = path.relative_to(landing).as_posix()
    size = path.stat().st_size
    md5 = _md5(path)
    table = table_dir.name

    def finding(check: str, action: str, detail: str, rows: int | None = None) -> Finding:
        return Finding(relative, system, table, check, action, detail, rows, size, md5)

    if contract is None:
        return [
            finding(
                "unknown_table",
                "ignored",
                f"no table {system}.{table} in the landing contract: dbt does not read this file",
            )
        ]
    depth = len(path.relative_to(table_dir).parts)
    if depth != 2 or path.suffix != f".{contract.file_format}":
        return [
            finding(
                "unexpected_file",
                "ignored",
                f"not <partition>/<file>.{contract.file_format}: dbt does not read this file",
            )
        ]

    partition = path.parent.name
    match = PARTITION.fullmatch(partition)
    valid_date = False
    if match:
        try:
            dt.date.fromisoformat(match.group(1))
            valid_date = True
        except ValueError:
            valid_date = False
    if not valid_date:
        results = [
            (
                "bad_partition_path",
                "rejected",
                f"partition folder {partition!r} is not dt=YYYY-MM-DD with a real date",
            )
        ]
        # the rows are still counted when the file itself reads
        format_check = check_csv if contract.file_format == "csv" else check_parquet
        rows = format_check(path, contract)[1] if size else 0
    elif size == 0:
        results, rows = [("empty_file", "rejected", "the file has 0 bytes")], 0
    elif contract.file_format == "csv":
        results, rows = check_csv(path, contract)
    else:
        results, rows = check_parquet(path, contract)

    findings = [finding(check, action, detail, rows) for check, action, detail in results]
    if any(f.action == "rejected" for f in findings) and not dry_run:
        rejected_path = _move_out_of_glob(landing, path, md5)
        for f in findings:
            f.rejected_path = rejected_path
    return findings


# ------------------------------------------------------------------------------- file names and paths
# Landing file names reach SQL (incremental runs list the files they read): only the documented name
# part-<YYYYMMDD>[-<suffix>].<csv|parquet>, suffix of letters, digits, '_' and '-', is accepted, and the file
# must really be inside the landing root (no symbolic link on the way). Anything else is rejected with
# check ``unsafe_file_path`` before the file is opened.
SAFE_FILE_NAME = re.compile(r"part-[0-9]{8}(?:[-_][A-Za-z0-9_-]*)?\.(?:csv|parquet)")
SAFE_PARTITION_NAME = re.compile(r"[A-Za-z0-9=_-]+")


def file_path_problem(landing: Path, path: Path) -> str | None:
    """Why the landing file ``path`` must not be read (one line), or None when its path is safe."""
    relative = path.relative_to(landing)
    current = landing
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            where = current.relative_to(landing).as_posix()
            return f"{where!r} is a symbolic link: only real files under the landing root are read"
    try:
        path.resolve(strict=True).relative_to(landing.resolve(strict=True))
    except (ValueError, OSError):
        return "the file resolves to a place outside the landing root"
    if not SAFE_FILE_NAME.fullmatch(path.name):
        return (
            f"file name {path.name!r} is not part-<YYYYMMDD>[-<suffix>].<csv|parquet> (suffix: letters, "
            "digits, '_', '-'): quotes, spaces, glob characters and other names are refused"
        )
    for folder in relative.parts[:-1]:
        if not SAFE_PARTITION_NAME.fullmatch(folder):
            return f"folder name {folder!r} holds characters outside letters, digits, '=', '_', '-'"
    return None


def _in_glob(table_dir: Path, path: Path, contract: TableContract | None) -> bool:
    """Would dbt's glob <table>/*/*.<format> list this file (so that its name reaches SQL)?"""
    if contract is None:
        return False
    return len(path.relative_to(table_dir).parts) == 2 and path.suffix == f".{contract.file_format}"


def unsafe_path_finding(landing: Path, path: Path, system: str, table: str, dry_run: bool) -> Finding | None:
    """A rejection of ``path`` when its name or location is unsafe; the file is moved WITHOUT being read.

    A symbolic link is moved as a link (its target is never touched): the first link on the way from the root.
    """
    relative = path.relative_to(landing)
    problem = file_path_problem(landing, path)
    if problem is None:
        return None
    moved = landing
    for part in relative.parts:
        moved = moved / part
        if moved.is_symlink():
            break
    finding = Finding(relative.as_posix(), system, table, "unsafe_file_path", "rejected", problem, None,
                      moved.lstat().st_size, "")
    if not dry_run:
        # the name may hold anything: the rejected copy gets a neutral name, the manifest keeps the original
        token = hashlib.md5(relative.as_posix().encode("utf-8", "surrogateescape")).hexdigest()[:12]
        target = landing / REJECTED_DIR / "_unsafe" / f"{token}{'.link' if moved.is_symlink() else '.file'}"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(moved, target)
        finding.rejected_path = target.relative_to(landing).as_posix()
    return finding


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m omniwh.landing_check",
        description="Check landing files against the contract before dbt runs.",
    )
    parser.add_argument(
        "--landing",
        default=os.environ.get("OMNI_LANDING_PATH", "data/landing"),
        help="landing root (default $OMNI_LANDING_PATH or data/landing)",
    )
    parser.add_argument("--project-dir", default=".", help="dbt project holding models/staging (default .)")
    parser.add_argument("--dry-run", action="store_true", help="report only: move nothing, write no manifest")
    parser.add_argument(
        "--fail-on-reject",
        action="store_true",
        help="exit 1 when this run rejected a file (default: reject, record and go on)",
    )
    parser.add_argument(
        "--recheck-all",
        action="store_true",
        help="read every file again, also those the checked-files index holds unchanged (size and mtime)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only rejections")
    args = parser.parse_args(argv)
    try:
        files = progress.files(args.landing)
        with progress.count_calls(sys.modules[__name__], "_check_file", "preflight", files):
            report = run(
                Path(args.landing), Path(args.project_dir), dry_run=args.dry_run, recheck_all=args.recheck_all
            )
    except ContractError as exc:
        print(f"landing_check: error: {exc}", file=sys.stderr)
        return 2
    for finding in report.findings:
        if finding.action == "rejected" or not args.quiet:
            where = f" -> {finding.rejected_path}" if finding.rejected_path else ""
            print(
                f"landing_check: {finding.action} {finding.check_name}: {finding.file_path}{where}: "
                f"{finding.detail}"
            )
    print(
        f"landing_check: {report.files_checked} files checked in {args.landing} "
        f"({report.files_skipped} unchanged since an earlier check, not read), "
        f"{len(report.rejected)} rejected, {report.new_manifest_rows} new manifest rows"
        f"{' (dry run)' if args.dry_run else ''}"
    )
    if report.empty_tables:
        setting = f"--landing / ${LANDING_ENV} (now {args.landing!r})"
        if report.files_checked + report.files_skipped == 0:
            print(f"landing_check: error: the landing folder {args.landing} holds no file; check {setting}",
                  file=sys.stderr)
        for table in report.empty_tables:
            print(
                f"landing_check: error: table {table} matches no readable file (rejected files are listed "
                f"in {REJECTED_DIR}/{MANIFEST_NAME}); check {setting}",
                file=sys.stderr,
            )
        return EXIT_EMPTY
    return 1 if args.fail_on_reject and report.rejected else 0


if __name__ == "__main__":
    sys.exit(main())
