"""CVM marts of the built warehouse: the identity and the decomposition hold on every row, to the fen.

Reads the DuckDB warehouse that `make build` / `make test` produced (OMNI_DUCKDB_PATH, default
data/warehouse.duckdb). Skips only when that file does not exist; a warehouse without the CVM marts fails.

What is checked, independently of the SQL (Python decimals and math.log, not the dbt macros):
- fct_cvm_monthly: net_sales_amount = active_members x purchase_frequency x average_order_value to the fen on
  every row; a row without active members has no purchases, no sales and NULL ratios; the brand row of each
  month holds exactly the member purchases of fct_orders of that month;
- fct_cvm_decomposition_monthly: the three effects add up to the change exactly (decimals, no tolerance) on
  every row; the change is current minus base; each effect equals the LMDI effect recomputed here from the
  fct_cvm_monthly rows of the two months (within the fen rounding the mart documents); zeros follow the
  documented rule (all to active members when one side has no active members); and every CVM row whose base
  month lies inside the data has its decomposition row.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
CENT = Decimal("0.01")
HALF_CENT = 0.005
EPS = 1e-6


def _warehouse() -> Path:
    value = Path(os.environ.get("OMNI_DUCKDB_PATH", "data/warehouse.duckdb"))
    return value if value.is_absolute() else REPO / value


@pytest.fixture(scope="module")
def con():
    path = _warehouse()
    if not path.exists():
        pytest.skip(f"the warehouse is not built ({path} does not exist); run `make build` first")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def _rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def cvm(con) -> list[dict]:
    rows = _rows(con, "select * from marts.fct_cvm_monthly")
    assert rows, "marts.fct_cvm_monthly is empty"
    return rows


@pytest.fixture(scope="module")
def decomposition(con) -> list[dict]:
    rows = _rows(con, "select * from marts.fct_cvm_decomposition_monthly")
    assert rows, "marts.fct_cvm_decomposition_monthly is empty"
    return rows


def _key(row: dict) -> tuple:
    return (row["dimension_name"], row["dimension_value"], row["member_type"])


def _months_back(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _log_mean(a: float, b: float) -> float:
    return a if a == b else (a - b) / (math.log(a) - math.log(b))


def test_cvm_identity_holds_on_every_row(cvm):
    broken = []
    for row in cvm:
        sales = row["net_sales_amount"]
        assert isinstance(sales, Decimal), "net_sales_amount must be a decimal (yuan to the fen)"
        if row["active_members"] == 0:
            if not (
                row["purchases"] == 0
                and sales == 0
                and row["purchase_frequency"] is None
                and row["average_order_value"] is None
            ):
                broken.append(row)
            continue
        product = row["active_members"] * row["purchase_frequency"] * row["average_order_value"]
        if abs(product - float(sales)) >= HALF_CENT:
            broken.append({**row, "product": product})
    assert not broken, f"{len(broken)} CVM rows break sales = active x frequency x AOV, e.g. {broken[:3]}"


def test_cvm_brand_rows_match_fct_orders(con, cvm):
    orders = {
        row["snapshot_month"]: row
        for row in _rows(
            con,
            """
            select
                months.snapshot_month,
                sum(orders.net_sales_amount) as net_sales_amount,
                count(*) as purchases,
                count(distinct orders.member_id) as active_members
            from intermediate.int_metric_months_spined as months
            inner join marts.fct_orders as orders
                on orders.business_date between months.snapshot_month and months.snapshot_date
            where orders.member_id is not null
                and orders.net_sales_amount > 0
            group by months.snapshot_month
            """,
        )
    }
    brand = {
        row["snapshot_month"]: row
        for row in cvm
        if row["dimension_name"] == "all" and row["member_type"] == "all"
    }
    assert orders, "no member purchases in fct_orders"
    for month, expected in orders.items():
        got = brand.get(month)
        assert got is not None, f"no brand CVM row for {month}"
        assert got["net_sales_amount"] == expected["net_sales_amount"], month
        assert got["purchases"] == expected["purchases"], month
        assert got["active_members"] == expected["active_members"], month


def test_decomposition_adds_up_to_the_change_exactly(decomposition):
    broken = [
        row
        for row in decomposition
        if row["active_members_effect_amount"]
        + row["purchase_frequency_effect_amount"]
        + row["average_order_value_effect_amount"]
        != row["net_sales_change_amount"]
        or row["net_sales_change_amount"] != row["net_sales_amount"] - row["base_net_sales_amount"]
        or any(
            row[column].quantize(CENT) != row[column]
            for column in (
                "net_sales_change_amount",
                "active_members_effect_amount",
                "purchase_frequency_effect_amount",
                "average_order_value_effect_amount",
            )
        )
    ]
    assert not broken, f"{len(broken)} decomposition rows do not add up to the fen, e.g. {broken[:3]}"


def test_decomposition_matches_lmdi_recomputed_from_cvm(cvm, decomposition):
    by_key = {(row["snapshot_month"], *_key(row)): row for row in cvm}
    first_month = min(row["snapshot_month"] for row in cvm)
    offsets = {"previous_month": 1, "same_month_last_year": 12}
    seen = set()
    mismatches = []
    for row in decomposition:
        current = by_key[(row["snapshot_month"], *_key(row))]
        base_month = _months_back(row["snapshot_month"], offsets[row["comparison_basis"]])
        assert row["base_month"] == base_month
        assert base_month >= first_month, f"decomposition against a month before the data: {row}"
        base = by_key.get((base_month, *_key(row)))
        seen.add((row["snapshot_month"], *_key(row), row["comparison_basis"]))

        s1, s0 = float(current["net_sales_amount"]), float(base["net_sales_amount"]) if base else 0.0
        a1, a0 = current["active_members"], base["active_members"] if base else 0
        change = s1 - s0
        if a1 > 0 and a0 > 0:
            weight = _log_mean(s1, s0)
            expected = {
                "active_members_effect_amount": weight * math.log(a1 / a0),
                "purchase_frequency_effect_amount": weight
                * math.log(current["purchase_frequency"] / base["purchase_frequency"]),
                "average_order_value_effect_amount": weight
                * math.log(current["average_order_value"] / base["average_order_value"]),
            }
            method = "lmdi"
            # LMDI leaves no residual: the recomputed effects add up to the change on their own
            assert abs(sum(expected.values()) - change) < 1e-6 * max(1.0, abs(change)), row
        else:
            expected = {
                "active_members_effect_amount": change,
                "purchase_frequency_effect_amount": 0.0,
                "average_order_value_effect_amount": 0.0,
            }
            method = "no_sales" if a1 == 0 and a0 == 0 else ("appearance" if a1 > 0 else "disappearance")
        if row["decomposition_method"] != method:
            mismatches.append(("method", row, method))
        tolerances = {
            "active_members_effect_amount": HALF_CENT + EPS,
            "purchase_frequency_effect_amount": HALF_CENT + EPS,
            # takes the rounding remainder of the other two
            "average_order_value_effect_amount": 2 * HALF_CENT + EPS,
        }
        for column, value in expected.items():
            if abs(float(row[column]) - value) > tolerances[column]:
                mismatches.append((column, row, value))
    assert not mismatches, f"{len(mismatches)} effects differ from the recomputed LMDI, e.g. {mismatches[:3]}"

    # every CVM row with a base month inside the data has its decomposition rows
    missing = [
        (row["snapshot_month"], *_key(row), basis)
        for row in cvm
        for basis, months in offsets.items()
        if _months_back(row["snapshot_month"], months) >= first_month
        and (row["snapshot_month"], *_key(row), basis) not in seen
    ]
    assert not missing, f"{len(missing)} CVM rows lack a decomposition, e.g. {missing[:3]}"
