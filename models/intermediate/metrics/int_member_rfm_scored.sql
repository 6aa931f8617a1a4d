-- RFM per member and snapshot month, for the members who purchased in the RFM window (rfm_window_days ending
-- on the snapshot date). Each of R, F and M is scored 1..rfm_score_buckets by quantile among the month's
-- scored members, equal values sharing a score (macro metric_quantile_score); a score is "high" when it is
-- strictly above the month's mean score of that letter, and the high/low pattern of R, F and M names one of
-- the eight classic segments (seed metric_rfm_segments).
with

snapshots as (

    select * from {{ ref('int_member_snapshots_enriched') }}
    where rfm_window_purchases > 0

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
        avg(cast(m_score as double)) over (partition by snapshot_month) as m_score_mean
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
        compared.r_score > compared.r_score_mean as is_recency_high,
        compared.f_score > compared.f_score_mean as is_frequency_high,
        compared.m_score > compared.m_score_mean as is_monetary_high,
        segments.segment_code as rfm_segment_code
    from compared
    inner join segments
        on (compared.r_score > compared.r_score_mean) = segments.is_recency_high
            and (compared.f_score > compared.f_score_mean) = segments.is_frequency_high
            and (compared.m_score > compared.m_score_mean) = segments.is_monetary_high

)

select * from final
