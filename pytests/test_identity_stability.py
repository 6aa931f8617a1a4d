"""Member ids are stable: dbt on tiny data in a temporary DuckDB file, rebuilt and appended to.

1. generate `tiny` up to UNTIL, build the identity graph          -> ids_first
2. rebuild with --full-refresh on the same file and data           -> identical ids, no ledger row
3. build a brand-new DuckDB file from the same data                -> identical ids
   and rebuild it with the other components engine (scipy instead of the SQL rounds)
                                                                   -> identical ids
4. append the load of UNTIL + 1 day, plus two crafted landing rows, rebuild:
   - a platform binding that joins two existing members (a Tmall buyer who never bound a phone, and a card
     member's phone)                                               -> exactly one of the two ids retired,
                                                                      a `merge` ledger row says so
   - a new CRM card keyed with the phone that holds a card+phone+openid member together: the phone now sits
     on two cards, cap_phone_cards quarantines it, the member falls apart
                                                                   -> `split` ledger rows via that phone
   and every identifier not in a ledger event keeps its id
5. rebuild with --full-refresh once more                          -> the ledger keeps its rows, adds none
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warehouse_helpers import dbt_env, run_dbt

from omniwh.duckdb_plugin import keyed_hash_hex, resolve_hash_key
from omniwh.generator import append, generate

UNTIL = "2025-02-28"
BUILD_IDENTITY = (
    "build",
    "--select",
    "+path:models/intermediate/identity",
    "--exclude",
    "resource_type:test",
    "resource_type:unit_test",
)
NEXT = (dt.date.fromisoformat(UNTIL) + dt.timedelta(days=1)).isoformat()


def _build(env: dict, *extra: str) -> None:
    """Seeds and models up to the identity graph (upstream seeds included), without their tests."""
    run_dbt(env, *BUILD_IDENTITY, *extra)


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _resolution(db: Path) -> dict[tuple[str, str], str]:
    rows = _query(
        db, "select identifier_type, identifier_value, member_id from intermediate.int_identifiers_resolved"
    )
    return {(t, v): m for t, v, m in rows}


def _ledger(db: Path) -> list[tuple]:
    return _query(
        db,
        "select retired_member_id, surviving_member_id, event_type, via_identifier_type, "
        "via_identifier_hash, run_id from intermediate.int_member_ids_ledger "
        "order by detected_at, retired_member_id",
    )


def _pick_members_to_link(db: Path) -> tuple[dict, dict]:
    """A card member with exactly its card and one phone, and a lone Tmall buyer member."""
    card_member = _query(
        db,
        """
        select stitched.member_id, phone.identifier_value
        from intermediate.int_members_stitched as stitched
        inner join intermediate.int_identity_clusters as phone
            on stitched.member_id = phone.member_id and phone.identifier_type = 'phone'
        where stitched.identifier_count = 2 and stitched.card_no_count = 1 and stitched.phone_count = 1
        order by stitched.member_id
        limit 1
        """,
    )
    buyer_member = _query(
        db,
        """
        select member_id, anchor_identifier_value
        from intermediate.int_members_stitched
        where identifier_count = 1 and anchor_identifier_type = 'buyer_key'
            and anchor_identifier_value like 'TMALL:%'
        order by member_id
        limit 1
        """,
    )
    assert card_member and buyer_member, "tiny data should hold a card+phone member and a lone Tmall buyer"
    return (
        {"member_id": card_member[0][0], "phone": card_member[0][1]},
        {"member_id": buyer_member[0][0], "buyer_key": buyer_member[0][1]},
    )


def _pick_member_to_split(db: Path) -> dict:
    """A member made of exactly one card, one phone and one openid (the phone is the only glue)."""
    rows = _query(
        db,
        """
        select stitched.member_id, phone.identifier_value
        from intermediate.int_members_stitched as stitched
        inner join intermediate.int_identity_clusters as phone
            on stitched.member_id = phone.member_id and phone.identifier_type = 'phone'
        where stitched.identifier_count = 3 and stitched.card_no_count = 1 and stitched.phone_count = 1
            and stitched.openid_count = 1
        order by stitched.member_id
        limit 1
        """,
    )
    assert rows, "tiny data should hold a card+phone+openid member"
    return {"member_id": rows[0][0], "phone": rows[0][1]}


def _write_crafted_card(landing: Path, phone: str) -> Path:
    """One CRM member landed on NEXT: a brand-new card keyed with an existing member's phone."""
    folder = landing / "crm" / "members"
    template = pq.read_schema(next(folder.glob("*/*.parquet")))
    at = f"{NEXT}T10:00:00+08:00"
    values = {
        "card_no": "188888888801",
        "card_type": "NORMAL",
        "phone": phone,
        "member_name": "林晓",
        "gender": "F",
        "birthday": "1990-01-01",
        "city": "上海",
        "enrol_store_id": "S0001",
        "enrol_channel": "POS",
        "enrolled_at": at,
        "tier_code": "T1",
        "member_status": "ACTIVE",
        "updated_at": at,
        "extracted_at": dt.datetime.fromisoformat(f"{NEXT}T16:00:00"),
    }
    columns = {f.name: pa.array([values.get(f.name)], type=f.type) for f in template if f.name != "dt"}
    target = folder / f"dt={NEXT}" / f"part-{NEXT.replace('-', '')}-crafted.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), target)
    return target


def _write_crafted_binding(landing: Path, phone: str, buyer_key: str) -> Path:
    """One membership binding landed on NEXT that binds the lone buyer to the card member's phone."""
    folder = landing / "ecommerce" / "membership_bindings"
    template = pq.read_schema(next(folder.glob("*/*.parquet")))
    platform, buyer_id = buyer_key.split(":", 1)
    at = dt.datetime.fromisoformat(f"{NEXT}T03:00:00")
    values = {
        "platform": platform,
        "buyer_id": buyer_id,
        "phone": phone,
        "bound_at": at,
        "unbound_at": None,
        "updated_at": at,
        "extracted_at": at + dt.timedelta(hours=16),
    }
    columns = {f.name: pa.array([values.get(f.name)], type=f.type) for f in template if f.name != "dt"}
    target = folder / f"dt={NEXT}" / f"part-{NEXT.replace('-', '')}-crafted.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), target)
    return target


@pytest.fixture(scope="module")
def stability(tmp_path_factory):
    root = tmp_path_factory.mktemp("identity_stability")
    landing, truth = root / "landing", root / "truth"
    generate("tiny", 42, str(landing), str(truth), until=UNTIL, quiet=True)
    db = root / "warehouse.duckdb"
    env = dbt_env(root, landing, db)

    _build(env)
    ids_first = _resolution(db)
    ledger_first = _ledger(db)

    _build(env, "--full-refresh")
    ids_rebuilt = _resolution(db)
    ledger_rebuilt = _ledger(db)

    fresh_db = root / "fresh.duckdb"
    fresh_env = dbt_env(root, landing, fresh_db)
    _build(fresh_env)
    ids_fresh = _resolution(fresh_db)
    run_dbt(
        fresh_env,
        "run",
        "--select",
        "path:models/intermediate/identity",
        "--vars",
        "{identity_cc_engine: scipy}",
    )
    ids_scipy_engine = _resolution(fresh_db)
    ledger_scipy_engine = _ledger(fresh_db)
    fresh_db.unlink()

    card_member, buyer_member = _pick_members_to_link(db)
    split_member = _pick_member_to_split(db)
    append(NEXT, "tiny", 42, str(landing), quiet=True)
    _write_crafted_binding(landing, card_member["phone"], buyer_member["buyer_key"])
    _write_crafted_card(landing, split_member["phone"])
    _build(env)
    ids_appended = _resolution(db)
    ledger_appended = _ledger(db)
    quarantined_appended = set(
        _query(
            db,
            "select identifier_type, identifier_value from intermediate.int_identifiers_resolved "
            "where is_quarantined",
        )
    )
    # a full refresh after the events: the ledger keeps them and adds nothing, the ids stay
    _build(env, "--full-refresh")
    ids_refreshed_after_events = _resolution(db)
    ledger_refreshed_after_events = _ledger(db)
    shutil.rmtree(landing)
    return {
        "ids_first": ids_first,
        "ledger_first": ledger_first,
        "ids_rebuilt": ids_rebuilt,
        "ledger_rebuilt": ledger_rebuilt,
        "ids_fresh": ids_fresh,
        "ids_scipy_engine": ids_scipy_engine,
        "ledger_scipy_engine": ledger_scipy_engine,
        "card_member": card_member,
        "split_member": split_member,
        "buyer_member": buyer_member,
        "ids_appended": ids_appended,
        "ledger_appended": ledger_appended,
        "quarantined_appended": quarantined_appended,
        "ids_refreshed_after_events": ids_refreshed_after_events,
        "ledger_refreshed_after_events": ledger_refreshed_after_events,
        "hash_key": resolve_hash_key(env)[0],
    }


def test_first_build_has_members_and_an_empty_ledger(stability):
    members = {m for m in stability["ids_first"].values() if m is not None}
    assert len(members) > 100
    assert stability["ledger_first"] == []


def test_full_refresh_on_same_data_keeps_every_id_and_writes_no_ledger_row(stability):
    assert stability["ids_rebuilt"] == stability["ids_first"]
    assert stability["ledger_rebuilt"] == []


def test_fresh_warehouse_on_same_data_gives_identical_ids(stability):
    assert stability["ids_fresh"] == stability["ids_first"]


def test_scipy_and_sql_components_give_identical_ids(stability):
    assert stability["ids_scipy_engine"] == stability["ids_fresh"]
    assert stability["ledger_scipy_engine"] == []


def test_linking_two_members_retires_exactly_one_id(stability):
    a, b = stability["card_member"]["member_id"], stability["buyer_member"]["member_id"]
    after = stability["ids_appended"]
    phone_key = ("phone", stability["card_member"]["phone"])
    buyer_key = ("buyer_key", stability["buyer_member"]["buyer_key"])
    survivor = after[phone_key]
    assert survivor == after[buyer_key], "the crafted binding must put both identifiers in one member"
    assert survivor in (a, b)
    retired = b if survivor == a else a
    assert retired not in set(after.values())

    new_rows = stability["ledger_appended"][len(stability["ledger_rebuilt"]) :]
    ours = [row for row in new_rows if row[0] == retired]
    assert len(ours) == 1
    retired_id, surviving_id, event_type, via_type, via_hash, _run = ours[0]
    assert (surviving_id, event_type) == (survivor, "merge")
    hashed = {(kind, keyed_hash_hex(value, stability["hash_key"])) for kind, value in (phone_key, buyer_key)}
    assert (via_type, via_hash) in hashed


def test_guard_split_is_recorded_in_the_ledger(stability):
    member = stability["split_member"]
    phone_key = ("phone", member["phone"])
    assert phone_key in stability["quarantined_appended"]
    assert stability["ids_appended"][phone_key] is None
    before, after = stability["ids_first"], stability["ids_appended"]
    parts = {after[k] for k, m in before.items() if m == member["member_id"] and k != phone_key}
    assert len(parts) == 2, "card and openid must now be two members"
    new_rows = stability["ledger_appended"][len(stability["ledger_rebuilt"]) :]
    ours = [row for row in new_rows if row[0] == member["member_id"]]
    moved_to = {row[1] for row in ours}
    assert ours and moved_to == parts - {member["member_id"]}
    phone_hash = ("phone", keyed_hash_hex(member["phone"], stability["hash_key"]))
    assert all(row[2] == "split" and (row[3], row[4]) == phone_hash for row in ours)


def test_identifiers_outside_ledger_events_keep_their_ids(stability):
    before, after = stability["ids_first"], stability["ids_appended"]
    new_rows = stability["ledger_appended"][len(stability["ledger_rebuilt"]) :]
    moved_from = {row[0] for row in new_rows}
    # a guard may quarantine an identifier on new evidence: it then belongs to no member, by design
    quarantined = stability["quarantined_appended"]
    changed = [
        key
        for key, member in before.items()
        if member is not None
        and member not in moved_from
        and key not in quarantined
        and after.get(key) != member
    ]
    assert changed == []
    # and every id that vanished is explained by the ledger
    vanished = {m for m in before.values() if m is not None} - {m for m in after.values() if m is not None}
    assert vanished <= moved_from


def test_ledger_survives_a_full_refresh(stability):
    assert stability["ledger_appended"], "the appended day must have produced ledger rows"
    assert stability["ledger_refreshed_after_events"] == stability["ledger_appended"]
    assert stability["ids_refreshed_after_events"] == stability["ids_appended"]
