"""The generator writes the landing contract exactly, deterministically, and appends day by day."""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from gen_helpers import files, read, sql

from omniwh.cli import main as cli_main
from omniwh.generator import append, generate

T, INT, F, B, D, TS = "text", "int", "float", "bool", "date", "ts"
# docs/landing_contract.md, table by table (CSV tables: every column is text)
CONTRACT = {
    ("stores", "store_master"): (
        "csv",
        [
            "store_id",
            "store_name",
            "banner_code",
            "banner_name",
            "city",
            "city_tier",
            "region",
            "floor_area_sqm",
            "opened_on",
            "closed_on",
            "is_o2o_enabled",
            "store_phone",
            "updated_at",
            "extracted_at",
        ],
    ),
    ("stores", "o2o_online_hours"): (
        "parquet",
        {
            "store_id": T,
            "business_date": D,
            "scheduled_minutes": INT,
            "online_minutes": INT,
            "extracted_at": TS,
        },
    ),
    ("pos", "transactions"): (
        "csv",
        [
            "ticket_id",
            "store_id",
            "till_no",
            "cashier_id",
            "transaction_type",
            "original_ticket_id",
            "transaction_time",
            "card_no",
            "member_phone",
            "gross_amount_fen",
            "discount_amount_fen",
            "net_amount_fen",
            "coupon_code",
            "payment_method",
            "extracted_at",
        ],
    ),
    ("pos", "transaction_lines"): (
        "csv",
        [
            "ticket_id",
            "line_no",
            "sku_id",
            "category_code",
            "quantity",
            "unit_price_fen",
            "net_amount_fen",
            "extracted_at",
        ],
    ),
    ("ecommerce", "orders"): (
        "parquet",
        {
            "platform": T,
            "order_id": T,
            "shop_id": T,
            "buyer_id": T,
            "masked_phone": T,
            "order_status": T,
            "created_at": TS,
            "paid_at": TS,
            "completed_at": TS,
            "total_amount": F,
            "discount_amount": F,
            "payment_amount": F,
            "refund_amount": F,
            "coupon_code": T,
            "receiver_city": T,
            "updated_at": TS,
            "extracted_at": TS,
        },
    ),
    ("ecommerce", "order_lines"): (
        "parquet",
        {
            "platform": T,
            "order_id": T,
            "line_id": T,
            "sku_id": T,
            "category_code": T,
            "quantity": INT,
            "unit_price": F,
            "payment_amount": F,
            "refund_amount": F,
            "extracted_at": TS,
        },
    ),
    ("ecommerce", "membership_bindings"): (
        "parquet",
        {
            "platform": T,
            "buyer_id": T,
            "phone": T,
            "bound_at": TS,
            "unbound_at": TS,
            "updated_at": TS,
            "extracted_at": TS,
        },
    ),
    ("miniprogram", "users"): (
        "parquet",
        {
            "openid": T,
            "unionid": T,
            "phone": T,
            "nickname": T,
            "registered_at": INT,
            "phone_authorised_at": INT,
            "updated_at": INT,
            "extracted_at": TS,
        },
    ),
    ("miniprogram", "orders"): (
        "parquet",
        {
            "order_id": T,
            "openid": T,
            "store_id": T,
            "fulfilment_type": T,
            "order_status": T,
            "created_at": INT,
            "paid_at": INT,
            "total_fen": INT,
            "discount_fen": INT,
            "paid_fen": INT,
            "refund_fen": INT,
            "coupon_code": T,
            "updated_at": INT,
            "extracted_at": TS,
        },
    ),
    ("miniprogram", "order_lines"): (
        "parquet",
        {
            "order_id": T,
            "line_no": INT,
            "sku_id": T,
            "category_code": T,
            "quantity": INT,
            "unit_price_fen": INT,
            "paid_fen": INT,
            "extracted_at": TS,
        },
    ),
    ("miniprogram", "events"): (
        "parquet",
        {"event_id": T, "openid": T, "event_type": T, "sku_id": T, "event_time": INT, "extracted_at": TS},
    ),
    ("wecom", "staff"): (
        "parquet",
        {
            "staff_id": T,
            "staff_name": T,
            "store_id": T,
            "role": T,
            "phone": T,
            "joined_on": D,
            "left_on": D,
            "updated_at": INT,
            "extracted_at": TS,
        },
    ),
    ("wecom", "external_contacts"): (
        "parquet",
        {
            "external_userid": T,
            "unionid": T,
            "staff_id": T,
            "store_id": T,
            "add_way": T,
            "added_at": INT,
            "deleted_at": INT,
            "updated_at": INT,
            "extracted_at": TS,
        },
    ),
    ("crm", "members"): (
        "parquet",
        {
            "card_no": T,
            "card_type": T,
            "phone": T,
            "member_name": T,
            "gender": T,
            "birthday": T,
            "city": T,
            "enrol_store_id": T,
            "enrol_channel": T,
            "enrolled_at": T,
            "tier_code": T,
            "member_status": T,
            "updated_at": T,
            "extracted_at": TS,
        },
    ),
    ("crm", "points_ledger"): (
        "parquet",
        {
            "ledger_id": T,
            "card_no": T,
            "change_type": T,
            "points": INT,
            "source_order_id": T,
            "occurred_at": T,
            "extracted_at": TS,
        },
    ),
    ("crm", "tier_changes"): (
        "parquet",
        {"card_no": T, "from_tier": T, "to_tier": T, "changed_at": T, "reason": T, "extracted_at": TS},
    ),
    ("crm", "consent_events"): (
        "parquet",
        {"card_no": T, "channel": T, "consent_status": T, "changed_at": T, "source": T, "extracted_at": TS},
    ),
    ("marketing", "campaigns"): (
        "parquet",
        {
            "campaign_id": T,
            "campaign_name": T,
            "campaign_type": T,
            "channel": T,
            "banner_code": T,
            "start_date": D,
            "end_date": D,
            "cost": F,
            "target_rule": T,
            "holdout_rate": F,
            "updated_at": TS,
            "extracted_at": TS,
        },
    ),
    ("marketing", "audiences"): (
        "parquet",
        {"campaign_id": T, "card_no": T, "is_holdout": B, "assigned_at": TS, "extracted_at": TS},
    ),
    ("marketing", "touches"): (
        "parquet",
        {
            "touch_id": T,
            "campaign_id": T,
            "card_no": T,
            "touch_status": T,
            "touched_at": TS,
            "extracted_at": TS,
        },
    ),
    ("marketing", "coupon_templates"): (
        "parquet",
        {
            "template_id": T,
            "campaign_id": T,
            "face_value": F,
            "threshold_amount": F,
            "valid_days": INT,
            "channel_scope": T,
            "updated_at": TS,
            "extracted_at": TS,
        },
    ),
    ("marketing", "coupons_issued"): (
        "parquet",
        {
            "coupon_code": T,
            "template_id": T,
            "campaign_id": T,
            "card_no": T,
            "issue_channel": T,
            "issued_at": TS,
            "expires_at": TS,
            "extracted_at": TS,
        },
    ),
    ("marketing", "coupon_redemptions"): (
        "parquet",
        {
            "redemption_id": T,
            "coupon_code": T,
            "redeem_channel": T,
            "store_id": T,
            "order_id": T,
            "redeemed_at": TS,
            "extracted_at": TS,
        },
    ),
    ("behaviour", "platform_events"): (
        "parquet",
        {
            "event_id": T,
            "platform": T,
            "buyer_id": T,
            "event_type": T,
            "sku_id": T,
            "campaign_id": T,
            "event_time": TS,
            "extracted_at": TS,
        },
    ),
    ("o2o", "delivery_orders"): (
        "parquet",
        {
            "delivery_id": T,
            "store_id": T,
            "source_platform": T,
            "source_order_id": T,
            "order_amount": F,
            "ordered_at": TS,
            "promised_at": TS,
            "delivered_at": TS,
            "delivery_status": T,
            "extracted_at": TS,
        },
    ),
}
ARROW = {
    T: pa.string(),
    INT: pa.int64(),
    F: pa.float64(),
    B: pa.bool_(),
    D: pa.date32(),
    TS: pa.timestamp("us"),
}
PATH = re.compile(
    r"^(?P<sys>[a-z0-9]+)/(?P<tbl>[a-z0-9_]+)/dt=(?P<dt>\d{4}-\d{2}-\d{2})/part-(?P<load>\d{8})\.(csv|parquet)$"
)


def rel_files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("part-*") if p.is_file()}


def load_of(rel: str) -> str:
    return PATH.match(rel).group("load")


def test_every_contract_table_column_and_type(tiny):
    landing = tiny["landing"]
    present = {(p.parent.parent.parent.name, p.parent.parent.name) for p in landing.rglob("part-*")}
    assert present == set(CONTRACT), "landing tables differ from the contract"
    for (system, table), (fmt, cols) in CONTRACT.items():
        fs = files(landing, system, table)
        assert fs, f"{system}.{table}: no files"
        assert all(f.suffix == "." + fmt for f in fs), f"{system}.{table}: wrong file format"
        if fmt == "csv":
            for f in fs[:50]:
                header = f.open(encoding="utf-8").readline().strip()
                assert header == ",".join(f'"{c}"' for c in cols), f"{f}: header {header}"
        else:
            expected = pa.schema([pa.field(c, ARROW[t]) for c, t in cols.items()])
            for f in fs[:50] + fs[-50:]:
                schema = pq.read_schema(f)
                assert schema.remove_metadata() == expected, f"{f}: {schema}"


def test_layout_partitions_and_extracted_at(tiny):
    landing = tiny["landing"]
    rels = rel_files(landing)
    assert all(PATH.match(r) for r in rels), [r for r in rels if not PATH.match(r)][:5]
    # the load date of a file is never before its partition for facts; dimension partitions are the load date
    for r in rels:
        m = PATH.match(r)
        assert (
            m.group("load") >= m.group("dt").replace("-", "")
            or m.group("sys") == "crm"
            and m.group("tbl") == "consent_events"
        ), r
    # extracted_at is the load day (UTC), identical within one file
    tx = read(landing, "pos", "transactions")
    bad = sql("select count(*) from tx where substr(extracted_at, 1, 10) <> _load", tx=tx)[0][0]
    assert bad == 0
    ev = read(landing, "miniprogram", "orders")
    bad = sql("select count(*) from ev where cast(extracted_at as date) <> cast(_load as date)", ev=ev)[0][0]
    assert bad == 0
    # fact partitions are the business date (Asia/Shanghai) of the main event time
    wrong = sql(
        """select count(*) from tx where transaction_time not like '%/%'
                   and substr(transaction_time, 1, 10) <> _dt""",
        tx=tx,
    )[0][0]
    assert wrong == 0
    mo = read(landing, "ecommerce", "orders")
    wrong = sql(
        """select count(*) from mo
                   where cast(created_at + interval 8 hour as date) <> cast(_dt as date)""",
        mo=mo,
    )[0][0]
    assert wrong == 0
    # dimension rows: dt is the extract date
    mem = read(landing, "crm", "members")
    assert sql("select count(*) from mem where _dt <> _load", mem=mem)[0][0] == 0


def test_same_seed_gives_byte_identical_files(tiny, scratch):
    until = "2024-11-20"
    generate("tiny", 42, str(scratch / "l"), str(scratch / "t"), until=until, quiet=True)
    again = rel_files(scratch / "l")
    full = rel_files(tiny["landing"])
    expected = {r for r in full if load_of(r) <= until.replace("-", "")}
    assert set(again) == expected
    for r in again:
        assert filecmp.cmp(again[r], full[r], shallow=False), r


def test_different_seed_gives_different_data(tiny, scratch):
    generate("tiny", 7, str(scratch / "l"), str(scratch / "t"), until="2024-11-03", quiet=True)
    rel = "pos/transactions/dt=2024-11-02/part-20241102.csv"
    assert (scratch / "l" / rel).read_bytes() != (tiny["landing"] / rel).read_bytes()
    a = pq.read_table(scratch / "t" / "people.parquet")
    b = pq.read_table(tiny["truth"] / "people.parquet")
    assert a.column("phone") != b.column("phone")


def test_generate_until_then_append_equals_generate(tiny, scratch):
    landing = scratch / "l"
    generate("tiny", 42, str(landing), str(scratch / "t"), until="2024-11-10", quiet=True)
    for day in ("2024-11-11", "2024-11-12"):
        append(day, "tiny", 42, str(landing), quiet=True)
    got = rel_files(landing)
    full = rel_files(tiny["landing"])
    expected = {r for r in full if load_of(r) <= "20241112"}
    assert set(got) == expected
    for r in got:
        assert filecmp.cmp(got[r], full[r], shallow=False), r


def test_cli_generate_and_errors(scratch, capsys):
    rc = cli_main(
        [
            "generate",
            "--scale",
            "tiny",
            "--landing",
            str(scratch / "l"),
            "--truth",
            str(scratch / "t"),
            "--until",
            "2024-11-02",
        ]
    )
    assert rc == 0
    err = capsys.readouterr().err
    assert "simulate scale=tiny" in err and "wrote pos.transactions" in err
    assert (scratch / "t" / "manifest.json").exists()
    assert cli_main(["append", "--date", "2019-01-01", "--landing", str(scratch / "l"), "--quiet"]) == 2
    with pytest.raises(SystemExit):
        cli_main(["generate", "--scale", "huge"])


def test_amounts_add_up(tiny):
    """Header amounts equal the sum of their lines; gross - discount = net; refunds mirror the sale."""
    landing = tiny["landing"]
    tx = read(landing, "pos", "transactions")
    tl = read(landing, "pos", "transaction_lines")
    bad = sql(
        """with t as (select distinct * exclude (extracted_at, _load) from tx
                      where net_amount_fen not like '%O' and store_id not like 'S9%'),
               l as (select ticket_id, sum(net_amount_fen::bigint) net,
                            sum(quantity::bigint * unit_price_fen::bigint) gross
                     from (select distinct * exclude (extracted_at, _load) from tl) group by 1)
           select count(*) filter (where t.gross_amount_fen::bigint - t.discount_amount_fen::bigint
                                         <> t.net_amount_fen::bigint),
                  count(*) filter (where (l.net <> t.net_amount_fen::bigint
                                          or l.gross <> t.gross_amount_fen::bigint)
                                   -- a SALE made negative on purpose is a bad row, not a conservation error
                                   and not (t.transaction_type = 'SALE' and t.net_amount_fen::bigint < 0)),
                  count(*) filter (where l.ticket_id is null)
           from t left join l using (ticket_id)""",
        tx=tx,
        tl=tl,
    )[0]
    assert bad == (0, 0, 0)
    eo = read(landing, "ecommerce", "orders")
    el = read(landing, "ecommerce", "order_lines")
    bad = sql(
        """with l as (select platform, order_id, line_id, max(payment_amount) p, max(refund_amount) r
                      from el group by all),
               s as (select platform, order_id, sum(p) p, sum(r) r from l group by all),
               o as (select platform, order_id, max(payment_amount) p, max(refund_amount) r,
                            bool_and(abs(total_amount - discount_amount - payment_amount) < 0.005
                                     or order_status = 'CLOSED') ok
                     from eo group by all)
           select count(*) filter (where abs(o.p - s.p) > 0.011 or abs(o.r - s.r) > 0.011 or not o.ok)
           from o join s using (platform, order_id)""",
        eo=eo,
        el=el,
    )[0][0]
    assert bad == 0
    mo = read(landing, "miniprogram", "orders")
    ml = read(landing, "miniprogram", "order_lines")
    bad = sql(
        """with s as (select order_id, sum(paid_fen) p from
                      (select distinct * exclude (extracted_at, _load) from ml) group by 1),
               o as (select order_id, max(paid_fen) p,
                            bool_and(total_fen - discount_fen = paid_fen or order_status = 'CANCELLED') ok
                     from mo group by 1)
           select count(*) filter (where o.p <> s.p or not o.ok) from o join s using (order_id)""",
        mo=mo,
        ml=ml,
    )[0][0]
    assert bad == 0
