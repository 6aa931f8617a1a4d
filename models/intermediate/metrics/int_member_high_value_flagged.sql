{#- Closed months frozen (macros/incremental/month_freeze.sql): an incremental run recomputes the open months and
    the month before the first of them, which the marts compare the open month with. -#}
{{ config(**month_snapshot_config(member_column='member_id')) }}
-- Whether a member counts as high-value in a snapshot month (FAST "Superiority"), by the rules of seed
-- metric_high_value_rules: a member is high-value when ANY rule matches, a `tier` rule on the member's tier
-- on the snapshot date or an `rfm_segment` rule on the member's RFM segment of the month. One row per member
-- and snapshot month (grain of int_member_snapshots_enriched).
with

snapshots as (

    select * from {{ ref('int_member_snapshots_enriched') }}
    where {{ recomputed_months('snapshot_month', lookback_months=1) }}

),

rfm as (

    select * from {{ ref('int_member_rfm_scored') }}
    where {{ recomputed_months('snapshot_month', lookback_months=1) }}

),

rules as (

    select * from {{ ref('metric_high_value_rules') }}

),

matched as (

    select
        snapshots.member_id,
        snapshots.snapshot_month,
        max(case when rules.rule_type = 'tier' then 1 else 0 end) = 1 as is_high_value_by_tier,
        max(case when rules.rule_type = 'rfm_segment' then 1 else 0 end) = 1 as is_high_value_by_rfm
    from snapshots
    left join rfm
        on snapshots.member_id = rfm.member_id
            and snapshots.snapshot_month = rfm.snapshot_month
    inner join rules
        on (rules.rule_type = 'tier' and snapshots.tier_code = rules.rule_value)
            or (rules.rule_type = 'rfm_segment' and rfm.rfm_segment_code = rules.rule_value)
    group by snapshots.member_id, snapshots.snapshot_month

),

final as (

    select
        snapshots.member_id,
        snapshots.snapshot_month,
        snapshots.snapshot_date,
        snapshots.home_banner_code,
        snapshots.recency_days,
        coalesce(matched.is_high_value_by_tier, false) as is_high_value_by_tier,
        coalesce(matched.is_high_value_by_rfm, false) as is_high_value_by_rfm,
        matched.member_id is not null as is_high_value
    from snapshots
    left join matched
        on snapshots.member_id = matched.member_id
            and snapshots.snapshot_month = matched.snapshot_month

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=1) }}
