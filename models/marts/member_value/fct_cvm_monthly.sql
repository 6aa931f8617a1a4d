{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only. The figures are computed in int_cvm_monthly_aggregated (every month, as of today), which
    fct_cvm_decomposition_monthly also reads for the months it compares with. -#}
{{ config(**month_snapshot_config()) }}

with

cvm as (

    select * from {{ ref('int_cvm_monthly_aggregated') }}

),

final as (

    select * from cvm

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=0) }}
