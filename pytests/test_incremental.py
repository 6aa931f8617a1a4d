"""Incremental runs: current state equals a full rebuild, closed months stay frozen as reported, a run without
new data changes nothing, a restatement reproduces the full rebuild, and erasure reaches closed months.

dbt on `tiny` data in temporary DuckDB files (only the models the order facts need and the incremental models
with what they read), on a copy of the project (the last step writes the erasure list), with
month_close_days = 1:

1. generate `tiny` up to UNTIL (31 January) and build it (a full build: every incremental model starts from
   scratch); months before January are closed;
2. two daily loads, each followed by an incremental `dbt run`. Besides the generator's own late and re-sent
   rows, day 1 lands crafted rows that stress the incremental logic:
   - a POS ticket re-sent unchanged in a later load (an exact duplicate: `duplicate_row`, nothing changes),
   - a late refund of an old sale (the sale's lines and net sales change, weeks after its own load),
   - a new version of an old Tmall order with a refund (the older version becomes `superseded_version`),
   - an old SALE ticket corrected into a REFUND of another sale (the sale disappears: a tombstone must
     delete it and its lines; the other sale gets a refund),
   - a membership binding that merges a Tmall buyer's member with a card member (the retired member's orders
     of every earlier day must be re-pointed to the survivor);
   day 1 is January's close date: a full build of the landing files as they are then is kept (as_of_close).
   Day 2 lands a new CRM card keyed with the phone of a member whose orders resolved through that phone (the
   phone is now on two cards: quarantined, so those orders lose their member); January is closed by then;
3. (c) a rerun without new data: every incremental table keeps exactly its rows;
4. a full refresh of the same landing files into a new DuckDB file; (a) every incremental model but the
   frozen monthly snapshots (and the two order marts) equals it, row for row in both directions (EXCEPT ALL),
   and so do the open months of the frozen snapshots; (b) months closed before the daily runs kept their rows,
   January equals the as_of_close build, and some closed month differs from the full refresh (the freeze
   held something back);
5. (d) a run with `restate_from` = the first month of data equals the full refresh in every relation;
6. erasure: a member with rows in closed months is put on the erasure list; after the daily run no frozen
   snapshot has a row naming them.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warehouse_helpers import DBT, copy_project, dbt_env, relation_differences

from omniwh.generator import append, generate
from omniwh.generator.ownership import record

UNTIL = dt.date(2025, 1, 31)
# two daily loads: with month_close_days 1, January closes on the first (its last recompute) and is frozen on
# the second, whose split would change it
DAYS = [UNTIL + dt.timedelta(days=n) for n in (1, 2)]
MONTH_CLOSE_DAYS = 1
# frozen snapshots that have rows in every month of the tiny data (campaign curves have days only while a
# campaign runs)
MEMBER_MONTHS = (
    "marts.fct_member_rfm_monthly",
    "marts.fct_member_kpis_monthly",
    "marts.fct_store_performance_monthly",
    "intermediate.int_member_snapshots_aggregated",
)
ERASURE_LIST = Path("seeds/privacy/erasure_requests.csv")
# the order facts, everything they read, and every incremental model with everything it reads
SELECTION = ["+fct_orders", "+fct_order_lines", "+config.materialized:incremental"]
# models that are incremental by design but never rebuilt (a history of runs): nothing to compare
NOT_COMPARED = {"int_member_ids_ledger", "int_member_ids_registered"}  # registered_at, run_id
PUBLIC_VIEWS = ["marts.fct_orders", "marts.fct_order_lines"]


def _dbt(env: dict, project: Path, *args: str) -> None:
    """dbt on the test's copy of the project; a failure fails the test with the end of dbt's output."""
    cmd = [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=project)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")


def _build(env: dict, project: Path, *extra: str, restate_from: str | None = None) -> None:
    variables = {"month_close_days": MONTH_CLOSE_DAYS}
    if restate_from:
        variables["restate_from"] = restate_from
    _dbt(env, project, "run", "--select", *SELECTION, *extra, "--vars", json.dumps(variables))


def _query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _incremental_models(target: Path) -> list[str]:
    """schema.name of every incremental model of the project (from dbt's manifest), except NOT_COMPARED."""
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return sorted(
        f"{node['schema']}.{node['name']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"].get("materialized") == "incremental"
        and node["name"] not in NOT_COMPARED
    )


def _frozen_models(target: Path) -> dict[str, tuple[str, int]]:
    """schema.name -> (month column, months recomputed before the first open month) of every monthly snapshot
    frozen by month (its unique_key is its month column); intermediates recompute one month more."""
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return {
        f"{node['schema']}.{node['name']}": (
            node["config"]["unique_key"],
            1 if node["schema"] == "intermediate" else 0,
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"].get("materialized") == "incremental"
        and node["config"].get("unique_key") in ("snapshot_month", "month_start_date", "business_date")
    }


def _snapshot(db: Path, relations: list[str]) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {rel: sorted(con.execute(f"select * from {rel}").fetchall(), key=repr) for rel in relations}
    finally:
        con.close()


# ---------------------------------------------------------------- crafted landing rows


def _read_csv_rows(landing: Path, table: str, where: str, params: list) -> list[dict]:
    con = duckdb.connect()
    try:
        rel = con.execute(
            f"select * exclude (filename, dt) from read_csv('{landing}/pos/{table}/*/*.csv', "
            "hive_partitioning = true, union_by_name = true, filename = true, all_varchar = true, "
            "header = true) "
            f"where {where}",
            params,
        )
        names = [d[0] for d in rel.description]
        return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]
    finally:
        con.close()


def _write_csv(
    landing: Path, table: str, business_date: str, load: dt.date, rows: list[dict], tag: str
) -> None:
    folder = landing / "pos" / table / f"dt={business_date}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"part-{load:%Y%m%d}-{tag}.csv"

    # like the tills: every value quoted, NULL as an empty unquoted field
    def line(values: list) -> str:
        return ",".join("" if v is None else '"' + str(v).replace('"', '""') + '"' for v in values) + "\n"

    with open(target, "w", encoding="utf-8", newline="") as fh:
        fh.write(line(list(rows[0])))
        for row in rows:
            fh.write(line(list(row.values())))


def _write_parquet(landing: Path, table: str, business_date: str, load: dt.date, values: list[dict]) -> None:
    folder = landing / table
    template = pq.read_schema(next(folder.glob("*/*.parquet")))
    columns = {
        f.name: pa.array([v.get(f.name) for v in values], type=f.type) for f in template if f.name != "dt"
    }
    target = folder / f"dt={business_date}" / f"part-{load:%Y%m%d}-crafted.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), target)


def _pos_extracted(load: dt.date) -> str:
    return f"{load:%Y-%m-%d} 16:30:00"


def _craft_day1(landing: Path, db: Path, load: dt.date) -> dict:
    """Land the crafted rows of day 1; returns what the assertions need."""
    # three old sales without refunds, with lines: a duplicate, a late refund, a sale corrected into a refund
    sales = _query(
        db,
        """
        select orders.source_order_id, orders.business_date
        from marts.fct_orders as orders
        where orders.channel = 'POS' and orders.refund_amount = 0 and orders.line_count >= 1
            and orders.business_date < ?
        order by orders.business_date, orders.source_order_id
        limit 3
        """,
        [UNTIL - dt.timedelta(days=20)],
    )
    assert len(sales) == 3
    (dup_id, dup_date), (refunded_id, refunded_date), (corrected_id, corrected_date) = sales

    # 1. exact re-send of a ticket and its lines, in a later load
    ticket = _read_csv_rows(landing, "transactions", "ticket_id = ?", [dup_id])
    lines = _read_csv_rows(landing, "transaction_lines", "ticket_id = ?", [dup_id])
    for row in ticket + lines:
        row["extracted_at"] = _pos_extracted(load)
    _write_csv(landing, "transactions", str(dup_date), load, ticket, "resent")
    _write_csv(landing, "transaction_lines", str(dup_date), load, lines, "resent")

    # 2. a late refund of one unit of the first line of an old sale, refunded today
    sale = _read_csv_rows(landing, "transactions", "ticket_id = ?", [refunded_id])[0]
    sale_line = _read_csv_rows(
        landing, "transaction_lines", "ticket_id = ? and line_no = '1'", [refunded_id]
    )[0]
    unit_fen = int(sale_line["net_amount_fen"]) // int(sale_line["quantity"])
    refund_id = f"{refunded_id}-R"
    refund = dict(
        sale,
        ticket_id=refund_id,
        transaction_type="REFUND",
        original_ticket_id=refunded_id,
        transaction_time=f"{load:%Y-%m-%d} 11:00:00",
        gross_amount_fen=str(-unit_fen),
        discount_amount_fen="0",
        net_amount_fen=str(-unit_fen),
        coupon_code=None,
        extracted_at=_pos_extracted(load),
    )
    refund_line = dict(
        sale_line,
        ticket_id=refund_id,
        quantity="-1",
        net_amount_fen=str(-unit_fen),
        extracted_at=_pos_extracted(load),
    )
    _write_csv(landing, "transactions", f"{load:%Y-%m-%d}", load, [refund], "late-refund")
    _write_csv(landing, "transaction_lines", f"{load:%Y-%m-%d}", load, [refund_line], "late-refund")

    # 3. an old SALE corrected (same ticket id, new content) into a refund of the duplicated sale: the sale
    # is no order any more, its lines go, and the other sale gets a refund
    corrected = _read_csv_rows(landing, "transactions", "ticket_id = ?", [corrected_id])[0]
    corrected_lines = _read_csv_rows(landing, "transaction_lines", "ticket_id = ?", [corrected_id])
    dup_line = _read_csv_rows(landing, "transaction_lines", "ticket_id = ? and line_no = '1'", [dup_id])[0]
    dup_unit_fen = int(dup_line["net_amount_fen"]) // int(dup_line["quantity"])
    corrected.update(
        transaction_type="REFUND",
        original_ticket_id=dup_id,
        gross_amount_fen=str(-dup_unit_fen),
        discount_amount_fen="0",
        net_amount_fen=str(-dup_unit_fen),
        coupon_code=None,
        extracted_at=_pos_extracted(load),
    )
    first = dict(
        corrected_lines[0],
        sku_id=dup_line["sku_id"],
        category_code=dup_line["category_code"],
        quantity="-1",
        unit_price_fen=dup_line["unit_price_fen"],
        net_amount_fen=str(-dup_unit_fen),
        extracted_at=_pos_extracted(load),
    )
    # the other lines of the corrected ticket are re-sent as returns of nothing (0 units, 0 fen)
    rest = [
        dict(line, quantity="0", net_amount_fen="0", extracted_at=_pos_extracted(load))
        for line in corrected_lines[1:]
    ]
    _write_csv(landing, "transactions", str(corrected_date), load, [corrected], "corrected")
    _write_csv(landing, "transaction_lines", str(corrected_date), load, [first, *rest], "corrected")

    # 4. a new version of an old paid Tmall order: half its payment refunded today
    online = _query(
        db,
        """
        select source_order_id, business_date from marts.fct_orders
        where channel = 'TMALL' and refund_amount = 0 and business_date < ?
        order by business_date, source_order_id
        limit 1
        """,
        [UNTIL - dt.timedelta(days=20)],
    )
    assert online
    online_id, online_date = online[0]
    con = duckdb.connect()
    try:
        cursor = con.execute(
            f"select * exclude (dt) from read_parquet('{landing}/ecommerce/orders/*/*.parquet', "
            "hive_partitioning = true, union_by_name = true) "
            "where platform = 'TMALL' and order_id = ? order by updated_at desc, extracted_at desc limit 1",
            [online_id],
        )
        names = [d[0] for d in cursor.description]
        version = dict(zip(names, cursor.fetchone(), strict=True))
    finally:
        con.close()
    refund_yuan = round(version["payment_amount"] / 2, 2)
    version.update(
        order_status="REFUNDED",
        refund_amount=refund_yuan,
        updated_at=dt.datetime.combine(load, dt.time(3, 0)),
        extracted_at=dt.datetime.combine(load, dt.time(16, 45)),
    )
    _write_parquet(landing, "ecommerce/orders", str(online_date), load, [version])

    # 5. a binding that joins a lone Tmall buyer with orders to a card member with orders (a merge)
    buyer = _query(
        db,
        """
        select member_id, min(identifier_value)
        from intermediate.int_identity_clusters
        where member_id in (select member_id from marts.fct_orders)
        group by member_id
        having count(*) = 1 and min(identifier_type) = 'buyer_key' and min(identifier_value) like 'TMALL:%'
        order by member_id
        limit 1
        """,
    )
    card = _query(
        db,
        """
        select member_id, max(case when identifier_type = 'phone' then identifier_value end)
        from intermediate.int_identity_clusters
        where member_id in (select member_id from marts.fct_orders)
        group by member_id
        having count(*) = 2 and count(case when identifier_type = 'phone' then 1 end) = 1
            and count(case when identifier_type = 'card_no' then 1 end) = 1
        order by member_id
        limit 1
        """,
    )
    assert buyer and card, "tiny data should hold a lone Tmall buyer and a card member, both with orders"
    platform, buyer_id = buyer[0][1].split(":", 1)
    bound = dt.datetime.combine(load, dt.time(3, 0))
    _write_parquet(
        landing,
        "ecommerce/membership_bindings",
        f"{load:%Y-%m-%d}",
        load,
        [
            {
                "platform": platform,
                "buyer_id": buyer_id,
                "phone": card[0][1],
                "bound_at": bound,
                "unbound_at": None,
                "updated_at": bound,
                "extracted_at": bound + dt.timedelta(hours=16),
            }
        ],
    )
    return {
        "duplicated": dup_id,
        "late_refunded": refunded_id,
        "late_refund_yuan": unit_fen / 100,
        "corrected": corrected_id,
        "online": online_id,
        "online_refund_yuan": refund_yuan,
        "merged_members": {buyer[0][0], card[0][0]},
    }


def _craft_day2(landing: Path, db: Path, load: dt.date) -> dict:
    """A new CRM card keyed with the phone of a card+phone member whose orders resolved via the phone."""
    rows = _query(
        db,
        """
        with members as (
            select member_id, max(case when identifier_type = 'phone' then identifier_value end) as phone
            from intermediate.int_identity_clusters
            group by member_id
            having count(case when identifier_type = 'phone' then 1 end) = 1
                and count(case when identifier_type = 'card_no' then 1 end) = 1
        )
        select members.member_id, members.phone
        from marts.fct_orders as orders
        inner join members on orders.member_id = members.member_id
        where orders.resolved_via_identifier_type = 'phone'
        order by members.member_id
        limit 1
        """,
    )
    assert rows, "tiny data should hold a card member with orders resolved through its phone"
    member_id, phone = rows[0]
    at = f"{load:%Y-%m-%d}T10:00:00+08:00"
    _write_parquet(
        landing,
        "crm/members",
        f"{load:%Y-%m-%d}",
        load,
        [
            {
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
                "extracted_at": dt.datetime.combine(load, dt.time(16, 5)),
            }
        ],
    )
    return {"split_member": member_id, "split_phone": phone}


# ---------------------------------------------------------------- the scenario


def _open_month(db: Path) -> dt.date:
    """The first month not yet closed as of the warehouse's as-of date."""
    return _query(
        db, "select min(snapshot_month) from intermediate.int_metric_months_spined where not is_closed_month"
    )[0][0]


def _month_rows(
    db: Path, relation: str, month_column: str, where: str, params: list | None = None
) -> list[tuple]:
    return sorted(_query(db, f"select * from {relation} where {month_column} {where}", params), key=repr)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    project = copy_project(root)  # a copy: the erasure step writes the erasure list (a seed)
    landing, truth = root / "landing", root / "truth"
    generate("tiny", 42, str(landing), str(truth), until=UNTIL.isoformat(), quiet=True)
    db = root / "incremental.duckdb"
    env = dbt_env(root, landing, db)
    _dbt(env, project, "seed")
    _build(env, project)
    relations = _incremental_models(root / "target") + PUBLIC_VIEWS
    frozen = _frozen_models(root / "target")
    members_before = dict(_query(db, "select order_id, member_id from marts.fct_orders"))
    first_day_open = _open_month(db)
    # months closed before the first daily run: frozen since this build
    initial_closed = {
        rel: _month_rows(db, rel, column, f"< date '{first_day_open}' - interval {lookback} month")
        for rel, (column, lookback) in frozen.items()
    }

    crafted = {}
    close_db = root / "as_of_close.duckdb"
    for n, day in enumerate(DAYS, start=1):
        append(day.isoformat(), "tiny", 42, str(landing), quiet=True)
        if n == 1:
            crafted.update(_craft_day1(landing, db, day))
        if n == 2:
            crafted.update(_craft_day2(landing, db, day))
        # the crafted files play the extract's late and re-sent rows: list them with the generator's files so
        # that its next daily append may write beside them (it refuses a folder holding files it did not list)
        record(landing)
        _build(env, project)
        if n == 1:
            # the last day the first daily run's open month is open (its close date): a full build as of it
            assert _query(
                db,
                "select max(month_close_date) = max(as_of_date) from "
                "intermediate.int_metric_months_spined where snapshot_month = ?",
                [first_day_open],
            )[0][0]
            close_env = dbt_env(root, landing, close_db)
            _dbt(close_env, project, "seed")
            _build(close_env, project, "--full-refresh")
    final_open = _open_month(db)
    assert final_open > first_day_open, "the scenario must close a month during its daily runs"

    before_rerun = _snapshot(db, relations)
    _build(env, project)
    after_rerun = _snapshot(db, relations)

    full_db = root / "full_refresh.duckdb"
    full_env = dbt_env(root, landing, full_db)
    _dbt(full_env, project, "seed")
    _build(full_env, project, "--full-refresh")

    current = [rel for rel in relations if rel not in frozen]
    differences = relation_differences(db, full_db, current)
    open_differences = {
        rel: _month_differences(db, full_db, rel, column, f">= date '{final_open}'")
        for rel, (column, _) in frozen.items()
    }
    closed_after = {
        rel: _month_rows(db, rel, column, f"< date '{first_day_open}' - interval {lookback} month")
        for rel, (column, lookback) in frozen.items()
    }
    closed_in_runs = {
        rel: (
            _month_rows(db, rel, f"date_trunc('month', {column})", f"= date '{first_day_open}'"),
            _month_rows(close_db, rel, f"date_trunc('month', {column})", f"= date '{first_day_open}'"),
        )
        for rel, (column, lookback) in frozen.items()
        if lookback == 0
    }
    frozen_vs_full = relation_differences(db, full_db, list(frozen))

    # a deliberate restatement from the first month of data reproduces the full refresh, closed months too
    first_month = _query(db, "select min(snapshot_month) from intermediate.int_metric_months_spined")[0][0]
    _build(env, project, restate_from=f"{first_month:%Y-%m}")
    restated = relation_differences(db, full_db, relations)

    erased = _erase_a_member_of_a_closed_month(env, project, db, frozen, final_open)

    return {
        "db": db,
        "relations": relations,
        "frozen": frozen,
        "differences": differences,
        "open_differences": open_differences,
        "initial_closed": initial_closed,
        "closed_after": closed_after,
        "closed_in_runs": closed_in_runs,
        "frozen_vs_full": frozen_vs_full,
        "restated": restated,
        "before_rerun": before_rerun,
        "after_rerun": after_rerun,
        "members_before": members_before,
        "crafted": crafted,
        "erased": erased,
    }


def _month_differences(
    incr: Path, full: Path, relation: str, column: str, where: str
) -> tuple[int, int, int]:
    """(rows, rows only in incr, rows only in full) of the months `where` selects (multisets: EXCEPT ALL)."""
    sql = f"select * from {relation} where {column} {where}"
    incr_rows, full_rows = Counter(_query(incr, sql)), Counter(_query(full, sql))
    return incr_rows.total(), (incr_rows - full_rows).total(), (full_rows - incr_rows).total()


def _erase_a_member_of_a_closed_month(env: dict, project: Path, db: Path, frozen: dict, open_month: dt.date):
    """Erase (by member id) a member with rows in closed months of the frozen RFM snapshot, then run the daily
    build; returns the member id and, per frozen relation, the rows naming it before and after."""
    member = _query(
        db,
        """
        select rfm.member_id
        from marts.fct_member_rfm_monthly as rfm
        inner join marts.dim_members as members on rfm.member_id = members.member_id
        where rfm.snapshot_month < ? and members.has_crm_card
        group by rfm.member_id
        having count(*) >= 2
        order by rfm.member_id
        limit 1
        """,
        [open_month],
    )[0][0]
    had = {
        rel: _query(db, f"select count(*) from {rel} where {_member_columns_match(db, rel)}", [member])[0][0]
        for rel in frozen
    }
    others_before = _others_in_closed_months(db, frozen, open_month, member)
    add = [sys.executable, "-m", "omniwh.erasure", "add", "--member-id", member, "--duckdb", str(db)]
    add += ["--list", str(project / ERASURE_LIST), "--requested-on", dt.date.today().isoformat()]
    done = subprocess.run(add, env=env, capture_output=True, text=True, cwd=project)
    assert done.returncode == 0, done.stderr
    _dbt(env, project, "seed", "--select", "erasure_requests")
    _build(env, project)
    left = {
        rel: _query(db, f"select count(*) from {rel} where {_member_columns_match(db, rel)}", [member])[0][0]
        for rel in frozen
    }
    others_after = _others_in_closed_months(db, frozen, open_month, member)
    return {"member": member, "had": had, "left": left, "others": (others_before, others_after)}


def _others_in_closed_months(db: Path, frozen: dict, open_month: dt.date, member: str) -> dict[str, list]:
    """Per frozen relation, the rows of its closed months that do not name `member`."""
    return {
        rel: _month_rows(
            db,
            rel,
            column,
            f"< date '{open_month}' - interval {lookback} month and not {_member_columns_match(db, rel)}",
            [member],
        )
        for rel, (column, lookback) in frozen.items()
    }


def _member_columns_match(db: Path, relation: str) -> str:
    """SQL: any text column of the relation equals the parameter (one `?` per column, the same value)."""
    schema, name = relation.split(".")
    columns = [
        row[0]
        for row in _query(
            db,
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "and data_type = 'VARCHAR'",
            [schema, name],
        )
    ]
    assert columns, relation
    return "(" + " or ".join(f"{column} = $1" for column in columns) + ")"


def test_every_current_state_relation_equals_a_full_refresh(scenario):
    """(a) every relation but the frozen snapshots, whole, and the open months of the frozen ones."""
    differences = scenario["differences"]
    for expected in (
        "staging.base_pos__transactions",
        "staging.base_ecommerce__orders",
        "intermediate.int_orders_resolved",
        "intermediate.int_order_lines_resolved",
        "marts.fct_orders",
    ):
        assert expected in differences, f"{expected} was not compared"
    assert all(rows > 0 for rows, _, _ in differences.values()), differences
    differing = {rel: diff for rel, diff in differences.items() if diff[1] or diff[2]}
    assert differing == {}, f"(rows, only incremental, only full refresh): {differing}"
    open_differences = scenario["open_differences"]
    for expected in (*MEMBER_MONTHS, "marts.fct_campaign_performance_daily"):
        assert expected in open_differences, f"{expected} is not a frozen monthly snapshot"
    assert all(open_differences[rel][0] > 0 for rel in MEMBER_MONTHS), open_differences
    differing = {rel: diff for rel, diff in open_differences.items() if diff[1] or diff[2]}
    assert differing == {}, f"open months (rows, only incremental, only full refresh): {differing}"


def test_closed_months_are_frozen_as_reported(scenario):
    """(b) months closed before the daily runs kept the rows they had; the month that closed during them
    equals a full build made on its close date; and the freeze is not trivial: the later changes (the
    day-2 split) would have changed some closed month had it been recomputed."""
    initial, after = scenario["initial_closed"], scenario["closed_after"]
    assert any(initial.values())
    changed = [rel for rel in initial if initial[rel] != after[rel]]
    assert changed == []
    differing = [
        rel for rel, (frozen, as_of_close) in scenario["closed_in_runs"].items() if frozen != as_of_close
    ]
    assert all(scenario["closed_in_runs"][rel][0] for rel in MEMBER_MONTHS if rel.startswith("marts."))
    assert differing == []
    assert any(only_incr or only_full for _, only_incr, only_full in scenario["frozen_vs_full"].values())


def test_restate_from_reproduces_the_full_refresh(scenario):
    """(d) --vars '{restate_from: YYYY-MM}' from the first month: every relation equals the full refresh."""
    differing = {rel: diff for rel, diff in scenario["restated"].items() if diff[1] or diff[2]}
    assert differing == {}, f"(rows, only incremental, only full refresh): {differing}"


def test_erasure_reaches_closed_months(scenario):
    """Erasure overrides the freeze: no frozen snapshot keeps a row naming the erased member."""
    erased = scenario["erased"]
    assert erased["had"]["marts.fct_member_rfm_monthly"] >= 2
    left = {rel: count for rel, count in erased["left"].items() if count}
    assert left == {}


def test_erasure_leaves_everybody_else_in_closed_months(scenario):
    """The purge deletes the erased member's rows only: every other row of a closed month stays as it was."""
    before, after = scenario["erased"]["others"]
    assert sum(len(rows) for rows in before.values()) > 0
    changed = {rel: (len(before[rel]), len(after[rel])) for rel in before if before[rel] != after[rel]}
    assert changed == {}


def test_a_rerun_without_new_data_changes_no_row(scenario):
    """(c) every incremental relation, frozen snapshots included, keeps exactly its rows."""
    before, after = scenario["before_rerun"], scenario["after_rerun"]
    changed = [rel for rel in scenario["relations"] if before[rel] != after[rel]]
    assert changed == []


def test_crafted_changes_reached_the_order_facts(scenario):
    db, crafted = scenario["db"], scenario["crafted"]
    orders = {
        row[0]: row[1:]
        for row in _query(
            db,
            "select source_order_id, channel, refund_amount, member_id from marts.fct_orders "
            "where source_order_id in (?, ?, ?, ?)",
            [crafted["duplicated"], crafted["late_refunded"], crafted["corrected"], crafted["online"]],
        )
    }
    # the corrected sale is no order any more (tombstone), the duplicate changed nothing but the refund the
    # corrected ticket now gives on it, the late refund and the new Tmall version arrived
    assert crafted["corrected"] not in orders
    assert (
        _query(
            db,
            "select count(*) from marts.fct_order_lines where order_id = ?",
            [f"POS:{crafted['corrected']}"],
        )[0][0]
        == 0
    )
    assert float(orders[crafted["duplicated"]][1]) > 0
    assert float(orders[crafted["late_refunded"]][1]) == pytest.approx(crafted["late_refund_yuan"])
    assert float(orders[crafted["online"]][1]) == pytest.approx(crafted["online_refund_yuan"])
    duplicates = _query(
        db,
        "select count(*) from staging.base_pos__transactions where ticket_id = ? "
        "and _quarantine_reason = 'duplicate_row'",
        [crafted["duplicated"]],
    )
    assert duplicates[0][0] == 1


def test_identity_changes_re_pointed_orders_of_earlier_days(scenario):
    db, crafted, before = scenario["db"], scenario["crafted"], scenario["members_before"]
    after = dict(_query(db, "select order_id, member_id from marts.fct_orders"))
    moved = {order for order, member in before.items() if order in after and after[order] != member}
    assert moved, "the crafted merge and split must re-point orders loaded before them"
    merged_before = {order for order, member in before.items() if member in crafted["merged_members"]}
    merged_after = {after[order] for order in merged_before if order in after}
    assert len(merged_after) == 1, "both merged members' orders now belong to one member"
    split_orders = {
        order for order, member in before.items() if member == crafted["split_member"] and order in after
    }
    assert any(after[order] != crafted["split_member"] for order in split_orders)
