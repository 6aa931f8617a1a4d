-- CVM (consumer value model, playbook 002; playbook 001's annual contribution per member) per month: member
-- net sales broken down on the consumer side into active members x purchase frequency x average order value,
-- for the whole brand and by banner, region, store and channel, for all members and split into new members
-- (first purchase ever in that month) and returning members. The identity
--     net_sales_amount = active_members * purchase_frequency * average_order_value
-- holds exactly because the two ratios are kept unrounded (double): they are decomposition factors. The AOV
-- to show as money is average_order_value_amount, rounded to the fen (macro money_divide).
-- The new/returning split needs history: a buyer whose earlier purchases predate the data looks new.
-- has_full_history_window is true once the data history before the month covers cvm_history_window_days.
-- Every month from a group's first purchase to the as-of month has a row, zero when nobody bought.
{%- set dimensions = {
    'all': "'ALL'",
    'banner': "coalesce(banner_code, 'UNASSIGNED')",
    'region': "coalesce(region, 'UNASSIGNED')",
    'store': "coalesce(store_id, 'UNASSIGNED')",
    'channel': "channel",
} %}

with

purchases as (

    select * from {{ ref('int_member_purchases_sequenced') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

member_types as (

    select 'all' as member_type
    union all
    select 'new' as member_type
    union all
    select 'returning' as member_type

),

member_first_months as (

    select
        member_id,
        cast({{ dbt.date_trunc('month', 'business_date') }} as date) as first_purchase_month
    from purchases
    where is_first_purchase

),

purchases_in_period as (

    select
        purchases.*,
        cast({{ dbt.date_trunc('month', 'purchases.business_date') }} as date) as snapshot_month,
        case
            when member_first_months.first_purchase_month
                = cast({{ dbt.date_trunc('month', 'purchases.business_date') }} as date)
                then 'new'
            else 'returning'
        end as member_type
    from purchases
    inner join member_first_months
        on purchases.member_id = member_first_months.member_id
    -- nothing after the as-of date
    inner join months
        on purchases.business_date <= months.snapshot_date
            and cast({{ dbt.date_trunc('month', 'purchases.business_date') }} as date) = months.snapshot_month

),

aggregated as (

    {%- for dimension_name, dimension_expression in dimensions.items() %}
        {%- for split in ['all', 'by_type'] %}

            select
                snapshot_month,
                '{{ dimension_name }}' as dimension_name,
                {{ dimension_expression }} as dimension_value,
                {{ "'all'" if split == 'all' else 'purchases_in_period.member_type' }} as member_type,
                sum(net_sales_amount) as net_sales_amount,
                count(*) as purchases,
                count(distinct member_id) as active_members
            from purchases_in_period
            group by 1, 2, 3, 4
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

group_first_months as (

    select
        dimension_name,
        dimension_value,
        min(snapshot_month) as first_month
    from aggregated
    group by 1, 2

),

grid as (

    select
        months.snapshot_month,
        months.snapshot_date,
        months.is_complete_month,
        months.data_start_date,
        group_first_months.dimension_name,
        group_first_months.dimension_value,
        member_types.member_type
    from group_first_months
    inner join months
        on group_first_months.first_month <= months.snapshot_month
    cross join member_types

),

final as (

    select
        grid.snapshot_month,
        grid.snapshot_date,
        grid.dimension_name,
        grid.dimension_value,
        grid.member_type,
        cast(coalesce(aggregated.net_sales_amount, 0) as decimal(18, 2)) as net_sales_amount,
        cast(coalesce(aggregated.active_members, 0) as bigint) as active_members,
        cast(coalesce(aggregated.purchases, 0) as bigint) as purchases,
        {{ metric_safe_divide('aggregated.purchases', 'aggregated.active_members') }} as purchase_frequency,
        {{ metric_safe_divide('aggregated.net_sales_amount', 'aggregated.purchases') }} as average_order_value,
        {{ money_divide('aggregated.net_sales_amount', 'aggregated.purchases') }} as average_order_value_amount,
        grid.is_complete_month,
        {{ dbt.dateadd('day', -var('cvm_history_window_days'), 'grid.snapshot_month') }} >= grid.data_start_date
            as has_full_history_window
    from grid
    left join aggregated
        on grid.snapshot_month = aggregated.snapshot_month
            and grid.dimension_name = aggregated.dimension_name
            and grid.dimension_value = aggregated.dimension_value
            and grid.member_type = aggregated.member_type

)

select * from final
