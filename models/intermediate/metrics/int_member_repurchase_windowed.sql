{#- Closed months frozen (macros/incremental/month_freeze.sql): an incremental run recomputes the open months and
    the month before the first of them, which the marts compare the open month with. -#}
{{ config(**month_snapshot_config()) }}
-- 复购率 over trailing windows, beside the within-month figure of fct_member_kpis_monthly: one row per
-- snapshot month, scope (`store`, `banner`, `all`) and window of repurchase_window_days days ending on the
-- snapshot date, (snapshot_date - N, snapshot_date]. Of the identified buyers who bought in the scope in the
-- window (active_members), repurchasing_members bought there on at least two different days. Orders refunded
-- in full are no purchase. has_full_history_window is false while the data history is shorter than the window.
{%- set scopes = {'store': 'store_id', 'banner': 'banner_code', 'all': "'ALL'"} %}
{%- set longest_window_days = var('repurchase_window_days') | max %}

with

orders as (

    select * from {{ ref('fct_orders') }}
    where member_id is not null
        and net_sales_amount > 0

),

months as (

    select * from {{ ref('int_metric_months_spined') }}
    where {{ recomputed_months('snapshot_month', lookback_months=1) }}

),

windows as (

    {%- for window_days in var('repurchase_window_days') %}
        select {{ window_days }} as window_days
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- `union` (not `union all`): one row per member, unit and purchase day is the point
purchase_days as (

    {%- for scope_type, scope_unit in scopes.items() %}

        select
            '{{ scope_type }}' as scope_type,
            {{ scope_unit }} as scope_value,
            member_id,
            business_date
        from orders
        where {{ scope_unit }} is not null
        {% if not loop.last %}union{% endif %}
    {%- endfor %}

),

member_windows as (

    select
        months.snapshot_month,
        windows.window_days,
        purchase_days.scope_type,
        purchase_days.scope_value,
        purchase_days.member_id,
        count(*) as purchase_day_count
    from purchase_days
    inner join months
        on purchase_days.business_date <= months.snapshot_date
            and purchase_days.business_date > {{ dbt.dateadd('day', -longest_window_days, 'months.snapshot_date') }}
    inner join windows
        on purchase_days.business_date
            > {{ dbt.dateadd('day', '-1 * windows.window_days', 'months.snapshot_date') }}
    group by
        months.snapshot_month,
        windows.window_days,
        purchase_days.scope_type,
        purchase_days.scope_value,
        purchase_days.member_id

),

final as (

    select
        member_windows.snapshot_month,
        member_windows.scope_type,
        member_windows.scope_value,
        cast(member_windows.window_days as integer) as window_days,
        cast(count(*) as bigint) as active_members,
        cast(count(case when member_windows.purchase_day_count >= 2 then 1 end) as bigint) as repurchasing_members,
        {{ metric_safe_divide(
            'count(case when member_windows.purchase_day_count >= 2 then 1 end)', 'count(*)'
        ) }} as repurchase_rate,
        {{ dbt.dateadd('day', '1 - member_windows.window_days', 'months.snapshot_date') }} >= months.data_start_date
            as has_full_history_window
    from member_windows
    inner join months
        on member_windows.snapshot_month = months.snapshot_month
    group by
        member_windows.snapshot_month,
        member_windows.scope_type,
        member_windows.scope_value,
        member_windows.window_days,
        months.snapshot_date,
        months.data_start_date

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=1) }}
