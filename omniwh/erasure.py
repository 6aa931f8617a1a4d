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
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import secrets
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from .duckdb_plugin import keyed_hash_hex, resolve_hash_key

DEFAULT_LIST = Path("seeds/privacy/erasure_requests.csv")
LIST_COLUMNS = ["request_id", "identifier_type", "identifier_hash", "requested_on"]
IDENTIFIER_TYPES = ("card_no", "phone", "openid", "unionid", "buyer_key", "external_userid")
PLATFORMS = ("TMALL", "JD")

# the same folding as the dbt macro cn_mobile_cleaned(): full-width digits and signs, ideographic and no-break
# spaces to ASCII, then separators removed
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－（）\u3000\u00a0", "0123456789+-()  ")
_SEPARATORS = re.compile(r"[-. ()\t\r\n]")
_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[3-9][0-9]{9})")
_PLACEHOLDER = re.compile(r"1[3-9][0-9](0{8}|1{8}|2{8}|3{8}|4{8}|5{8}|6{8}|7{8}|8{8}|9{8})")


class ErasureError(ValueError):
    """An identifier that cannot be put on the list (it would never match a staged row)."""


def normalise_phone(value: str) -> str:
    """11-digit mobile as ``normalize_cn_mobile()`` returns it; raises ErasureError when it is not one."""
    cleaned = _SEPARATORS.sub("", value.translate(_FULL_WIDTH))
    match = _MOBILE.fullmatch(cleaned)
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


def member_identifiers(duckdb_path: str, member_id: str) -> list[tuple[str, str]]:
    """(type, value) of every identifier the warehouse resolves to ``member_id`` (none quarantined)."""
    import duckdb

    if not Path(duckdb_path).exists():
        raise ErasureError(f"no warehouse at {duckdb_path}: build it first, or pass --duckdb")
    con = duckdb.connect(duckdb_path, read_only=True)
    try:
        rows = con.execute(
            """
            select identifier_type, identifier_value
            from intermediate.int_identifiers_resolved
            where member_id = ? and not coalesce(is_quarantined, false)
            order by identifier_type, identifier_value
            """,
            [member_id],
        ).fetchall()
    finally:
        con.close()
    if not rows:
        raise ErasureError(f"member {member_id} resolves to no identifier in {duckdb_path}")
    return [(str(t), str(v)) for t, v in rows]


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
    add.add_argument("--member-id", action="append", help="member id: expands to all its identifiers")
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
    add.add_argument("--request-id", help="reference of the request (default ER-<date>-<random>)")
    add.add_argument(
        "--requested-on",
        type=dt.date.fromisoformat,
        default=None,
        help="date the request was received, YYYY-MM-DD (default today)",
    )
    args = parser.parse_args(argv)

    identifiers = _identifier_args(args)
    try:
        for member_id in args.member_id or []:
            identifiers.extend(member_identifiers(args.duckdb, member_id))
        if not identifiers:
            parser.error(
                "give at least one of --member-id, --phone, --card, --openid, --unionid, "
                "--buyer-key, --external-userid"
            )
        key, is_demo = resolve_hash_key(env)
        if is_demo:
            print(
                "omniwh.erasure: warning: OMNI_HASH_KEY is not set, hashing with the public demo key",
                file=sys.stderr,
            )
        today = args.requested_on or dt.date.today()
        request_id = args.request_id or new_request_id(today)
        added = add_to_list(args.list, identifiers, key, request_id, today)
    except ErasureError as exc:
        print(f"omniwh.erasure: error: {exc}", file=sys.stderr)
        return 2
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(added.items())) or "nothing new"
    print(
        f"{request_id}: added {summary} to {args.list}; run `dbt seed --select erasure_requests` and rebuild"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
