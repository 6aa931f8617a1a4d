-- Predictive value per member as of the as-of date (grain: member_id): the value, percentile and "at risk
-- (model)" flag of int_member_clv_valued (defined there once, also read by the activation triggers) beside the
-- rule-based lifecycle stage of the as-of month.
with

valued as (

    select * from {{ ref('int_member_clv_valued') }}

),

lifecycle as (

    select * from {{ ref('int_member_lifecycle_staged') }}

),

as_of as (

    select
        snapshot_month,
        as_of_date
    from {{ ref('int_metric_months_spined') }}
    where is_latest_snapshot

),

final as (

    select
        valued.member_id,
        valued.as_of_date,
        valued.first_purchase_date,
        valued.last_purchase_date,
        valued.frequency,
        valued.recency_days,
        valued.age_days,
        valued.fit_status,
        valued.p_alive,
        valued.p_alive_previous_day,
        valued.expected_purchases_90d,
        valued.expected_purchases_180d,
        valued.expected_purchases_365d,
        valued.expected_spend_per_purchase_amount,
        valued.clv_12m_amount,
        valued.clv_12m_percentile,
        lifecycle.lifecycle_stage_code,
        valued.is_at_risk_model
    from valued
    cross join as_of
    left join lifecycle
        on valued.member_id = lifecycle.member_id
            and as_of.snapshot_month = lifecycle.snapshot_month

)

select * from final
