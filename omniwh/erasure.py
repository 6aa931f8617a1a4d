"""Right to erasure: add a person to the erasure list that every base_ model reads.

The list (default ``seeds/privacy/erasure_requests.csv``, loaded by ``dbt seed``) holds keyed hashes only:
``identifier_hash`` = hex HMAC-SHA256 under ``OMNI_HASH_KEY`` of ``erasure|<identifier_type>|<value>``, the
value normalised the way staging stores it (11-digit mobile, trimmed ids, ``PLATFORM:buyer_id``). The dbt
macro ``erasure_hash()`` computes the same digest, so a base model can tell that a row belongs to an erased
person without the list ever containing the person's phone or ids in clear. The ``erasure|<type>|`` prefix
keeps the digests apart from the pseudonyms ``keyed_hash(value)`` that the marts carry.

Usage (from the repository root, after a build)::

    python -m omniwh.erasure add --member-id M0123456789abcdef0123     # every identifier of the member
    python -m omniwh.erasure add --phone "+86 138 1234 5678" --card 100012345678
    dbt seed --select erasure_requests && dbt build                     # (or: make build)

``--member-id`` expands to every identifier that ``intermediate.int_identifiers_resolved`` of the current
warehouse (``--duckdb``, default ``$OMNI_DUCKDB_PATH``) resolves to that member. Identifiers the identity
graph quarantined (a phone shared by a family, a blocked number) belong to no member and are not expanded:
pass the requester's own phone or card explicitly as well. Adding is idempotent: an identifier already on the
list is not added twice. Nothing in clear is printed or written.

Key rotation (the list's hashes are keyed: under a new ``OMNI_HASH_KEY`` they match nothing, and the erased
people would come back at the next build)::

    OMNI_HASH_KEY_OLD=<current key> OMNI_HASH_KEY=<new key> python -m omniwh.erasure rekey [--dry-run]

``rekey`` reads both keys from environment variables (``--old-key-env`` / ``--new-key-env`` name them;
defaults ``OMNI_HASH_KEY_OLD`` and ``OMNI_HASH_KEY``), never from the command line, and prints neither. It
recovers each listed identifier by hashing, under the old key, every distinct value of every personal column
(``pii`` in the sources YAML) of every landing file, ``_rejected/`` included, for every identifier type, and
rewrites the list with the new-key hash of each one it finds (request id and date kept). An entry it cannot
find (the files holding the person were purged) cannot be re-keyed; dropping it would let the person back in
if their data were ever delivered again, so by default nothing is written and the command exits 3;
``--allow-unresolved`` writes the re-keyed entries and keeps the unresolved ones unchanged (they match nothing
under the new key). Entries already under the new key are kept, so running it twice is harmless.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import secrets
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .duckdb_plugin import keyed_hash_hex, resolve_hash_key
from .warehouse_lock import warehouse_busy_message

DEFAULT_LIST = Path("seeds/privacy/erasure_requests.csv")
LIST_COLUMNS = ["request_id", "identifier_type", "identifier_hash", "requested_on"]
IDENTIFIER_TYPES = ("card_no", "phone", "openid", "unionid", "buyer_key", "external_userid")
PLATFORMS = ("TMALL", "JD")

# the same cleaning as the dbt macros in macros/phone/cn_mobile.sql (both must pass the fixture table
# seeds/macro_fixtures/phone_cases.csv): full-width digits and signs, ideographic and no-break spaces folded
# to ASCII; white space, invisible characters and apostrophes removed; float artefacts undone; separators
# removed
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－（）．\u3000\u00a0", "0123456789+-().  ")
_DROPPED = re.compile("[ \t\r\n'\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_POINT_ZERO = re.compile(r"\+?[0-9]+\.0+")
_EXACT_SCIENTIFIC = re.compile(r"\+?[0-9]\.([0-9]+)[eE]\+?0?([0-9]+)")
_SEPARATORS = re.compile(r"[-.()]")
_PREFIX = r"(?:\+86|0086|86|0)?"
_MOBILE = re.compile(_PREFIX + r"(1[3-9][0-9]{9})")
_PLACEHOLDER = re.compile(r"1[3-9][0-9](0{8}|1{8}|2{8}|3{8}|4{8}|5{8}|6{8}|7{8}|8{8}|9{8})")


class ErasureError(ValueError):
    """An identifier that cannot be put on the list (it would never match a staged row)."""


def _cleaned_phone(value: str) -> str:
    folded = _DROPPED.sub("", value.translate(_FULL_WIDTH))
    if _POINT_ZERO.fullmatch(folded):
        folded = folded.split(".")[0]
    else:
        scientific = _EXACT_SCIENTIFIC.fullmatch(folded)
        # only a mantissa that kept every digit (as many as the exponent, 6 to 14) is a number we can trust
        exponent = int(scientific.group(2)) if scientific else 0
        if scientific and 6 <= exponent <= 14 and len(scientific.group(1)) == exponent:
            folded = re.sub(r"[.]|[eE].*$", "", folded)
    return _SEPARATORS.sub("", folded)


def normalise_phone(value: str) -> str:
    """11-digit mobile as ``normalize_cn_mobile()`` returns it; raises ErasureError when it is not one."""
    match = _MOBILE.fullmatch(_cleaned_phone(value))
    if not match or _PLACEHOLDER.fullmatch(match.group(1)):
        raise ErasureError("not a usable mainland mobile number: staging never stores it, nothing to erase")
    return match.group(1)


def normalise(identifier_type: str, value: str) -> str:
    """The identifier as staging stores it (the text the erasure hash is computed over)."""
    if identifier_type not in IDENTIFIER_TYPES:
        raise ErasureError(f"unknown identifier type {identifier_type!r}")
    if identifier_type == "phone":
        return normalise_phone(value)
    if identifier_type == "buyer_key":
        platform, sep, buyer_id = value.partition(":")
        platform, buyer_id = platform.strip().upper(), buyer_id.strip()
        if not sep or platform not in PLATFORMS or not buyer_id:
            raise ErasureError("a buyer key is PLATFORM:buyer_id with PLATFORM one of TMALL, JD")
        return f"{platform}:{buyer_id}"
    stripped = value.strip()
    if not stripped:
        raise ErasureError(f"empty {identifier_type}")
    return stripped


def erasure_digest(identifier_type: str, value: str, key: bytes) -> str:
    """Hex HMAC-SHA256 of ``erasure|<type>|<normalised value>``, as the dbt macro erasure_hash()."""
    digest = keyed_hash_hex(f"erasure|{identifier_type}|{value}", key)
    assert digest is not None
    return digest


@dataclass
class Resolution:
    """What a request matched in the warehouse, as of the request."""

    identifiers: list[tuple[str, str]]  # (type, normalised value): the given ones and all of the members'
    members: int = 0
    matched_given: dict[str, int] = field(default_factory=dict)  # given identifiers found, per type
    unmatched_given: dict[str, int] = field(default_factory=dict)  # given identifiers not found, per type

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for identifier_type, _ in self.identifiers:
            out[identifier_type] = out.get(identifier_type, 0) + 1
        return out


def resolve_request(
    duckdb_path: str,
    given: Iterable[tuple[str, str]],
    member_ids: Iterable[str],
    key: bytes,
    landing: Path | None = None,
) -> Resolution:
    """The person behind a request: every member that a given identifier (or member id) resolves to in the
    warehouse, and ALL identifiers of those members, plus the given identifiers themselves (a quarantined,
    shared phone belongs to no member but is still the requester's). Raises ErasureError when the request
    matches no one, or when the warehouse was built with another key than ``key`` (the list's hashes would
    then match nothing). Without a built identity resolution (no warehouse yet), the given identifiers are
    looked up in the landing files instead and erased as given, not expanded."""
    import duckdb

    normalised = sorted({(t, normalise(t, v)) for t, v in given})
    member_ids = sorted(set(member_ids))
    if not _has_resolution(duckdb_path):
        if member_ids:
            raise ErasureError(f"no identity resolution in {duckdb_path}: build it first, or pass --duckdb")
        return _resolve_in_landing(normalised, landing, key)
    try:
        con = duckdb.connect(duckdb_path, read_only=True)
    except duckdb.IOException as exc:
        raise ErasureError(warehouse_busy_message(duckdb_path, exc)) from exc
    try:
        _check_warehouse_key(con, key, duckdb_path)
        found: dict[tuple[str, str], str | None] = {}
        if normalised:
            con.execute("create temp table given (identifier_type varchar, identifier_value varchar)")
            con.executemany("insert into given values (?, ?)", normalised)
            for identifier_type, value, member_id in con.execute(
                """
                select resolved.identifier_type, resolved.identifier_value, resolved.member_id
                from intermediate.int_identifiers_resolved as resolved
                inner join given
                    on resolved.identifier_type = given.identifier_type
                    and resolved.identifier_value = given.identifier_value
                """
            ).fetchall():
                found[(identifier_type, value)] = member_id
        members = sorted({m for m in found.values() if m} | set(member_ids))
        rows: list[tuple[str, str]] = []
        if members:
            rows = con.execute(
                """
                select identifier_type, identifier_value
                from intermediate.int_identifiers_resolved
                where member_id in (select unnest(?::varchar[])) and not coalesce(is_quarantined, false)
                order by identifier_type, identifier_value
                """,
                [members],
            ).fetchall()
            known_members = {
                r[0]
                for r in con.execute(
                    "select distinct member_id from intermediate.int_identifiers_resolved "
                    "where member_id in (select unnest(?::varchar[]))",
                    [members],
                ).fetchall()
            }
            missing = [m for m in member_ids if m not in known_members]
            if missing:
                raise ErasureError(f"member {missing[0]} resolves to no identifier in {duckdb_path}")
    finally:
        con.close()
    resolution = Resolution(sorted(set(normalised) | {(str(t), str(v)) for t, v in rows}), len(members))
    for identifier in normalised:
        bucket = resolution.matched_given if identifier in found else resolution.unmatched_given
        bucket[identifier[0]] = bucket.get(identifier[0], 0) + 1
    if not found and not members:
        raise ErasureError(
            f"the request matches no one in {duckdb_path}: none of its {len(normalised)} identifier(s) was "
            "ever seen (check for a typo; values are compared after normalisation). Nothing was added."
        )
    return resolution


def _has_resolution(duckdb_path: str) -> bool:
    import duckdb

    if not Path(duckdb_path).exists():
        return False
    try:
        con = duckdb.connect(duckdb_path, read_only=True)
    except duckdb.IOException as exc:
        raise ErasureError(warehouse_busy_message(duckdb_path, exc)) from exc
    try:
        return bool(
            con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'intermediate' and table_name = 'int_identifiers_resolved'"
            ).fetchone()[0]
        )
    finally:
        con.close()


def _resolve_in_landing(normalised: list[tuple[str, str]], landing: Path | None, key: bytes) -> Resolution:
    if landing is None or not landing.is_dir():
        raise ErasureError(
            "no built warehouse to resolve the request in (--duckdb) and no landing folder (--landing)"
        )
    landed = landed_erasure_digests(landing, project_dir_guess(), key)
    resolution = Resolution(normalised, 0)
    for identifier_type, value in normalised:
        found = (identifier_type, erasure_digest(identifier_type, value, key)) in landed
        bucket = resolution.matched_given if found else resolution.unmatched_given
        bucket[identifier_type] = bucket.get(identifier_type, 0) + 1
    if not resolution.matched_given:
        raise ErasureError(
            f"the request matches no one in the landing files of {landing}: none of its {len(normalised)} "
            "identifier(s) was ever landed (check for a typo). Nothing was added."
        )
    return resolution


def _check_warehouse_key(con, key: bytes, duckdb_path: str) -> None:
    from .duckdb_plugin import key_fingerprint

    try:
        stored = con.execute("select max(fingerprint) from warehouse_meta.hash_key_fingerprint").fetchone()[0]
    except Exception:  # built before fingerprints were recorded
        return
    if stored and stored != key_fingerprint(key):
        raise ErasureError(
            f"OMNI_HASH_KEY is not the key the warehouse {duckdb_path} was built with: the list's hashes "
            "would match no one. Set the warehouse's key (or rotate: docs/data_protection.md). Nothing was "
            "added."
        )


# -------------------------------------------------------------------------------- requests that match no one
_landed_digests: dict[tuple[str, bytes], set[tuple[str, str]]] = {}


def landed_erasure_digests(landing: Path, project_dir: Path, key: bytes) -> set[tuple[str, str]]:
    """(type, erasure hash) of every identifier value in the landing files (``_rejected/`` included), under
    ``key``; cached per process. What the build's check of the list compares each request with."""
    cache_key = (str(landing.resolve()), key)
    if cache_key not in _landed_digests:
        digests: set[tuple[str, str]] = set()
        seen: set[tuple[str, str]] = set()
        for column, raw in landing_values(landing, landing_tables(project_dir), RekeyReport()):
            for candidate in _candidates(column, raw, set(IDENTIFIER_TYPES)):
                if candidate not in seen:
                    seen.add(candidate)
                    digests.add((candidate[0], erasure_digest(candidate[0], candidate[1], key)))
        _landed_digests[cache_key] = digests
    return _landed_digests[cache_key]


def project_dir_guess() -> Path:
    """The dbt project: $DBT_PROJECT_DIR, else the working directory when it holds dbt_project.yml, else the
    repository this package sits in."""
    for candidate in (os.environ.get("DBT_PROJECT_DIR"), os.getcwd()):
        if candidate and (Path(candidate) / "dbt_project.yml").is_file():
            return Path(candidate)
    return Path(__file__).resolve().parents[1]


def read_list(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != LIST_COLUMNS:
            raise ErasureError(f"{path}: header must be {','.join(LIST_COLUMNS)}")
        return list(reader)


def add_to_list(
    path: Path,
    identifiers: Iterable[tuple[str, str]],
    key: bytes,
    request_id: str,
    requested_on: dt.date,
) -> dict[str, int]:
    """Append the hashes of ``identifiers`` (type, raw value) to the list; returns counts per type added."""
    existing = read_list(path)
    known = {(row["identifier_type"], row["identifier_hash"]) for row in existing}
    new_rows: list[dict[str, str]] = []
    added: dict[str, int] = {}
    for identifier_type, value in identifiers:
        digest = erasure_digest(identifier_type, normalise(identifier_type, value), key)
        if (identifier_type, digest) in known:
            continue
        known.add((identifier_type, digest))
        new_rows.append(
            {
                "request_id": request_id,
                "identifier_type": identifier_type,
                "identifier_hash": digest,
                "requested_on": requested_on.isoformat(),
            }
        )
        added[identifier_type] = added.get(identifier_type, 0) + 1
    if new_rows or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=LIST_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(existing + new_rows)
        os.replace(tmp, path)
    return added


def new_request_id(today: dt.date) -> str:
    """Opaque reference: the date and random hex, nothing derived from the person."""
    return f"ER-{today:%Y%m%d}-{secrets.token_hex(3)}"


# ---------------------------------------------------------------------------------------------- key rotation
OLD_KEY_ENV = "OMNI_HASH_KEY_OLD"
NEW_KEY_ENV = "OMNI_HASH_KEY"
REJECTED_DIR = "_rejected"
# a buyer key is built from two columns (staging: upper(trim(platform)) || ':' || trim(buyer_id))
BUYER_KEY_COLUMNS = ("platform", "buyer_id")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
EXIT_UNRESOLVED = 3


@dataclass(frozen=True)
class LandingTable:
    system: str
    table: str
    file_format: str  # csv or parquet
    personal_columns: tuple[str, ...]


@dataclass
class RekeyReport:
    entries: int = 0
    rekeyed: dict[str, int] = field(default_factory=dict)  # per identifier type
    already_new: int = 0
    unresolved: dict[str, int] = field(default_factory=dict)
    files_read: int = 0
    rejected_files_read: int = 0
    unreadable_files: int = 0
    distinct_values: int = 0
    written: bool = False

    @property
    def unresolved_count(self) -> int:
        return sum(self.unresolved.values())


def _is_personal(column: dict) -> bool:
    config = column.get("config") or {}
    tags = list(column.get("tags") or []) + list(config.get("tags") or [])
    meta = {**(column.get("meta") or {}), **(config.get("meta") or {})}
    return "pii" in tags or bool(meta.get("pii"))


def landing_tables(project_dir: Path) -> list[LandingTable]:
    """Landing tables with their personal columns, from the sources YAML (the landing contract)."""
    import yaml

    tables = []
    for path in sorted(project_dir.glob("models/staging/*/_*__sources.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources", []):
            for table in source.get("tables", []):
                meta = {**(source.get("meta") or {}), **((source.get("config") or {}).get("meta") or {})}
                meta.update(table.get("meta") or {})
                meta.update((table.get("config") or {}).get("meta") or {})
                location = str(meta.get("external_location") or "")
                if "/*/*." not in location:
                    continue  # not read from <landing>/<system>/<table>/<partition>/<file>
                columns = tuple(c["name"] for c in table.get("columns", []) if _is_personal(c))
                if columns:
                    file_format = "csv" if "read_csv" in location else "parquet"
                    tables.append(LandingTable(source["name"], table["name"], file_format, columns))
    if not tables:
        raise ErasureError(f"no landing source with personal columns under {project_dir}/models/staging")
    return tables


def _values_from_rows(rows: Iterable[dict], table: LandingTable) -> Iterator[tuple[str, str]]:
    """(column, text) of every personal value; ('buyer_key', 'PLATFORM:id') from the platform/buyer pair."""
    for row in rows:
        for column in table.personal_columns:
            value = row.get(column)
            if value is not None and str(value).strip():
                yield column, str(value)
        platform, buyer_id = (row.get(name) for name in BUYER_KEY_COLUMNS)
        if platform is not None and buyer_id is not None:
            yield "buyer_key", f"{platform}:{buyer_id}"


def _read_files(con, files: list[Path], table: LandingTable, file_format: str) -> Iterator[tuple[str, str]]:
    """(column, text) of the distinct personal values of ``files``, in one scan of the files."""
    paths = [str(p) for p in files]
    if file_format == "csv":
        reader = "read_csv(?, all_varchar = true, header = true, union_by_name = true)"
    else:
        reader = "read_parquet(?, union_by_name = true)"
    present = {r[0] for r in con.execute(f"describe select * from {reader}", [paths]).fetchall()}
    expressions = [f'cast("{c}" as varchar) as "{c}"' for c in table.personal_columns if c in present]
    if all(c in present for c in BUYER_KEY_COLUMNS):
        expressions.append("cast(platform as varchar) || ':' || cast(buyer_id as varchar) as __buyer_key")
    if not expressions:
        return
    selected = f"select {', '.join(expressions)} from {reader}"
    query = (
        "select distinct column_name, value "
        f"from (unpivot ({selected}) on columns(*) into name column_name value value)"
    )
    for column, value in con.execute(query, [paths]).fetchall():
        if value.strip():
            yield ("buyer_key" if column == "__buyer_key" else column), value


def _read_csv_leniently(path: Path, table: LandingTable) -> Iterator[tuple[str, str]]:
    """A rejected CSV DuckDB cannot read (not UTF-8, broken quoting): Python's csv module, then GB18030."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("utf-8", errors="replace")
    yield from _values_from_rows(csv.DictReader(text.splitlines()), table)


def landing_values(
    landing: Path, tables: list[LandingTable], report: RekeyReport
) -> Iterator[tuple[str, str]]:
    """(column, raw text) of every personal value of every landing file, ``_rejected/`` included."""
    import duckdb

    con = duckdb.connect()
    try:
        for table in tables:
            extension = table.file_format
            files = sorted((landing / table.system / table.table).glob(f"*/*.{extension}"))
            if files:
                try:
                    yield from _read_files(con, files, table, table.file_format)
                    report.files_read += len(files)
                except duckdb.Error:
                    # one bad file in the glob: read them one by one, counting the unreadable ones
                    for path in files:
                        try:
                            yield from _read_files(con, [path], table, table.file_format)
                            report.files_read += 1
                        except duckdb.Error:
                            report.unreadable_files += 1
            rejected = landing / REJECTED_DIR / table.system / table.table
            for path in sorted(p for p in rejected.rglob("*") if p.is_file()) if rejected.is_dir() else []:
                # a rejected file may be anything: read it by its own extension
                file_format = "csv" if path.suffix.lower() == ".csv" else "parquet"
                try:
                    yield from _read_files(con, [path], table, file_format)
                    report.rejected_files_read += 1
                except duckdb.Error:
                    if file_format == "csv":
                        try:
                            yield from _read_csv_leniently(path, table)
                            report.rejected_files_read += 1
                            continue
                        except (OSError, csv.Error):
                            pass
                    report.unreadable_files += 1
    finally:
        con.close()


def _candidates(column: str, raw: str, types: set[str]) -> Iterator[tuple[str, str]]:
    """Every (identifier type, normalised value) the raw text could be, among the types the list holds."""
    if column == "buyer_key":
        kinds = {"buyer_key"} & types
    else:
        kinds = types - {"buyer_key"}
    for identifier_type in kinds:
        try:
            yield identifier_type, normalise(identifier_type, raw)
        except ErasureError:
            continue


def rekey_list(
    path: Path,
    landing: Path,
    project_dir: Path,
    old_key: bytes,
    new_key: bytes,
    allow_unresolved: bool = False,
    dry_run: bool = False,
) -> RekeyReport:
    """Re-hash the list under ``new_key``; see the module docstring for the rules. Writes only when safe."""
    if old_key == new_key:
        raise ErasureError("the old and the new key are the same: nothing to re-key")
    rows = read_list(path)
    report = RekeyReport(entries=len(rows))
    if not rows:
        return report
    listed = {(row["identifier_type"], row["identifier_hash"]) for row in rows}
    types = {identifier_type for identifier_type, _ in listed}
    new_hash: dict[tuple[str, str], str] = {}  # (type, old-key hash) -> new-key hash
    under_new_key: set[tuple[str, str]] = set()
    seen: set[tuple[str, str]] = set()
    for column, raw in landing_values(landing, landing_tables(project_dir), report):
        for candidate in _candidates(column, raw, types):
            if candidate in seen:
                continue
            seen.add(candidate)
            identifier_type, value = candidate
            old = (identifier_type, erasure_digest(identifier_type, value, old_key))
            new = (identifier_type, erasure_digest(identifier_type, value, new_key))
            if old in listed:
                new_hash[old] = new[1]
            if new in listed:
                under_new_key.add(new)
    report.distinct_values = len(seen)
    rewritten = []
    for row in rows:
        key = (row["identifier_type"], row["identifier_hash"])
        kind = row["identifier_type"]
        if key in new_hash:
            rewritten.append({**row, "identifier_hash": new_hash[key]})
            report.rekeyed[kind] = report.rekeyed.get(kind, 0) + 1
        elif key in under_new_key:
            rewritten.append(row)
            report.already_new += 1
        else:
            rewritten.append(row)
            report.unresolved[kind] = report.unresolved.get(kind, 0) + 1
    if dry_run or (report.unresolved_count and not allow_unresolved):
        return report
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=LIST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rewritten)
    os.replace(tmp, path)
    report.written = True
    return report


def key_from_env(env: Mapping[str, str], name: str, option: str) -> bytes:
    """The key in environment variable ``name``; never echoes a value."""
    if not _ENV_NAME.fullmatch(name):
        # someone may have pasted the key itself: do not print what was given
        raise ErasureError(f"{option} takes the NAME of an environment variable holding the key, not the key")
    value = env.get(name, "")
    if not value:
        raise ErasureError(f"environment variable {name} ({option}) is not set or empty")
    return value.encode("utf-8")


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "0"


def _identifier_args(args: argparse.Namespace) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for option, identifier_type in (
        ("card", "card_no"),
        ("phone", "phone"),
        ("openid", "openid"),
        ("unionid", "unionid"),
        ("buyer_key", "buyer_key"),
        ("external_userid", "external_userid"),
    ):
        pairs.extend((identifier_type, value) for value in getattr(args, option) or [])
    return pairs


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="python -m omniwh.erasure", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a person's identifiers (as keyed hashes) to the erasure list")
    add.add_argument("--member-id", action="append", help="member id (every identifier is expanded the same)")
    add.add_argument("--phone", action="append", help="mobile number, any format")
    add.add_argument("--card", action="append", help="CRM card number")
    add.add_argument("--openid", action="append", help="mini-program openid")
    add.add_argument("--unionid", action="append", help="WeChat unionid")
    add.add_argument("--buyer-key", action="append", help="platform buyer as PLATFORM:buyer_id (TMALL/JD)")
    add.add_argument("--external-userid", action="append", help="WeCom external_userid")
    add.add_argument(
        "--list", type=Path, default=DEFAULT_LIST, help=f"erasure list CSV (default {DEFAULT_LIST})"
    )
    add.add_argument(
        "--duckdb",
        default=env.get("OMNI_DUCKDB_PATH", "data/warehouse.duckdb"),
        help="warehouse read for --member-id (default $OMNI_DUCKDB_PATH or data/warehouse.duckdb)",
    )
    add.add_argument(
        "--landing",
        type=Path,
        default=Path(env.get("OMNI_LANDING_PATH", "data/landing")),
        help="landing root, searched when the warehouse has no identity resolution yet",
    )
    add.add_argument("--request-id", help="reference of the request (default ER-<date>-<random>)")
    add.add_argument(
        "--requested-on",
        type=dt.date.fromisoformat,
        default=None,
        help="date the request was received, YYYY-MM-DD (default today)",
    )
    rekey = sub.add_parser(
        "rekey",
        help="re-hash the list under a new OMNI_HASH_KEY (keys read from environment variables only)",
    )
    rekey.add_argument(
        "--old-key-env",
        default=OLD_KEY_ENV,
        help=f"NAME of the environment variable holding the list's current key (default {OLD_KEY_ENV})",
    )
    rekey.add_argument(
        "--new-key-env",
        default=NEW_KEY_ENV,
        help=f"NAME of the environment variable holding the new key (default {NEW_KEY_ENV})",
    )
    rekey.add_argument(
        "--list", type=Path, default=DEFAULT_LIST, help=f"erasure list CSV (default {DEFAULT_LIST})"
    )
    rekey.add_argument(
        "--landing",
        type=Path,
        default=Path(env.get("OMNI_LANDING_PATH", "data/landing")),
        help="landing root searched, _rejected/ included (default $OMNI_LANDING_PATH or data/landing)",
    )
    rekey.add_argument(
        "--project-dir", type=Path, default=Path("."), help="dbt project holding the sources YAML (default .)"
    )
    rekey.add_argument(
        "--allow-unresolved",
        action="store_true",
        help="write even if some entries cannot be found in the landing files (they are kept unchanged)",
    )
    rekey.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    args = parser.parse_args(argv)
    if args.command == "rekey":
        return _rekey_main(args, env)

    given = _identifier_args(args)
    if not given and not args.member_id:
        parser.error(
            "give at least one of --member-id, --phone, --card, --openid, --unionid, "
            "--buyer-key, --external-userid"
        )
    try:
        key, is_demo = resolve_hash_key(env)
        if is_demo:
            print(
                "omniwh.erasure: warning: OMNI_HASH_KEY is not set, hashing with the public demo key",
                file=sys.stderr,
            )
        # any identifier resolves, as of the request, to the member(s) and every identifier they have
        resolution = resolve_request(args.duckdb, given, args.member_id or [], key, args.landing)
        if not resolution.members and not _has_resolution(args.duckdb):
            print(
                f"omniwh.erasure: warning: no identity resolution in {args.duckdb}: the given identifiers "
                "are erased as given, not expanded to the whole person; build the warehouse, add them again",
                file=sys.stderr,
            )
        today = args.requested_on or dt.date.today()
        request_id = args.request_id or new_request_id(today)
        added = add_to_list(args.list, resolution.identifiers, key, request_id, today)
    except ErasureError as exc:
        print(f"omniwh.erasure: error: {exc}", file=sys.stderr)
        return 2
    unmatched = f"; not seen in the warehouse: {_counts(resolution.unmatched_given)}" if (
        resolution.unmatched_given
    ) else ""
    print(
        f"{request_id}: matched {resolution.members} member(s); erasing {_counts(resolution.counts())}"
        f"{unmatched}; new on the list: {_counts(added) if added else 'nothing new'} ({args.list}). "
        "Run `dbt seed --select erasure_requests` and rebuild."
    )
    return 0


def _rekey_main(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    try:
        old_key = key_from_env(env, args.old_key_env, "--old-key-env")
        new_key = key_from_env(env, args.new_key_env, "--new-key-env")
        if not args.landing.is_dir():
            raise ErasureError(f"no landing folder at {args.landing}: pass --landing")
        report = rekey_list(
            args.list,
            args.landing,
            args.project_dir,
            old_key,
            new_key,
            allow_unresolved=args.allow_unresolved,
            dry_run=args.dry_run,
        )
    except ErasureError as exc:
        print(f"omniwh.erasure: error: {exc}", file=sys.stderr)
        return 2
    print(
        f"rekey: {report.entries} entries; re-keyed {_counts(report.rekeyed)}; already under the new key "
        f"{report.already_new}; unresolved {_counts(report.unresolved)}. Searched {report.distinct_values} "
        f"distinct identifier values in {report.files_read} landing and {report.rejected_files_read} "
        f"rejected files ({report.unreadable_files} unreadable)."
    )
    if report.written:
        print(f"rekey: wrote {args.list}; run `dbt seed --select erasure_requests`, rebuild with the new key")
        return 0
    if args.dry_run:
        print("rekey: dry run, nothing written")
        return 0
    if report.unresolved_count:
        print(
            f"rekey: refused: {report.unresolved_count} entries were not found in the landing files, so "
            "their people would come back under the new key. Restore the files holding them (backups) and "
            "run again, or pass --allow-unresolved to keep those entries as they are (matching nothing).",
            file=sys.stderr,
        )
        return EXIT_UNRESOLVED
    return 0  # an empty list: nothing to re-key


if __name__ == "__main__":
    sys.exit(main())
