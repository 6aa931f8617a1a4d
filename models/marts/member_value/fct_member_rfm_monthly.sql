{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only. -#}
{{ config(**month_snapshot_config(member_column='member_id')) }}
with

rfm as (

    select * from {{ ref('int_member_rfm_scored') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

segments as (

    select * from {{ ref('metric_rfm_segments') }}

),

final as (

    select
        rfm.member_id,
        rfm.snapshot_month,
        rfm.snapshot_date,
        cast(rfm.recency_days as integer) as recency_days,
        cast(rfm.frequency as integer) as frequency,
        cast(rfm.monetary_amount as decimal(18, 2)) as monetary_amount,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        rfm.r_score_mean,
        rfm.f_score_mean,
        rfm.m_score_mean,
        rfm.is_recency_high,
        rfm.is_frequency_high,
        rfm.is_monetary_high,
        rfm.rfm_segment_code,
        segments.segment_name_zh as rfm_segment_name_zh,
        segments.segment_name_en as rfm_segment_name_en,
        previous_rfm.rfm_segment_code as previous_rfm_segment_code,
        {{ dbt.dateadd('day', 1 - var('rfm_window_days'), 'rfm.snapshot_date') }} >= months.data_start_date
            as has_full_window,
        months.is_latest_snapshot
    from rfm
    inner join months
        on rfm.snapshot_month = months.snapshot_month
    inner join segments
        on rfm.rfm_segment_code = segments.segment_code
    left join rfm as previous_rfm
        on rfm.member_id = previous_rfm.member_id
            and months.previous_snapshot_month = previous_rfm.snapshot_month

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=0) }}
