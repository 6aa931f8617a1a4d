"""What each dashboard page shows: its Chinese title and the SQL reading its data from the serving snapshot.

Every number shown is a column of a public mart (or a count of mart rows); the marts' KPI columns are the
semantic layer's metrics, proved equal by pytests/test_semantic_layer.py. Queries return small, already
aggregated tables: the page filters them in the browser (month, banner, store) without a server.

Member counts (RFM segments and migrations, lifecycle stages, journeys) are sliced by the member's home banner
and store of fct_member_home_units_monthly, the unit fct_member_kpis_monthly counts a member's base in: one
row per scope, `st` = `all` / `banner` / `store` and `sv` = `ALL` / banner code / store id, as in that mart.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    subtitle: str
    # name -> SQL over the snapshot (schema marts); each result becomes a list of row objects in the page.
    queries: dict[str, str] = field(default_factory=dict)
    # Filters that apply to this page (the others are shown disabled, with the reason).
    filters: tuple[str, ...] = ("month", "banner", "store")
    note: str = ""


# (scope type, SQL of the unit) for the member slices; `home` is fct_member_home_units_monthly.
HOME_SCOPES = (("all", "'ALL'"), ("banner", "home.home_banner_code"), ("store", "home.home_store_id"))


def by_home_unit(select: str, body: str, order: str) -> str:
    """One aggregate per scope, stacked: `select` and `body` (its from and joins) may use `{unit}`."""
    parts = [
        f"select {select.format(unit=unit)}, '{scope}' as st, {unit} as sv{body.format(unit=unit)}"
        f"where {unit} is not null group by all"
        for scope, unit in HOME_SCOPES
    ]
    return "select * from (\n" + "\nunion all\n".join(parts) + f"\n) as scoped order by {order}"


def members_by_code(mart: str, code: str, name: str) -> str:
    """Members of a member x month mart per month, unit and `code` (with its Chinese `name`)."""
    return by_home_unit(
        f"strftime(member_months.snapshot_month, '%Y-%m') as m, member_months.{code} as code,"
        f" any_value(member_months.{name}) as name, count(*) as n",
        f"""
    from marts.{mart} as member_months
    left join marts.fct_member_home_units_monthly as home
        on member_months.member_id = home.member_id and member_months.snapshot_month = home.snapshot_month
    """,
        "m, st, sv, code",
    )


RFM_SEGMENTS_SQL = members_by_code("fct_member_rfm_monthly", "rfm_segment_code", "rfm_segment_name_zh")

# The migration matrix of fct_rfm_migrations_monthly (previous snapshot's segment -> this one's, `unscored`
# for members outside the RFM population), counted per home unit of the month (of the previous month for a
# member id that no longer exists). Brand-wide it equals that mart's non-zero cells (test_dashboard.py).
RFM_MIGRATIONS_SQL = by_home_unit(
    "strftime(home.snapshot_month, '%Y-%m') as m, coalesce(prev.rfm_segment_code, 'unscored') as f,"
    " coalesce(cur.rfm_segment_code, 'unscored') as t, count(*) as n",
    """
    from (
        select
            pairs.snapshot_month,
            pairs.member_id,
            case when home_now.member_id is null then home_before.home_banner_code
                else home_now.home_banner_code end as home_banner_code,
            case when home_now.member_id is null then home_before.home_store_id
                else home_now.home_store_id end as home_store_id
        from (
            select distinct months.snapshot_month, rfm.member_id
            from (select distinct snapshot_month from marts.fct_member_home_units_monthly) as months
            inner join marts.fct_member_rfm_monthly as rfm
                on rfm.snapshot_month = months.snapshot_month
                    or rfm.snapshot_month = cast(months.snapshot_month - interval 1 month as date)
            where months.snapshot_month
                > (select min(snapshot_month) from marts.fct_member_home_units_monthly)
        ) as pairs
        left join marts.fct_member_home_units_monthly as home_now
            on pairs.member_id = home_now.member_id and pairs.snapshot_month = home_now.snapshot_month
        left join marts.fct_member_home_units_monthly as home_before
            on pairs.member_id = home_before.member_id
                and cast(pairs.snapshot_month - interval 1 month as date) = home_before.snapshot_month
    ) as home
    left join marts.fct_member_rfm_monthly as cur
        on home.member_id = cur.member_id and home.snapshot_month = cur.snapshot_month
    left join marts.fct_member_rfm_monthly as prev
        on home.member_id = prev.member_id
            and cast(home.snapshot_month - interval 1 month as date) = prev.snapshot_month
    """,
    "m, st, sv, f, t",
)

LIFECYCLE_STAGES_SQL = members_by_code(
    "fct_member_lifecycle_monthly", "lifecycle_stage_code", "lifecycle_stage_name_zh"
)

# Journeys by month of first purchase and by the member's home unit at the end of that month (the store that
# won the member, as a rule).
JOURNEYS_SQL = by_home_unit(
    "strftime(date_trunc('month', journeys.first_purchase_date), '%Y-%m') as m, journeys.milestone_day as d,"
    " any_value(journeys.milestone_name_zh) as name, count(*) as n,"
    " count_if(journeys.has_repurchased_by_milestone) as r",
    """
    from marts.fct_member_journey_milestones as journeys
    left join marts.fct_member_home_units_monthly as home
        on journeys.member_id = home.member_id
            and cast(date_trunc('month', journeys.first_purchase_date) as date) = home.snapshot_month
    """,
    "m, st, sv, d",
)


PAGES: tuple[Page, ...] = (
    Page(
        slug="member_health",
        title="会员健康",
        subtitle="会员占比、在线率、复购率、连带率、客单价与新增 / 活跃 / 流失会员(按月、业态、门店)",
        queries={
            "kpis": """
                select
                    strftime(snapshot_month, '%Y-%m') as m,
                    scope_type as st,
                    scope_value as sv,
                    member_order_share as mos,
                    online_reachable_rate as orr,
                    repurchase_rate as rr,
                    items_per_order as ipo,
                    -- 客单价 over every purchase (metric average_transaction_value): net sales / purchases
                    net_sales_amount::double / nullif(orders, 0) as atv,
                    new_members as nm,
                    active_members as am,
                    churned_members as cm,
                    orders as n
                from marts.fct_member_kpis_monthly
                order by m, st, sv
            """,
        },
    ),
    Page(
        slug="rfm",
        title="RFM 会员分层",
        subtitle="八类 RFM 分层的人数与月度迁移",
        queries={
            "segments": RFM_SEGMENTS_SQL,
            "migrations": RFM_MIGRATIONS_SQL,
        },
        note="业态 / 门店 = 会员当月的归属业态 / 门店(与会员健康页的会员基数同一口径)。",
    ),
    Page(
        slug="lifecycle",
        title="会员生命周期",
        subtitle="生命周期漏斗与新会员 3 / 7 / 15 / 30 天旅程",
        queries={
            "stages": LIFECYCLE_STAGES_SQL,
            "journeys": JOURNEYS_SQL,
        },
        note="业态 / 门店 = 会员当月的归属业态 / 门店;旅程按首购月份与首购当月的归属分组"
        "(所选月份没有首购会员时显示全部月份)。",
    ),
    Page(
        slug="cvm",
        title="CVM 会员销售拆解",
        subtitle="会员销售额 = 活跃会员 × 购买频次 × 客单价,以及变化的驱动因素",
        queries={
            "cvm": """
                select
                    strftime(snapshot_month, '%Y-%m') as m,
                    dimension_name as dn,
                    dimension_value as dv,
                    net_sales_amount::double as sales,
                    active_members as am,
                    purchase_frequency as pf,
                    average_order_value as aov
                from marts.fct_cvm_monthly
                where member_type = 'all' and dimension_name in ('all', 'banner', 'store')
                order by m, dn, dv
            """,
            "drivers": """
                select
                    strftime(snapshot_month, '%Y-%m') as m,
                    dimension_name as dn,
                    dimension_value as dv,
                    comparison_basis as basis,
                    net_sales_change_amount::double as change,
                    active_members_effect_amount::double as e_am,
                    purchase_frequency_effect_amount::double as e_pf,
                    average_order_value_effect_amount::double as e_aov
                from marts.fct_cvm_decomposition_monthly
                where member_type = 'all' and dimension_name in ('all', 'banner', 'store')
                order by m, dn, dv, basis
            """,
        },
    ),
    Page(
        slug="campaigns",
        title="营销活动 ROI",
        subtitle="增量 ROI(含 95% 区间,对照组估计)与归因 ROI 并列",
        queries={
            "campaigns": """
                select
                    campaign_id as id,
                    campaign_name as name,
                    campaign_type as type,
                    coalesce(banner_code, 'ALL') as banner,
                    strftime(start_date, '%Y-%m') as m,
                    attributed_roi as aroi,
                    incremental_roi as iroi,
                    incremental_roi_lower as iroi_lo,
                    incremental_roi_upper as iroi_hi,
                    attributed_net_sales_amount::double as asales,
                    incremental_net_sales_amount::double as isales,
                    total_cost_amount::double as cost,
                    is_lift_significant as sig
                from marts.fct_campaign_performance
                order by start_date, campaign_id
            """,
        },
        filters=("month", "banner"),
        note="月份 = 活动开始月份;业态 = 活动投放业态(全业态活动在每个业态下都显示)。",
    ),
    Page(
        slug="stores",
        title="门店分级与坪效",
        subtitle="TOP 模型 S / A / B / C 门店分级与年化坪效",
        queries={
            "stores": """
                select
                    perf.store_id as sid,
                    stores.store_name as name,
                    strftime(perf.month_start_date, '%Y-%m') as m,
                    perf.banner_code as banner,
                    perf.annualised_sales_per_sqm_amount::double as ppsqm,
                    perf.net_sales_amount::double as sales,
                    perf.member_ticket_share as mts,
                    perf.top_score as top,
                    perf.tier_code as tier
                from marts.fct_store_performance_monthly as perf
                left join marts.dim_stores as stores on perf.store_id = stores.store_id
                order by m, sid
            """,
        },
    ),
)

# Filter choices, shared by every page.
FILTER_QUERIES = {
    "months": """
        select distinct strftime(snapshot_month, '%Y-%m') as m
        from marts.fct_member_kpis_monthly
        order by m
    """,
    "banners": """
        select banner_code as code, any_value(banner_name) as name
        from marts.dim_stores
        group by banner_code
        order by banner_code
    """,
    "stores": """
        select store_id as id, store_name as name, banner_code as banner
        from marts.dim_stores
        order by store_id
    """,
}
