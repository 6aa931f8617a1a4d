{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only. -#}
{{ config(**month_snapshot_config()) }}
-- What drove the change of member net sales, per CVM row (month x dimension x member type) against the
-- previous month and against the same month of last year: the change split into the contributions of active
-- members, purchase frequency and average order value with the log-mean Divisia index (LMDI-I, macros
-- metric_log_mean / metric_lmdi_effect), whose contributions add up to the change without residual.
-- Zeros, where logarithms do not exist:
--   both periods without sales      every contribution is 0                           (method no_sales)
--   sales only in the current period the whole change is the active-members effect    (method appearance)
--   sales only in the base period    the whole change is the active-members effect    (method disappearance)
-- (the limit of LMDI as the missing period's members tend to zero). Contributions are rounded to the fen;
-- the average-order-value effect takes the rounding remainder (at most 0.01 yuan) so that the three add up
-- to the change exactly. Comparisons whose base month lies before the first month of data are left out.
{%- set comparisons = {'previous_month': 1, 'same_month_last_year': 12} %}

with

cvm as (

    select * from {{ ref('int_cvm_monthly_aggregated') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

data_start as (

    select min(snapshot_month) as first_month
    from months

),

-- each CVM row with each month it is compared with
comparisons as (

    {%- for comparison, months_back in comparisons.items() %}

        select
            cvm.*,
            '{{ comparison }}' as comparison_basis,
            cast({{ dbt.dateadd('month', -1 * months_back, 'cvm.snapshot_month') }} as date) as base_month
        from cvm
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

paired as (

    select
        comparisons.snapshot_month,
        comparisons.dimension_name,
        comparisons.dimension_value,
        comparisons.member_type,
        comparisons.comparison_basis,
        comparisons.base_month,
        comparisons.net_sales_amount,
        comparisons.active_members,
        comparisons.purchase_frequency,
        comparisons.average_order_value,
        coalesce(base_cvm.net_sales_amount, 0) as base_net_sales_amount,
        coalesce(base_cvm.active_members, 0) as base_active_members,
        base_cvm.purchase_frequency as base_purchase_frequency,
        base_cvm.average_order_value as base_average_order_value
    from comparisons
    cross join data_start
    -- a slice that did not exist yet in the base month has no row there: its base is zero
    left join cvm as base_cvm
        on comparisons.dimension_name = base_cvm.dimension_name
            and comparisons.dimension_value = base_cvm.dimension_value
            and comparisons.member_type = base_cvm.member_type
            and comparisons.base_month = base_cvm.snapshot_month
    where comparisons.base_month >= data_start.first_month

),

effects as (

    select
        *,
        case
            when active_members > 0 and base_active_members > 0 then 'lmdi'
            when active_members > 0 then 'appearance'
            when base_active_members > 0 then 'disappearance'
            else 'no_sales'
        end as decomposition_method,
        {{ metric_lmdi_effect(
            'net_sales_amount', 'base_net_sales_amount', 'active_members', 'base_active_members'
        ) }} as active_members_effect_exact,
        {{ metric_lmdi_effect(
            'net_sales_amount', 'base_net_sales_amount', 'purchase_frequency', 'base_purchase_frequency'
        ) }} as purchase_frequency_effect_exact,
        {{ metric_lmdi_effect(
            'net_sales_amount', 'base_net_sales_amount', 'average_order_value', 'base_average_order_value'
        ) }} as average_order_value_effect_exact
    from paired

),

rounded as (

    select
        *,
        cast(net_sales_amount - base_net_sales_amount as decimal(18, 2)) as net_sales_change_amount,
        cast(
            case
                when decomposition_method = 'lmdi' then round(active_members_effect_exact, 2)
                else net_sales_amount - base_net_sales_amount
            end
            as decimal(18, 2)
        ) as active_members_effect_amount,
        cast(
            case
                when decomposition_method = 'lmdi' then round(purchase_frequency_effect_exact, 2)
                else 0
            end
            as decimal(18, 2)
        ) as purchase_frequency_effect_amount
    from effects

),

final as (

    select
        snapshot_month,
        dimension_name,
        dimension_value,
        member_type,
        comparison_basis,
        base_month,
        decomposition_method,
        net_sales_amount,
        base_net_sales_amount,
        net_sales_change_amount,
        active_members_effect_amount,
        purchase_frequency_effect_amount,
        cast(
            net_sales_change_amount - active_members_effect_amount - purchase_frequency_effect_amount
            as decimal(18, 2)
        ) as average_order_value_effect_amount,
        active_members,
        base_active_members,
        purchase_frequency,
        base_purchase_frequency,
        average_order_value,
        base_average_order_value
    from rounded

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=0) }}
