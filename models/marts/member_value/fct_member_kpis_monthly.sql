{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only. -#}
{{ config(**month_snapshot_config()) }}
-- The member health check of playbook 001 per month, for every store, every banner and the whole brand
-- (`scope_type` store / banner / all). Two kinds of figures, with different bases:
--   * order figures count the purchases (orders not refunded in full) made at the store / banner in the month,
--     members' and anonymous ones: member order share (会员占比), member sales share, items per order
--     (连带率), active members, member visits per week, repurchase rate;
--   * member-base figures count the members whose HOME store / banner (where most of their purchase days
--     fell in the last member_home_window_days, else where they enrolled) is the unit on the snapshot date:
--     online-reachable rate (在线率) of the member base, churn rate, and new enrolments (by enrolment store).
-- 会员占比 and the member sales share come from int_member_share_monthly (enrolled members, staff purchases
-- left out), the same figures fct_store_performance_monthly shows.
-- Online orders have no store: they count for their banner (Tmall/JD shops, mini-program store orders) and
-- for the brand. `ALL` rows are totals: do not add them to the store or banner rows.
{%- set scopes = {
    'store': {'order_unit': 'store_id', 'home_unit': 'home_store_id'},
    'banner': {'order_unit': 'banner_code', 'home_unit': 'home_banner_code'},
    'all': {'order_unit': "'ALL'", 'home_unit': "'ALL'"},
} %}

with

orders as (

    select * from {{ ref('fct_orders') }}
    where net_sales_amount > 0

),

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

snapshots as (

    select * from {{ ref('int_member_snapshots_enriched') }}

),

lifecycle as (

    select * from {{ ref('int_member_lifecycle_staged') }}

),

members as (

    select * from {{ ref('dim_members') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

member_share as (

    select * from {{ ref('int_member_share_monthly') }}

),

-- store-months inside the store's open period (at least one open day): a store not yet opened or already
-- closed has no member base, 在线率 or churn of its own (its home members still count for banner and brand)
repurchase_windows as (

    select * from {{ ref('int_member_repurchase_windowed') }}

),

-- one column per window (30/90/365 days by default)
repurchase_figures as (

    select
        snapshot_month,
        scope_type,
        scope_value,
        {%- for window_days in var('repurchase_window_days') %}
            max(case when window_days = {{ window_days }} then repurchase_rate end)
                as repurchase_rate_{{ window_days }}d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from repurchase_windows
    group by 1, 2, 3

),

store_open_months as (

    select
        store_id,
        month_start_date
    from {{ ref('int_store_months_spined') }}

),

periods as (

    select
        snapshot_month,
        snapshot_date,
        previous_snapshot_month,
        is_complete_month,
        data_start_date,
        -- the period starts on the 1st, so its length is the day of month of the snapshot date
        cast(extract(day from snapshot_date) as integer) as days_in_period
    from months

),

orders_in_period as (

    select
        orders.*,
        months.snapshot_month
    from orders
    inner join months
        on cast({{ dbt.date_trunc('month', 'orders.business_date') }} as date) = months.snapshot_month
            and orders.business_date <= months.snapshot_date

),

member_unit_days as (

    {%- for scope_type, scope in scopes.items() %}

        select
            snapshot_month,
            '{{ scope_type }}' as scope_type,
            {{ scope.order_unit }} as scope_value,
            member_id,
            count(distinct business_date) as visit_days
        from orders_in_period
        where member_id is not null
            and {{ scope.order_unit }} is not null
        group by 1, 2, 3, 4
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

order_figures as (

    {%- for scope_type, scope in scopes.items() %}

        select
            snapshot_month,
            '{{ scope_type }}' as scope_type,
            {{ scope.order_unit }} as scope_value,
            count(*) as orders,
            sum(net_sales_amount) as net_sales_amount,
            sum(items) as items
        from orders_in_period
        where {{ scope.order_unit }} is not null
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

visit_figures as (

    select
        snapshot_month,
        scope_type,
        scope_value,
        count(*) as active_members,
        sum(visit_days) as member_visits,
        count(case when visit_days >= 2 then 1 end) as repurchasing_members
    from member_unit_days
    group by 1, 2, 3

),

member_states as (

    select
        snapshots.member_id,
        snapshots.snapshot_month,
        snapshots.home_store_id,
        snapshots.home_banner_code,
        snapshots.is_online_reachable,
        lifecycle.lifecycle_stage_code,
        store_open_months.store_id is not null as is_home_store_open
    from snapshots
    inner join lifecycle
        on snapshots.member_id = lifecycle.member_id
            and snapshots.snapshot_month = lifecycle.snapshot_month
    left join store_open_months
        on snapshots.home_store_id = store_open_months.store_id
            and snapshots.snapshot_month = store_open_months.month_start_date

),

base_figures as (

    {%- for scope_type, scope in scopes.items() %}

        select
            snapshot_month,
            '{{ scope_type }}' as scope_type,
            {{ scope.home_unit }} as scope_value,
            count(case when lifecycle_stage_code <> 'churned' then 1 end) as member_base,
            count(case when lifecycle_stage_code <> 'churned' and is_online_reachable then 1 end)
                as online_reachable_members
        from member_states
        where {{ scope.home_unit }} is not null
            {%- if scope_type == 'store' %}
                and is_home_store_open
            {%- endif %}
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- purchasers not churned at the previous snapshot (by their home unit then) and how many churned since
churn_figures as (

    {%- for scope_type, scope in scopes.items() %}

        select
            months.snapshot_month,
            '{{ scope_type }}' as scope_type,
            {{ "previous_states." ~ scope.home_unit if scope_type != 'all' else "'ALL'" }} as scope_value,
            count(*) as churn_base_members,
            count(case when current_states.lifecycle_stage_code = 'churned' then 1 end) as churned_members
        from member_states as previous_states
        inner join months
            on previous_states.snapshot_month = months.previous_snapshot_month
        inner join member_states as current_states
            on previous_states.member_id = current_states.member_id
                and months.snapshot_month = current_states.snapshot_month
        {%- if scope_type == 'store' %}
            inner join store_open_months
                on previous_states.home_store_id = store_open_months.store_id
                    and months.snapshot_month = store_open_months.month_start_date
        {%- endif %}
        where previous_states.lifecycle_stage_code not in ('prospect', 'churned')
            {%- if scope_type != 'all' %}
                and previous_states.{{ scope.home_unit }} is not null
            {%- endif %}
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

enrolments as (

    select
        months.snapshot_month,
        members.enrol_store_id,
        enrol_stores.banner_code as enrol_banner_code
    from members
    inner join months
        on cast({{ dbt.date_trunc('month', 'members.enrol_date') }} as date) = months.snapshot_month
            and members.enrol_date <= months.snapshot_date
    left join stores as enrol_stores
        on members.enrol_store_id = enrol_stores.store_id

),

enrolment_figures as (

    {%- set enrol_units = [('store', 'enrol_store_id'), ('banner', 'enrol_banner_code'), ('all', "'ALL'")] %}
    {%- for scope_type, enrol_unit in enrol_units %}

        select
            snapshot_month,
            '{{ scope_type }}' as scope_type,
            {{ enrol_unit }} as scope_value,
            count(*) as new_members
        from enrolments
        where {{ enrol_unit }} is not null
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- `union` (not `union all`): each key is wanted once
keys as (

    select
        snapshot_month,
        scope_type,
        scope_value
    from order_figures
    union
    select
        snapshot_month,
        scope_type,
        scope_value
    from base_figures
    union
    select
        snapshot_month,
        scope_type,
        scope_value
    from churn_figures
    union
    select
        snapshot_month,
        scope_type,
        scope_value
    from enrolment_figures

),

keyed as (

    select
        keys.*,
        periods.snapshot_date,
        periods.days_in_period,
        periods.is_complete_month,
        periods.data_start_date
    from keys
    inner join periods
        on keys.snapshot_month = periods.snapshot_month

),

final as (

    select
        keys.snapshot_month,
        keys.snapshot_date,
        keys.scope_type,
        keys.scope_value,
        cast(coalesce(order_figures.orders, 0) as bigint) as orders,
        cast(coalesce(member_share.member_transaction_count, 0) as bigint) as member_orders,
        member_share.member_transaction_share as member_order_share,
        cast(coalesce(member_share.identified_transaction_count, 0) as bigint) as identified_orders,
        member_share.identified_transaction_share as identified_order_share,
        cast(coalesce(member_share.staff_transaction_count, 0) as bigint) as staff_orders,
        cast(coalesce(order_figures.net_sales_amount, 0) as decimal(18, 2)) as net_sales_amount,
        cast(coalesce(member_share.member_net_sales_amount, 0) as decimal(18, 2)) as member_net_sales_amount,
        member_share.member_net_sales_share as member_sales_share,
        cast(coalesce(order_figures.items, 0) as bigint) as items,
        {{ metric_safe_divide('order_figures.items', 'order_figures.orders') }} as items_per_order,
        cast(coalesce(visit_figures.active_members, 0) as bigint) as active_members,
        cast(coalesce(visit_figures.member_visits, 0) as bigint) as member_visits,
        keys.days_in_period,
        {{ metric_safe_divide(
            'visit_figures.member_visits',
            'visit_figures.active_members * keys.days_in_period / 7.0'
        ) }} as member_visits_per_week,
        cast(coalesce(visit_figures.repurchasing_members, 0) as bigint) as repurchasing_members,
        {{ metric_safe_divide('visit_figures.repurchasing_members', 'visit_figures.active_members') }}
            as repurchase_rate,
        {%- for window_days in var('repurchase_window_days') %}
            repurchase_figures.repurchase_rate_{{ window_days }}d,
        {%- endfor %}
        cast(coalesce(base_figures.member_base, 0) as bigint) as member_base,
        cast(coalesce(base_figures.online_reachable_members, 0) as bigint) as online_reachable_members,
        {{ metric_safe_divide('base_figures.online_reachable_members', 'base_figures.member_base') }}
            as online_reachable_rate,
        cast(coalesce(churn_figures.churn_base_members, 0) as bigint) as churn_base_members,
        cast(coalesce(churn_figures.churned_members, 0) as bigint) as churned_members,
        {{ metric_safe_divide('churn_figures.churned_members', 'churn_figures.churn_base_members') }} as churn_rate,
        cast(coalesce(enrolment_figures.new_members, 0) as bigint) as new_members,
        keys.is_complete_month,
        {{ dbt.dateadd('day', 1 - (var('repurchase_window_days') | max), 'keys.snapshot_date') }}
        >= keys.data_start_date as has_full_history_window
    from keyed as keys
    left join order_figures
        on keys.snapshot_month = order_figures.snapshot_month
            and keys.scope_type = order_figures.scope_type
            and keys.scope_value = order_figures.scope_value
    left join member_share
        on keys.snapshot_month = member_share.month_start_date
            and keys.scope_type = member_share.scope_type
            and keys.scope_value = member_share.scope_value
    left join repurchase_figures
        on keys.snapshot_month = repurchase_figures.snapshot_month
            and keys.scope_type = repurchase_figures.scope_type
            and keys.scope_value = repurchase_figures.scope_value
    left join visit_figures
        on keys.snapshot_month = visit_figures.snapshot_month
            and keys.scope_type = visit_figures.scope_type
            and keys.scope_value = visit_figures.scope_value
    left join base_figures
        on keys.snapshot_month = base_figures.snapshot_month
            and keys.scope_type = base_figures.scope_type
            and keys.scope_value = base_figures.scope_value
    left join churn_figures
        on keys.snapshot_month = churn_figures.snapshot_month
            and keys.scope_type = churn_figures.scope_type
            and keys.scope_value = churn_figures.scope_value
    left join enrolment_figures
        on keys.snapshot_month = enrolment_figures.snapshot_month
            and keys.scope_type = enrolment_figures.scope_type
            and keys.scope_value = enrolment_figures.scope_value

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=0) }}
