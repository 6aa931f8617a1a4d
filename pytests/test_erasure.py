"""Right to erasure end to end: an erased person leaves no trace, and re-ingesting the raw files keeps it so.

On a copy of the session's tiny landing data and a copy of the project: pick real people of the generator's
truth with a card, a mini-program account, a WeCom contact, a phone and a platform buyer, and land for them
what makes them a buyer member on both platforms (a membership binding of each buyer account to their phone;
on a platform where they have none, a new buyer account with one order), listed in the generator's ownership
record, build the warehouse, take the first whose member holds exactly their
identifiers, erase them by their phone (`python -m omniwh.erasure add --phone ...`, which resolves the phone
to the member and every identifier the warehouse resolved to it and appends keyed hashes to the erasure
seed), rebuild, and scan every column of every table
and view of every schema of the DuckDB file, and every file dbt wrote (target/, logs/), for any of the
person's identifiers: as landed (raw phone formats), normalised, masked (`138****5678`), as keyed-hash
pseudonyms, and their member id. Then build again on the same raw files: still nothing. Store sales must be
unchanged (transactions are anonymised, not dropped), and the erased rows must be exactly those an
independent count over the raw files finds, counted in int_rows_erased and listed in no quarantine.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warehouse_helpers import copy_project, dbt_env

from omniwh.duckdb_plugin import keyed_hash_hex, register_udfs, resolve_hash_key
from omniwh.erasure import ErasureError, erasure_digest, normalise, normalise_phone
from omniwh.generator.ownership import record

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
ERASURE_LIST = Path("seeds/privacy/erasure_requests.csv")

# What each landing table does with an erased person's row, written independently of the dbt models as the
# oracle of the erased/anonymised counts: {table: (action, [(identifier type, raw columns)])}.
ERASURE_SPEC = {
    "pos/transactions": ("anonymised", [("card_no", ["card_no"]), ("phone", ["member_phone"])]),
    "ecommerce/orders": ("anonymised", [("buyer_key", ["platform", "buyer_id"])]),
    "ecommerce/membership_bindings": (
        "dropped",
        [("buyer_key", ["platform", "buyer_id"]), ("phone", ["phone"])],
    ),
    "behaviour/platform_events": ("dropped", [("buyer_key", ["platform", "buyer_id"])]),
    "miniprogram/users": (
        "dropped",
        [("openid", ["openid"]), ("unionid", ["unionid"]), ("phone", ["phone"])],
    ),
    "miniprogram/orders": ("anonymised", [("openid", ["openid"])]),
    "miniprogram/events": ("dropped", [("openid", ["openid"])]),
    "wecom/external_contacts": (
        "dropped",
        [("external_userid", ["external_userid"]), ("unionid", ["unionid"])],
    ),
    "wecom/staff": ("anonymised", [("phone", ["phone"])]),
    "crm/members": ("dropped", [("card_no", ["card_no"]), ("phone", ["phone"])]),
    "crm/points_ledger": ("dropped", [("card_no", ["card_no"])]),
    "crm/tier_changes": ("dropped", [("card_no", ["card_no"])]),
    "crm/consent_events": ("dropped", [("card_no", ["card_no"])]),
    "marketing/audiences": ("dropped", [("card_no", ["card_no"])]),
    "marketing/touches": ("dropped", [("card_no", ["card_no"])]),
    "marketing/coupons_issued": ("dropped", [("card_no", ["card_no"])]),
}
CSV_TABLES = {"pos/transactions", "pos/transaction_lines", "stores/store_master"}
# The person erased by phone must hold every kind of identifier (issue 14): a card, a mini-program account, a
# WeCom contact, a phone, and a buyer account on BOTH platforms. Platform-scoped buyer id prefixes as landed.
REQUIRED_KINDS = {"card_no", "openid", "external_userid", "phone", "buyer_key"}
PLATFORMS = {"TMALL": "t_", "JD": "jd_"}
CANDIDATES = 5  # people prepared before the build; the first one the warehouse resolves cleanly is erased


def _dbt_build(env: dict, project: Path) -> None:
    # unit tests need built relations (incremental models mock `this`); make test runs them on its warehouse
    cmd = [
        DBT,
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=project)
    if done.returncode != 0:
        raise AssertionError(f"dbt build failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")


def _connect(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db), read_only=True)
    register_udfs(con, {})  # the demo key, as the build (its env drops OMNI_HASH_KEY)
    return con


def _phone_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalise_phone(value)
    except ErasureError:
        return None


def _reader(landing: Path, table: str) -> str:
    if table in CSV_TABLES:
        return (
            f"read_csv('{landing}/{table}/*/*.csv', hive_partitioning = true, union_by_name = true, "
            "all_varchar = true, header = true)"
        )
    return f"read_parquet('{landing}/{table}/*/*.parquet', hive_partitioning = true, union_by_name = true)"


def _landing_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.create_function("normalise_phone", _phone_or_none, ["VARCHAR"], "VARCHAR", null_handling="special")
    return con


def _normalised_sql(identifier_type: str, columns: list[str]) -> str:
    if identifier_type == "phone":
        return f"normalise_phone(cast({columns[0]} as varchar))"
    if identifier_type == "buyer_key":
        return "upper(trim(platform)) || ':' || trim(buyer_id)"
    return f"nullif(trim(cast({columns[0]} as varchar)), '')"


def raw_rows_of(landing: Path, identifiers: set[tuple[str, str]]) -> dict[str, int]:
    """Oracle: raw landed rows per table carrying any of ``identifiers`` (type, normalised value)."""
    con = _landing_connection()
    con.execute("create temp table erased (identifier_type varchar, identifier_value varchar)")
    con.executemany("insert into erased values (?, ?)", sorted(identifiers))
    counts = {}
    for table, (_, specs) in ERASURE_SPEC.items():
        matches = " or ".join(
            f"{_normalised_sql(t, cols)} in "
            f"(select identifier_value from erased where identifier_type = '{t}')"
            for t, cols in specs
        )
        counts[table] = con.execute(
            f"select count(*) from {_reader(landing, table)} where {matches}"
        ).fetchone()[0]
    con.close()
    return counts


def raw_phone_forms(landing: Path, phones: set[str]) -> set[str]:
    """Every distinct landed text of a phone column that normalises to one of ``phones``."""
    con = _landing_connection()
    forms = set()
    for table, column in (
        ("pos/transactions", "member_phone"),
        ("crm/members", "phone"),
        ("miniprogram/users", "phone"),
        ("ecommerce/membership_bindings", "phone"),
    ):
        for (value,) in con.execute(f"select distinct {column} from {_reader(landing, table)}").fetchall():
            if value is not None and _phone_or_none(value) in phones:
                forms.add(value.strip())
    con.close()
    return forms


def mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[7:]}"


def pick_person(
    db: Path, truth: Path, landing: Path, only: list[str] | None = None, crafted: list[tuple] = ()
) -> dict:
    """A real, ordinary person whose member holds exactly their identifiers, in as many systems as we can.

    ``only``: person ids to choose from (in this order of preference, after the ranking below); ``crafted``:
    (identifier type, value, person id) the test landed for a person beyond the generator's truth."""
    con = _connect(db)
    # the truth names a platform buyer `buyer_id`, the warehouse `buyer_key` (same platform:id value)
    con.execute(
        "create temp table truth_ids as select * replace "
        "(replace(identifier_type, 'buyer_id', 'buyer_key') as identifier_type) "
        f"from read_parquet('{truth}/identifiers.parquet')"
    )
    for identifier_type, value, person_id in crafted:
        con.execute(
            "insert into truth_ids values (?, ?, ?, false, false)", [identifier_type, value, person_id]
        )
    con.execute(f"create temp table people as select * from read_parquet('{truth}/people.parquet')")
    candidates = con.execute(
        """
        with person_ids as (
            select truth_ids.person_id, truth_ids.identifier_type, truth_ids.identifier_value,
                resolved.member_id
            from truth_ids
            left join intermediate.int_identifiers_resolved as resolved
                on truth_ids.identifier_type = resolved.identifier_type
                and truth_ids.identifier_value = resolved.identifier_value
                and not resolved.is_quarantined
            where not truth_ids.is_shared and not truth_ids.is_placeholder
        ),
        per_person as (
            select person_id, count(*) as identifiers, count(distinct identifier_type) as types,
                count(distinct member_id) as members, count(*) filter (where member_id is null) as unresolved,
                min(member_id) as member_id,
                count(distinct case when identifier_type = 'buyer_key'
                    then split_part(identifier_value, ':', 1) end) as platforms
            from person_ids group by person_id
        ),
        member_sizes as (
            select member_id, count(*) as identifiers
            from intermediate.int_identifiers_resolved where member_id is not null group by member_id
        )
        select per_person.person_id, per_person.member_id
        from per_person
        inner join member_sizes on per_person.member_id = member_sizes.member_id
        inner join people on per_person.person_id = people.person_id
        where per_person.members = 1 and per_person.unresolved = 0
            and member_sizes.identifiers = per_person.identifiers and per_person.types >= 3
            and not people.is_staff and not people.is_test and not people.is_family_shared_phone
        -- most identifier types first, then a Tmall AND a JD buyer (issue 14's whole-person erasure)
        order by per_person.types desc, per_person.platforms desc, per_person.identifiers desc,
            per_person.person_id
        """
    ).fetchall()
    all_masks = [
        mask(p)
        for (p,) in con.execute(
            "select phone from people union all select new_phone from people where new_phone is not null"
        ).fetchall()
    ]
    names = [n for (n,) in con.execute("select true_name from people").fetchall()]
    if only is not None:
        candidates = [c for c in candidates if c[0] in only]
    for person_id, member_id in candidates:
        identifiers = {
            (t, v)
            for t, v in con.execute(
                "select identifier_type, identifier_value from intermediate.int_identifiers_resolved "
                "where member_id = ?",
                [member_id],
            ).fetchall()
        }
        phones = {v for t, v in identifiers if t == "phone"}
        if any(all_masks.count(mask(p)) != 1 for p in phones):
            continue  # a masked phone shared with someone else would be a false trace
        if raw_rows_of(landing, identifiers)["pos/transactions"] == 0:
            continue  # we want till tickets to anonymise
        name = con.execute("select true_name from people where person_id = ?", [person_id]).fetchone()[0]
        con.close()
        return {
            "person_id": person_id,
            "member_id": member_id,
            "identifiers": identifiers,
            "phones": phones,
            "name": name if names.count(name) == 1 else None,
        }
    con.close()
    raise AssertionError("no suitable person in the truth")


def landed_identifiers(landing: Path, tables: list[str] | None = None) -> set[tuple[str, str]]:
    """Every (identifier type, normalised value) the landing tables of ERASURE_SPEC (or ``tables``) carry."""
    con = _landing_connection()
    found = set()
    try:
        for table, (_, specs) in ERASURE_SPEC.items():
            if tables is not None and table not in tables:
                continue
            for identifier_type, columns in specs:
                found |= {
                    (identifier_type, value)
                    for (value,) in con.execute(
                        f"select distinct {_normalised_sql(identifier_type, columns)} "
                        f"from {_reader(landing, table)}"
                    ).fetchall()
                    if value is not None
                }
    finally:
        con.close()
    return found


def whole_person_candidates(truth: Path, landing: Path) -> list[dict]:
    """Ordinary people of the truth (no staff, test, shared phone or shared identifier) with a card, a
    mini-program account, a WeCom contact, a phone and a platform buyer, every identifier already landed, a
    phone mask nobody else has and till tickets: those with a Tmall AND a JD buyer account first."""
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"""
            select ids.person_id, replace(ids.identifier_type, 'buyer_id', 'buyer_key'), ids.identifier_value,
                people.is_staff or people.is_test or people.is_family_shared_phone or ids.is_shared
                    or ids.is_placeholder as is_unusable
            from read_parquet('{truth}/identifiers.parquet') as ids
            inner join read_parquet('{truth}/people.parquet') as people
                on ids.person_id = people.person_id
            order by ids.person_id
            """
        ).fetchall()
        all_masks = [
            mask(phone)
            for (phone,) in con.execute(
                f"select phone from read_parquet('{truth}/people.parquet') union all "
                f"select new_phone from read_parquet('{truth}/people.parquet') where new_phone is not null"
            ).fetchall()
        ]
    finally:
        con.close()
    people: dict[str, dict] = {}
    for person_id, identifier_type, value, is_unusable in rows:
        person = people.setdefault(
            person_id, {"person_id": person_id, "identifiers": set(), "unusable": False}
        )
        person["identifiers"].add((identifier_type, value))
        person["unusable"] |= is_unusable
    landed = landed_identifiers(landing)
    on_tickets = landed_identifiers(landing, ["pos/transactions"])
    eligible = []
    for person in people.values():
        kinds = {t for t, _ in person["identifiers"]}
        phones = {v for t, v in person["identifiers"] if t == "phone"}
        if person["unusable"] or not REQUIRED_KINDS <= kinds or not person["identifiers"] <= landed:
            continue
        if any(all_masks.count(mask(p)) != 1 for p in phones) or not person["identifiers"] & on_tickets:
            continue  # a shared mask would be a false trace; we want till tickets to anonymise
        person["phones"] = phones
        person["platforms"] = {v.split(":", 1)[0] for t, v in person["identifiers"] if t == "buyer_key"}
        eligible.append(person)
    eligible.sort(key=lambda p: (-len(p["platforms"]), p["person_id"]))
    chosen = eligible[:CANDIDATES]
    assert chosen, "no ordinary person with a card, a mini-program account, WeCom and a buyer in the truth"
    return chosen


def write_landed_parquet(
    landing: Path, table: str, partition: str, load: str, rows: list[dict], tag: str
) -> None:
    """One landing file `<table>/dt=<partition>/part-<load YYYYMMDD>-<tag>.parquet` of ``rows``, in the schema
    of the table's files already landed (the caller records it in the generator's ownership marker)."""
    folder = landing / table
    template = pq.read_schema(next(folder.glob("*/*.parquet")))
    columns = {
        f.name: pa.array([r.get(f.name) for r in rows], type=f.type) for f in template if f.name != "dt"
    }
    target = folder / f"dt={partition}" / f"part-{load}-{tag}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), target)


def _write_landed(landing: Path, table: str, partition: str, rows: list[dict], tag: str) -> None:
    write_landed_parquet(landing, table, partition, partition.replace("-", ""), rows, tag)


def _bound_buyers(landing: Path) -> set[str]:
    con = duckdb.connect()
    try:
        return {
            key
            for (key,) in con.execute(
                "select distinct upper(trim(platform)) || ':' || trim(buyer_id) from read_parquet("
                f"'{landing}/ecommerce/membership_bindings/*/*.parquet', union_by_name = true)"
            ).fetchall()
        }
    finally:
        con.close()


def _bind(landing: Path, platform: str, buyer_id: str, phone: str, partition: str, tag: str) -> None:
    """The platform reports that the buyer account joined the brand membership with this phone."""
    day = dt.date.fromisoformat(partition)
    bound_at = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(3, 0))
    row = {
        "platform": platform,
        "buyer_id": buyer_id,
        "phone": phone,
        "bound_at": bound_at,
        "unbound_at": None,
        "updated_at": bound_at,
        "extracted_at": dt.datetime.combine(day, dt.time(16, 46)),
    }
    _write_landed(landing, "ecommerce/membership_bindings", partition, [row], tag)


def _land_new_buyer(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    platform: str,
    buyer_id: str,
    phone: str,
    serial: int,
    tag: str,
) -> None:
    """A new buyer account with one order: a copy of an existing order of the platform (every status version
    and every line) under a new order id, with the person's masked phone as the platform exports it."""
    orders = (
        f"read_parquet('{landing}/ecommerce/orders/*/*.parquet', hive_partitioning = true, "
        "union_by_name = true)"
    )
    cursor = con.execute(
        f"select * exclude (dt), cast(dt as varchar) as landed_dt from {orders} where platform = ? "
        f"and order_id = (select min(order_id) from {orders} where platform = ?) order by updated_at",
        [platform, platform],
    )
    names = [d[0] for d in cursor.description]
    versions = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    template_id = versions[0]["order_id"]
    (max_id,) = con.execute(
        f"select max(cast(order_id as hugeint)) from {orders} where platform = ?", [platform]
    ).fetchone()
    order_id = str(max_id + 1000 + serial)
    for version in versions:
        version.update(order_id=order_id, buyer_id=buyer_id, masked_phone=mask(phone), coupon_code=None)
    for partition in sorted({v["landed_dt"] for v in versions}):
        batch = [v for v in versions if v["landed_dt"] == partition]
        _write_landed(landing, "ecommerce/orders", partition, batch, tag)
    cursor = con.execute(
        f"select * exclude (dt), cast(dt as varchar) as landed_dt from read_parquet("
        f"'{landing}/ecommerce/order_lines/*/*.parquet', hive_partitioning = true, union_by_name = true) "
        "where platform = ? and order_id = ?",
        [platform, template_id],
    )
    names = [d[0] for d in cursor.description]
    lines = [dict(zip(names, r, strict=True), order_id=order_id) for r in cursor.fetchall()]
    assert lines, f"the template {platform} order {template_id} has lines"
    for partition in sorted({line["landed_dt"] for line in lines}):
        batch = [line for line in lines if line["landed_dt"] == partition]
        _write_landed(landing, "ecommerce/order_lines", partition, batch, tag)
    _bind(landing, platform, buyer_id, phone, versions[0]["landed_dt"], tag)


def land_whole_person(landing: Path, person: dict, serial: int) -> list[tuple[str, str, str]]:
    """Make the person a buyer member on both platforms, as the platforms would deliver it: each platform
    buyer account of theirs that no membership binding names gets a binding to their phone; on a platform
    where they have none, a new buyer account with one order and a binding. The files are listed in the
    generator's ownership record, so the build accepts them as demo data under the public key. Returns the
    (identifier type, value, person id) landed beyond the truth."""
    phone = sorted(person["phones"])[0]
    bound = _bound_buyers(landing)
    first_partition = sorted(p.name for p in (landing / "ecommerce/membership_bindings").glob("dt=*"))[0][3:]
    crafted = []
    con = duckdb.connect()
    try:
        for platform, prefix in sorted(PLATFORMS.items()):
            tag = f"erasure{serial}{platform.lower()}"
            buyers = sorted(
                v for t, v in person["identifiers"] if t == "buyer_key" and v.startswith(platform + ":")
            )
            for buyer_key in buyers:
                if buyer_key not in bound:
                    _bind(landing, platform, buyer_key.split(":", 1)[1], phone, first_partition, tag)
            if not buyers:
                digest = hashlib.sha256(f"{person['person_id']}:{platform}".encode()).hexdigest()[:12]
                _land_new_buyer(con, landing, platform, prefix + digest, phone, serial, tag)
                crafted.append(("buyer_key", f"{platform}:{prefix + digest}", person["person_id"]))
    finally:
        con.close()
    record(landing)
    return crafted


def needles_for(person: dict, landing: Path) -> set[str]:
    key, _ = resolve_hash_key({})
    values = {v for _, v in person["identifiers"]}
    needles = set(values)
    needles |= {keyed_hash_hex(v, key) for v in values}  # pseudonyms as the marts would carry them
    needles |= {mask(p) for p in person["phones"]}
    needles |= raw_phone_forms(landing, person["phones"])
    # a buyer key's platform-scoped id without its prefix, as landed in buyer_id
    needles |= {v.split(":", 1)[1] for t, v in person["identifiers"] if t == "buyer_key"}
    needles.add(person["member_id"])
    if person["name"]:
        needles.add(person["name"])
    return needles


def scan_warehouse(db: Path, needles: set[str]) -> list[tuple[str, str, int]]:
    """(relation, needle kind, rows) for every table and view of every schema holding any needle."""
    pattern = "|".join(re.escape(n) for n in sorted(needles))
    con = _connect(db)
    hits = []
    try:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2"
        ).fetchall()
        assert len(relations) > 100
        for schema, name in relations:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchall()
            ]
            text = "concat_ws('|', " + ", ".join(f'cast("{c}" as varchar)' for c in columns) + ")"
            n = con.execute(
                f'select count(*) from "{schema}"."{name}" where regexp_matches({text}, ?)', [pattern]
            ).fetchone()[0]
            if n:
                hits.append((f"{schema}.{name}", "row", n))
    finally:
        con.close()
    return hits


def scan_files(folders: list[Path], needles: set[str]) -> list[tuple[str, str]]:
    encoded = [(n, n.encode("utf-8")) for n in needles]
    hits = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                hits.extend((str(path), n) for n, raw in encoded if raw in data)
    return hits


def _metrics(db: Path) -> dict:
    con = _connect(db)
    try:
        return {
            "orders": con.execute(
                "select channel, count(*), sum(net_sales_amount) from marts.fct_orders group by 1 order by 1"
            ).fetchall(),
            "members": con.execute("select count(*) from marts.dim_members").fetchone()[0],
            "erased": dict(
                con.execute(
                    "select source_table, erased_row_count + anonymised_row_count "
                    "from intermediate.int_rows_erased"
                ).fetchall()
            ),
            "actions": dict(
                con.execute(
                    "select source_table, case when erased_row_count > 0 then 'dropped' "
                    "when anonymised_row_count > 0 then 'anonymised' end from intermediate.int_rows_erased"
                ).fetchall()
            ),
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def erasure(tiny, tmp_path_factory):
    root = tmp_path_factory.mktemp("erasure")
    project = copy_project(root)
    truth = Path(tiny["truth"])
    # an own copy of the landing data: the whole person's missing platform buyer is landed into it
    landing = root / "landing"
    shutil.copytree(tiny["landing"], landing)
    db = root / "warehouse.duckdb"
    env = dbt_env(root, landing, db, key=None)  # the public demo key: the one pseudonyms are computed with

    candidates = whole_person_candidates(truth, landing)
    crafted = [
        identifier
        for serial, candidate in enumerate(candidates)
        for identifier in land_whole_person(landing, candidate, serial)
    ]
    _dbt_build(env, project)
    before = _metrics(db)
    person = pick_person(db, truth, landing, only=[c["person_id"] for c in candidates], crafted=crafted)
    person["crafted"] = [(t, v) for t, v, person_id in crafted if person_id == person["person_id"]]
    needles = needles_for(person, landing)
    hits_before = scan_warehouse(db, needles)
    oracle = raw_rows_of(landing, person["identifiers"])

    # by ONE identifier, the phone: the tool resolves it to the member and all of the member's identifiers
    add = [sys.executable, "-m", "omniwh.erasure", "add", "--phone", sorted(person["phones"])[0]]
    add += ["--duckdb", str(db), "--list", str(ERASURE_LIST), "--requested-on", "2025-05-01"]
    added = subprocess.run(add, env=env, capture_output=True, text=True, cwd=project)
    assert added.returncode == 0, added.stderr
    erasure_list = (project / ERASURE_LIST).read_text(encoding="utf-8")
    again = subprocess.run(add, env=env, capture_output=True, text=True, cwd=project)
    list_after_again = (project / ERASURE_LIST).read_text(encoding="utf-8")

    # target/ and logs/ keep what the build before the erasure wrote: the scan covers them as well
    _dbt_build(env, project)
    after = _metrics(db)
    hits_after = scan_warehouse(db, needles) + scan_files([root / "target", root / "logs"], needles)

    _dbt_build(env, project)  # the same raw files ingested again
    after_reingest = _metrics(db)
    hits_reingest = scan_warehouse(db, needles) + scan_files([root / "target", root / "logs"], needles)
    return {
        "person": person,
        "needles": needles,
        "hits_before": hits_before,
        "oracle": oracle,
        "added": added,
        "again": again,
        "erasure_list": erasure_list,
        "list_after_again": list_after_again,
        "before": before,
        "after": after,
        "after_reingest": after_reingest,
        "hits_after": hits_after,
        "hits_reingest": hits_reingest,
    }


def test_the_person_is_in_several_systems_and_visible_before_erasure(erasure):
    person = erasure["person"]
    # card, mini-program account, Tmall AND JD buyers, WeCom contact: all erased by a request naming a phone
    # (a platform buyer the generated person lacks was landed by the test, as the platform would deliver it)
    kinds = {t for t, _ in person["identifiers"]}
    assert REQUIRED_KINDS <= kinds, kinds
    platforms = {v.split(":", 1)[0] for t, v in person["identifiers"] if t == "buyer_key"}
    assert platforms == set(PLATFORMS), platforms
    assert set(person["crafted"]) <= person["identifiers"]  # the landed buyer resolved to the same member
    # the scan can see the person: without erasure they are all over the warehouse
    assert len(erasure["hits_before"]) >= 10, erasure["hits_before"]
    assert erasure["oracle"]["pos/transactions"] > 0 and erasure["oracle"]["crm/members"] > 0


def test_erasure_list_holds_only_keyed_hashes(erasure):
    rows = list(csv.DictReader(erasure["erasure_list"].splitlines()))
    assert len(rows) == len(erasure["person"]["identifiers"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", row["identifier_hash"]) for row in rows)
    assert not [n for n in erasure["needles"] if n in erasure["erasure_list"]]
    key, _ = resolve_hash_key({})
    expected = {(t, erasure_digest(t, normalise(t, v), key)) for t, v in erasure["person"]["identifiers"]}
    assert {(row["identifier_type"], row["identifier_hash"]) for row in rows} == expected


def test_the_tool_prints_what_the_phone_matched_per_identifier_type(erasure):
    out = erasure["added"].stdout
    assert "matched 1 member(s)" in out, out
    counts = {}
    for t, _ in erasure["person"]["identifiers"]:
        counts[t] = counts.get(t, 0) + 1
    for identifier_type, n in counts.items():
        assert f"{n} {identifier_type}" in out, out
    assert not [n for n in erasure["needles"] if n in out + erasure["added"].stderr]  # counts only


def test_adding_the_same_person_again_adds_nothing(erasure):
    assert erasure["again"].returncode == 0
    assert "nothing new" in erasure["again"].stdout
    assert erasure["list_after_again"] == erasure["erasure_list"]


def test_no_trace_after_rebuild(erasure):
    assert erasure["hits_after"] == []


def test_no_trace_after_reingesting_the_same_raw_files(erasure):
    assert erasure["hits_reingest"] == []
    assert erasure["after_reingest"] == erasure["after"]


def test_store_sales_are_unchanged(erasure):
    # the person's tickets and orders are anonymised, not dropped: every channel keeps its orders and money
    assert erasure["after"]["orders"] == erasure["before"]["orders"]


def test_the_member_is_gone_and_nobody_else(erasure):
    assert erasure["after"]["members"] == erasure["before"]["members"] - 1


def test_erased_rows_match_an_independent_count_of_the_raw_files(erasure):
    oracle = {table.replace("/", "__"): n for table, n in erasure["oracle"].items()}
    counted = {table: n for table, n in erasure["after"]["erased"].items() if n}
    assert counted == {table: n for table, n in oracle.items() if n}
    for table, action in erasure["after"]["actions"].items():
        if action:
            assert action == ERASURE_SPEC[table.replace("__", "/", 1)][0]
    assert all(n == 0 for n in erasure["before"]["erased"].values())


def test_sql_and_python_erasure_hashes_agree():
    # the dbt macro erasure_hash() and omniwh.erasure compute the same digest for the same identifier
    con = duckdb.connect()
    register_udfs(con, {})
    key, _ = resolve_hash_key({})
    for identifier_type, value in (
        ("phone", "13812345678"),
        ("buyer_key", "TMALL:t_abc"),
        ("card_no", "0012"),
    ):
        sql = con.execute(
            "select omni_keyed_hash('erasure|' || ? || '|' || ?)", [identifier_type, value]
        ).fetchone()[0]
        assert sql == erasure_digest(identifier_type, value, key)
    con.close()


@pytest.mark.parametrize(
    ("identifier_type", "raw", "normalised"),
    [
        ("phone", "+86 138 1234 5678", "13812345678"),
        ("phone", "１３８１２３４５６７８", "13812345678"),
        ("phone", "0086-13812345678", "13812345678"),
        ("card_no", " 100012345678 ", "100012345678"),
        ("buyer_key", "tmall: t_abc ", "TMALL:t_abc"),
        ("openid", "oAbC", "oAbC"),
    ],
)
def test_identifiers_are_normalised_as_staging_stores_them(identifier_type, raw, normalised):
    assert normalise(identifier_type, raw) == normalised


@pytest.mark.parametrize(
    ("identifier_type", "raw"),
    [("phone", "13800000000"), ("phone", "021-62345678"), ("buyer_key", "TAOBAO:x"), ("card_no", "  ")],
)
def test_identifiers_staging_never_stores_are_refused(identifier_type, raw):
    with pytest.raises(ErasureError):
        normalise(identifier_type, raw)


def test_parquet_oracle_reads_the_contract_columns(tiny):
    # guard for the oracle above: the columns it reads exist in the landed files
    landing = Path(tiny["landing"])
    for table, (_, specs) in ERASURE_SPEC.items():
        if table in CSV_TABLES:
            continue
        names = pq.read_schema(sorted((landing / table).glob("*/*.parquet"))[0]).names
        assert {c for _, cols in specs for c in cols} <= set(names), table
