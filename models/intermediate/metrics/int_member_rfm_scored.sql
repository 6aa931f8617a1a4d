{#- Closed months frozen (macros/incremental/month_freeze.sql): an incremental run recomputes the open months and
    the month before the first of them, which the marts compare the open month with. -#}
{{ config(**month_snapshot_config(member_column='member_id')) }}
-- RFM per member and snapshot month, for the members who purchased in the RFM window (rfm_window_days ending
-- on the snapshot date). High/low, and so the segment, compares the member's OWN raw values with fixed
-- thresholds (vars rfm_high_*): recency_days <= rfm_high_recency_max_days, frequency >=
-- rfm_high_frequency_min_purchases, monetary_amount >= rfm_high_monetary_min_amount. A member's segment thus
-- depends on nobody else: adding or removing a member moves no other member, and the segment shares move
-- only with behaviour. (Comparing with the month's mean score made "high" flip with the member count: with
-- a multiple of 5 scored members the mean score is exactly 3.0.) The high/low pattern names one of the eight
-- classic segments (seed metric_rfm_segments). The 1..rfm_score_buckets quantile scores (equal values share
-- a score, macro metric_quantile_score) and their monthly means are kept for ranking within the month; they
-- do not decide the segment.
with

snapshots as (

    select * from {{ ref('int_member_snapshots_enriched') }}
    where rfm_window_purchases > 0
        and {{ recomputed_months('snapshot_month', lookback_months=1) }}

),

segments as (

    select * from {{ ref('metric_rfm_segments') }}

),

measured as (

    select
        member_id,
        snapshot_month,
        snapshot_date,
        recency_days,
        rfm_window_purchases as frequency,
        rfm_window_net_sales_amount as monetary_amount
    from snapshots

),

scored as (

    select
        *,
        -- the most recent buyers (fewest days) score highest
        {{ metric_quantile_score('recency_days desc', 'snapshot_month', var('rfm_score_buckets')) }} as r_score,
        {{ metric_quantile_score('frequency', 'snapshot_month', var('rfm_score_buckets')) }} as f_score,
        {{ metric_quantile_score('monetary_amount', 'snapshot_month', var('rfm_score_buckets')) }} as m_score
    from measured

),

compared as (

    select
        *,
        avg(cast(r_score as double)) over (partition by snapshot_month) as r_score_mean,
        avg(cast(f_score as double)) over (partition by snapshot_month) as f_score_mean,
        avg(cast(m_score as double)) over (partition by snapshot_month) as m_score_mean,
        recency_days <= {{ var('rfm_high_recency_max_days') }} as is_recency_high,
        frequency >= {{ var('rfm_high_frequency_min_purchases') }} as is_frequency_high,
        monetary_amount >= {{ var('rfm_high_monetary_min_amount') }} as is_monetary_high
    from scored

),

final as (

    select
        compared.member_id,
        compared.snapshot_month,
        compared.snapshot_date,
        compared.recency_days,
        compared.frequency,
        compared.monetary_amount,
        compared.r_score,
        compared.f_score,
        compared.m_score,
        compared.r_score_mean,
        compared.f_score_mean,
        compared.m_score_mean,
        compared.is_recency_high,
        compared.is_frequency_high,
        compared.is_monetary_high,
        segments.segment_code as rfm_segment_code
    from compared
    inner join segments
        on compared.is_recency_high = segments.is_recency_high
            and compared.is_frequency_high = segments.is_frequency_high
            and compared.is_monetary_high = segments.is_monetary_high

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=1) }}
