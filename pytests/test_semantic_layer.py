"""The semantic layer agrees with the marts: `mf query` on the serving snapshot returns, for every metric of
models/semantic/, the marts' own column for three months and two slices (a banner and a store), picked from
the data rather than fixed. The dashboard shows the marts' columns, so this is what makes its numbers the
semantic layer's numbers.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from snapshot_helpers import serving_snapshot, snapshot_rows  # noqa: F401  (fixture)

from omniwh import semantic


def _close(actual: str, expected) -> bool:
    if expected is None or actual in ("", None):
        return (expected is None) and actual in ("", None)
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-9)


@pytest.fixture(scope="module")
def picks(serving_snapshot):  # noqa: F811
    """Three complete months with data, and the banner and store with the most purchases in the latest."""
    months = [
        row[0]
        for row in snapshot_rows(
            serving_snapshot,
            "select distinct snapshot_month from marts.fct_member_kpis_monthly"
            " where is_complete_month and orders > 0 order by snapshot_month desc limit 3",
        )
    ]
    assert len(months) == 3, f"need three complete months in the snapshot, found {months}"
    slices = {}
    for scope_type in ("banner", "store"):
        slices[scope_type] = snapshot_rows(
            serving_snapshot,
            "select scope_value from marts.fct_member_kpis_monthly"
            " where scope_type = ? and snapshot_month = ? order by orders desc, scope_value limit 1",
            [scope_type, months[0]],
        )[0][0]
    return {"months": sorted(months), "banner": slices["banner"], "store": slices["store"]}


def _mf(serving, metrics, group_by, where, months):
    rows = semantic.query(
        metrics,
        ["metric_time__month", *group_by],
        where,
        start_time=months[0].isoformat(),
        end_time=(months[-1] + dt.timedelta(days=27)).isoformat(),
        serving=serving,
    )
    return {(row["metric_time__month"][:10], *(row[g] for g in group_by)): row for row in rows}


def _compare(mf_rows, mart_rows, columns_by_metric, n_expected):
    assert len(mart_rows) == n_expected, f"expected {n_expected} mart rows, got {len(mart_rows)}"
    mismatches, compared = [], 0
    for key, expected in mart_rows.items():
        got = mf_rows.get(key)
        assert got is not None, f"mf returned no row for {key}; it returned {sorted(mf_rows)}"
        for metric, value in columns_by_metric(expected).items():
            compared += value is not None
            if not _close(got[metric], value):
                mismatches.append((key, metric, got[metric], value))
    assert not mismatches, f"mf query differs from the mart: {mismatches}"
    assert compared >= n_expected, "too few non-NULL values compared"


KPI_METRICS = {
    "member_order_share": "member_order_share",
    "online_reachable_rate": "online_reachable_rate",
    "repurchase_rate": "repurchase_rate",
    "items_per_order": "items_per_order",
    "new_members": "new_members",
    "churned_members": "churned_members",
    # 客单价 over every purchase: the mart publishes its two sums, the metric divides them
    "average_transaction_value": "net_sales_amount / nullif(orders, 0)",
    # the ratios' parts, metrics of their own
    "kpi_orders_total": "orders",
    "kpi_member_orders_total": "member_orders",
    "kpi_share_base_orders_total": "orders - staff_orders",
    "kpi_items_total": "items",
    "kpi_net_sales_total": "net_sales_amount",
    "kpi_active_members_total": "active_members",
    "kpi_repurchasing_members_total": "repurchasing_members",
    "kpi_member_base_total": "member_base",
    "kpi_online_reachable_members_total": "online_reachable_members",
}


def test_member_kpis_equal_mart(serving_snapshot, picks):  # noqa: F811
    dims = ["kpi_unit__scope_type", "kpi_unit__scope_value"]
    where = [f"{{{{ Dimension('kpi_unit__scope_value') }}}} in ('{picks['banner']}', '{picks['store']}')"]
    mf_rows = _mf(serving_snapshot, list(KPI_METRICS), dims, where, picks["months"])
    cols = ", ".join(KPI_METRICS.values())
    mart = snapshot_rows(
        serving_snapshot,
        f"select strftime(snapshot_month, '%Y-%m-%d'), scope_type, scope_value, {cols}"
        " from marts.fct_member_kpis_monthly where snapshot_month in (?, ?, ?)"
        " and ((scope_type = 'banner' and scope_value = ?) or (scope_type = 'store' and scope_value = ?))",
        [*picks["months"], picks["banner"], picks["store"]],
    )
    mart_rows = {row[:3]: dict(zip(KPI_METRICS, row[3:], strict=True)) for row in mart}
    _compare(mf_rows, mart_rows, lambda values: values, 6)

    # 客单价 once more, from the orders themselves (fct_orders: purchases = orders not refunded in full)
    orders = snapshot_rows(
        serving_snapshot,
        "select strftime(date_trunc('month', business_date), '%Y-%m-%d') as m, unit_type, unit,"
        " sum(net_sales_amount) / count(*) from ("
        "   select business_date, net_sales_amount, 'banner' as unit_type, banner_code as unit"
        "   from marts.fct_orders where net_sales_amount > 0 and banner_code = ?"
        "   union all"
        "   select business_date, net_sales_amount, 'store' as unit_type, store_id as unit"
        "   from marts.fct_orders where net_sales_amount > 0 and store_id = ?"
        " ) as purchases where date_trunc('month', business_date) in (?, ?, ?) group by all",
        [picks["banner"], picks["store"], *picks["months"]],
    )
    assert len(orders) == 6, orders
    for month, unit_type, unit, value in orders:
        got = mf_rows[(month, unit_type, unit)]["average_transaction_value"]
        assert _close(got, value), (month, unit_type, unit, got, value)


CVM_METRICS = {
    "member_net_sales": "net_sales_amount",
    "cvm_active_members_total": "active_members",
    "purchase_frequency": "purchase_frequency",
    "average_order_value": "average_order_value",
    "cvm_purchases_total": "purchases",
}
CVM_CHANGE_METRICS = {
    "net_sales_change": "net_sales_change_amount",
    "active_members_effect": "active_members_effect_amount",
    "purchase_frequency_effect": "purchase_frequency_effect_amount",
    "average_order_value_effect": "average_order_value_effect_amount",
}


@pytest.mark.parametrize(
    ("prefix", "metrics", "table", "extra_where"),
    [
        ("cvm_slice", CVM_METRICS, "fct_cvm_monthly", ""),
        ("cvm_change", CVM_CHANGE_METRICS, "fct_cvm_decomposition_monthly", "previous_month"),
    ],
    ids=["cvm", "cvm_drivers"],
)
def test_cvm_equal_mart(serving_snapshot, picks, prefix, metrics, table, extra_where):  # noqa: F811
    dims = [f"{prefix}__dimension_name", f"{prefix}__dimension_value"]
    where = [
        f"{{{{ Dimension('{prefix}__member_type') }}}} = 'all'",
        f"{{{{ Dimension('{prefix}__dimension_value') }}}} in ('{picks['banner']}', '{picks['store']}')",
        f"{{{{ Dimension('{prefix}__dimension_name') }}}} in ('banner', 'store')",
    ]
    basis = ""
    if extra_where:
        where.append(f"{{{{ Dimension('{prefix}__comparison_basis') }}}} = '{extra_where}'")
        basis = f" and comparison_basis = '{extra_where}'"
    mf_rows = _mf(serving_snapshot, list(metrics), dims, where, picks["months"])
    cols = ", ".join(f"{column}::double" for column in metrics.values())
    mart = snapshot_rows(
        serving_snapshot,
        f"select strftime(snapshot_month, '%Y-%m-%d'), dimension_name, dimension_value, {cols}"
        f" from marts.{table} where member_type = 'all' and snapshot_month in (?, ?, ?){basis}"
        " and ((dimension_name = 'banner' and dimension_value = ?)"
        " or (dimension_name = 'store' and dimension_value = ?))",
        [*picks["months"], picks["banner"], picks["store"]],
    )
    mart_rows = {row[:3]: dict(zip(metrics, row[3:], strict=True)) for row in mart}
    _compare(mf_rows, mart_rows, lambda values: values, 6)


def test_campaign_roi_equal_mart(serving_snapshot):  # noqa: F811
    """Per campaign (the mart's grain), over every campaign of the snapshot."""
    metrics = {
        "attributed_roi": "attributed_roi",
        "incremental_roi": "incremental_roi",
        "incremental_roi_lower": "incremental_roi_lower",
        "incremental_roi_upper": "incremental_roi_upper",
        "campaign_attributed_net_sales": "attributed_net_sales_amount",
        "campaign_total_cost": "total_cost_amount",
    }
    # unrounded in the metric, rounded to the fen in the mart
    rounded = {
        "campaign_incremental_net_sales": "incremental_net_sales_amount",
        "campaign_incremental_net_sales_lower": "incremental_net_sales_lower_amount",
        "campaign_incremental_net_sales_upper": "incremental_net_sales_upper_amount",
    }
    rows = semantic.query([*metrics, *rounded], ["campaign"], serving=serving_snapshot)
    mf_rows = {(row["campaign"],): row for row in rows}
    mart = snapshot_rows(
        serving_snapshot,
        f"select campaign_id, {', '.join(metrics.values())} from marts.fct_campaign_performance",
    )
    months = snapshot_rows(
        serving_snapshot,
        "select count(distinct date_trunc('month', start_date)) from marts.fct_campaign_performance",
    )[0][0]
    assert months >= 3, f"campaigns start in {months} months; the test wants at least three"
    mart_rows = {(row[0],): dict(zip(metrics, row[1:], strict=True)) for row in mart}
    _compare(mf_rows, mart_rows, lambda values: values, len(mart))
    fen = snapshot_rows(
        serving_snapshot,
        f"select campaign_id, {', '.join(rounded.values())} from marts.fct_campaign_performance",
    )
    off = [
        (row[0], metric, mf_rows[(row[0],)][metric], value)
        for row in fen
        for metric, value in zip(rounded, row[1:], strict=True)
        if (value is None) != (mf_rows[(row[0],)][metric] in ("", None))
        or (value is not None and abs(float(mf_rows[(row[0],)][metric]) - float(value)) > 0.005 + 1e-9)
    ]
    assert not off, f"mf incremental net sales differ from the mart by more than half a fen: {off}"
