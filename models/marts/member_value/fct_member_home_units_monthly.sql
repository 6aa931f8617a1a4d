{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only, and the erasure purge cleans closed months. -#}
{{ config(**month_snapshot_config(member_column='member_id')) }}
-- Each member's home store and banner per snapshot month: the unit a member belongs to in the member-base
-- figures of fct_member_kpis_monthly (member base, 在线率, churn), published so that BI can slice the member
-- marts (RFM segments and migrations, lifecycle stages, new-member journeys) by the same banner and store.
-- The rule itself lives once, in int_member_snapshots_enriched; this mart only exposes it.
with

snapshots as (

    select * from {{ ref('int_member_snapshots_enriched') }}
    where {{ recomputed_months('snapshot_month') }}

),

final as (

    select
        member_id,
        snapshot_month,
        snapshot_date,
        home_store_id,
        home_banner_code,
        home_banner_source
    from snapshots

)

select * from final
