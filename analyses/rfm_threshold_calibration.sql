-- Calibrating the RFM thresholds (vars rfm_high_*) once per brand: the population averages of the raw
-- recency, frequency and monetary values per month, and the share of members that the current thresholds
-- call high. Pick thresholds near the averages of a stable reference period, set them in dbt_project.yml, and
-- leave them: re-deriving them every month would make segments move with the population again.
with

rfm as (

    select * from {{ ref('fct_member_rfm_monthly') }}

),

final as (

    select
        snapshot_month,
        count(*) as scored_members,
        avg(recency_days) as average_recency_days,
        avg(frequency) as average_frequency,
        avg(monetary_amount) as average_monetary_amount,
        avg(case when is_recency_high then 1.0 else 0.0 end) as recency_high_share,
        avg(case when is_frequency_high then 1.0 else 0.0 end) as frequency_high_share,
        avg(case when is_monetary_high then 1.0 else 0.0 end) as monetary_high_share,
        avg(case when rfm_segment_code = 'important_value' then 1.0 else 0.0 end) as important_value_share
    from rfm
    group by snapshot_month

)

select * from final
order by snapshot_month
