"""The ground truth agrees with the landing data it describes."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from gen_helpers import normalise_phone, read, sql


@pytest.fixture(scope="module")
def truth(tiny):
    t = tiny["truth"]
    return {
        "people": pq.read_table(t / "people.parquet"),
        "ids": pq.read_table(t / "identifiers.parquet"),
        "records": pq.read_table(t / "records.parquet"),
        "effects": json.loads((t / "campaign_effects.json").read_text(encoding="utf-8")),
        "manifest": json.loads((t / "manifest.json").read_text(encoding="utf-8")),
    }


def truth_values(truth, kind: str) -> set[str]:
    ids = truth["ids"]
    return {
        v
        for k, v in zip(
            ids.column("identifier_type").to_pylist(), ids.column("identifier_value").to_pylist(), strict=True
        )
        if k == kind
    }


def column_values(landing, system, table, column) -> set[str]:
    return {v for v in read(landing, system, table).column(column).to_pylist() if v is not None}


def test_every_phone_in_landing_is_in_truth(tiny, truth):
    landing = tiny["landing"]
    phones = truth_values(truth, "phone")
    seen = set()
    for system, table, col in (
        ("pos", "transactions", "member_phone"),
        ("crm", "members", "phone"),
        ("miniprogram", "users", "phone"),
        ("ecommerce", "membership_bindings", "phone"),
        ("wecom", "staff", "phone"),
    ):
        raw = column_values(landing, system, table, col)
        norm = {normalise_phone(v) for v in raw} - {None}
        assert norm, f"{system}.{table}.{col} has no valid phone"
        missing = norm - phones
        assert not missing, f"{system}.{table}.{col}: {sorted(missing)[:5]}"
        seen |= norm
    assert len(seen) > 500


def test_every_other_identifier_in_landing_is_in_truth(tiny, truth):
    landing = tiny["landing"]
    cards = truth_values(truth, "card_no")
    for system, table in (
        ("pos", "transactions"),
        ("crm", "members"),
        ("crm", "points_ledger"),
        ("crm", "consent_events"),
        ("crm", "tier_changes"),
        ("marketing", "audiences"),
        ("marketing", "touches"),
        ("marketing", "coupons_issued"),
    ):
        got = column_values(landing, system, table, "card_no")
        assert got and got <= cards, (system, table, sorted(got - cards)[:3])
    openids = truth_values(truth, "openid")
    for table in ("users", "orders", "events"):
        got = column_values(landing, "miniprogram", table, "openid")
        assert got and got <= openids, table
    unionids = truth_values(truth, "unionid")
    for system, table in (("miniprogram", "users"), ("wecom", "external_contacts")):
        got = column_values(landing, system, table, "unionid")
        assert got and got <= unionids, (system, table)
    buyers = truth_values(truth, "buyer_id")
    for table, system in (
        ("orders", "ecommerce"),
        ("membership_bindings", "ecommerce"),
        ("platform_events", "behaviour"),
    ):
        t = read(landing, system, table)
        got = {
            f"{p}:{b}"
            for p, b in zip(t.column("platform").to_pylist(), t.column("buyer_id").to_pylist(), strict=True)
        }
        assert got and got <= buyers, table
    ext = column_values(landing, "wecom", "external_contacts", "external_userid")
    assert ext and ext <= truth_values(truth, "external_userid")


def test_every_order_in_landing_has_a_truth_record(tiny, truth):
    landing = tiny["landing"]
    rec = truth["records"]
    by_kind: dict[str, set] = {}
    for k, r in zip(rec.column("record_kind").to_pylist(), rec.column("record_id").to_pylist(), strict=True):
        by_kind.setdefault(k, set()).add(r)
    assert len(rec) == len(
        set(zip(rec.column("record_kind").to_pylist(), rec.column("record_id").to_pylist(), strict=True))
    )
    tickets = column_values(landing, "pos", "transactions", "ticket_id")
    assert tickets <= by_kind["pos_ticket"]
    eo = read(landing, "ecommerce", "orders")
    for plat, kind in (("TMALL", "tmall_order"), ("JD", "jd_order")):
        got = {
            o
            for p, o in zip(eo.column("platform").to_pylist(), eo.column("order_id").to_pylist(), strict=True)
            if p == plat
        }
        assert got and got <= by_kind[kind], plat
    assert column_values(landing, "miniprogram", "orders", "order_id") <= by_kind["miniprogram_order"]
    dv = read(landing, "o2o", "delivery_orders")
    for src, kind in (
        ("MINIPROGRAM", "miniprogram_order"),
        ("MEITUAN", "o2o_platform_order"),
        ("ELEME", "o2o_platform_order"),
    ):
        got = {
            o
            for s, o in zip(
                dv.column("source_platform").to_pylist(),
                dv.column("source_order_id").to_pylist(),
                strict=True,
            )
            if s == src
        }
        assert got and got <= by_kind[kind], src
    # references between tables resolve
    red = read(landing, "marketing", "coupon_redemptions")
    pos_refs = {
        o
        for c, o in zip(
            red.column("redeem_channel").to_pylist(), red.column("order_id").to_pylist(), strict=True
        )
        if c == "POS"
    }
    assert pos_refs and pos_refs <= by_kind["pos_ticket"]
    tx = read(landing, "pos", "transactions")
    orig = {o for o in tx.column("original_ticket_id").to_pylist() if o is not None}
    assert orig and orig <= by_kind["pos_ticket"]


def test_truth_persons_exist_and_are_consistent(truth):
    people = set(truth["people"].column("person_id").to_pylist())
    assert len(people) == truth["people"].num_rows == truth["manifest"]["people"]
    for name in ("ids", "records"):
        ids = {p for p in truth[name].column("person_id").to_pylist() if p is not None}
        assert ids <= people, name
    ids = truth["ids"]
    rows = sql(
        """select count(*) filter (where is_placeholder and person_id is not null),
                         count(*) filter (where is_placeholder),
                         count(*) filter (where is_shared)
                  from ids""",
        ids=ids,
    )[0]
    assert rows[0] == 0 and rows[1] >= 3 and rows[2] > 0
    # a shared (family) phone maps to 2-4 persons, every other non-placeholder identifier to one person
    per = sql(
        """select identifier_type, identifier_value, count(distinct person_id) n, bool_or(is_shared) s
                 from ids where not is_placeholder group by all""",
        ids=ids,
    )
    assert all((2 <= n <= 4) if s else n == 1 for _, _, n, s in per)
    # anonymous walk-ins have no person and no linkable identifier
    rec = truth["records"]
    bad = sql("select count(*) from rec where person_id is null and has_linkable_identifier", rec=rec)[0][0]
    assert bad == 0


def test_manifest_counts_match_landing(tiny, truth):
    m = truth["manifest"]
    assert m["seed"] == 42 and m["scale"] == "tiny" and m["period_start"] == "2024-11-01"
    landing = tiny["landing"]
    for name, stats in m["landing"].items():
        system, table = name.split(".")
        assert read(landing, system, table).num_rows == stats["rows"], name
