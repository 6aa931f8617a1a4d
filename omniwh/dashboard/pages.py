"""What each dashboard page shows: its Chinese title and the SQL reading its data from the serving snapshot.

Every number shown is a column of a public mart (or a count of mart rows); the marts' KPI columns are the
semantic layer's metrics, proved equal by pytests/test_semantic_layer.py. Queries return small, already
aggregated tables: the page filters them in the browser (month, banner, store) without a server.
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


PAGES: tuple[Page, ...] = (
    Page(
        slug="member_health",
        title="会员健康",
        subtitle="会员占比、在线率与新增 / 活跃 / 流失会员(按月、业态、门店)",
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
            "segments": """
                select
                    strftime(snapshot_month, '%Y-%m') as m,
                    rfm_segment_code as code,
                    any_value(rfm_segment_name_zh) as name,
                    count(*) as n
                from marts.fct_member_rfm_monthly
                group by all
                order by m, code
            """,
            "migrations": """
                select
                    strftime(snapshot_month, '%Y-%m') as m,
                    from_segment_code as f,
                    to_segment_code as t,
                    member_count as n
                from marts.fct_rfm_migrations_monthly
                order by m, f, t
            """,
        },
        filters=("month",),
        note="RFM 按全品牌会员计算,不按业态或门店拆分。",
    ),
    Page(
        slug="lifecycle",
        title="会员生命周期",
        subtitle="生命周期漏斗与新会员 3 / 7 / 15 / 30 天旅程",
        queries={
            "stages": """
                select
                    strftime(snapshot_month, '%Y-%m') as m,
                    lifecycle_stage_code as code,
                    any_value(lifecycle_stage_name_zh) as name,
                    count(*) as n
                from marts.fct_member_lifecycle_monthly
                group by all
                order by m, code
            """,
            "journeys": """
                select
                    strftime(date_trunc('month', first_purchase_date), '%Y-%m') as m,
                    milestone_day as d,
                    any_value(milestone_name_zh) as name,
                    count(*) as n,
                    count_if(has_repurchased_by_milestone) as r
                from marts.fct_member_journey_milestones
                group by all
                order by m, d
            """,
        },
        filters=("month",),
        note="旅程按首购月份分组(所选月份没有首购会员时显示全部);生命周期按全品牌会员计算。",
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
