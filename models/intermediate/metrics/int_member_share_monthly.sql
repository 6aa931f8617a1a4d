{#- Closed months frozen (macros/incremental/month_freeze.sql): an incremental run recomputes the open months and
    the month before the first of them, which the marts compare the open month with. -#}
{{ config(**month_snapshot_config(month_column='month_start_date')) }}
-- 会员占比, computed once: one row per calendar month and scope (`store`, `banner`, `all` = the brand), read
-- by every mart that shows it (fct_member_kpis_monthly, fct_store_performance_monthly).
-- A transaction is a purchase: an order with positive net sales (not refunded in full), as everywhere in the
-- member figures; staff purchases are left out. Online orders have no store and count for their banner and
-- the brand.
--   member_transaction_share     = transactions of enrolled members / all transactions        (会员占比)
--   identified_transaction_share = transactions of identified consumers / all transactions   (识别顾客占比)
--   member_net_sales_share       = net sales of enrolled members' transactions / all net sales (会员销售占比)
{%- set scopes = {'store': 'store_id', 'banner': 'banner_code', 'all': "'ALL'"} %}

with

months as (

    select * from {{ ref('int_metric_months_spined') }}
    where {{ recomputed_months('snapshot_month', lookback_months=1) }}

),

-- nothing after the as-of date, like every monthly member figure
orders as (

    select flagged.*
    from {{ ref('int_orders_membership_flagged') }} as flagged
    inner join months
        on flagged.month_start_date = months.snapshot_month
            and flagged.business_date <= months.snapshot_date
    where flagged.net_sales_amount > 0

),

counted as (

    {%- for scope_type, scope_unit in scopes.items() %}

        select
            month_start_date,
            '{{ scope_type }}' as scope_type,
            {{ scope_unit }} as scope_value,
            count(case when not is_staff_purchase then 1 end) as transaction_count,
            count(case when not is_staff_purchase and is_member_order then 1 end) as member_transaction_count,
            count(case when not is_staff_purchase and is_identified_consumer then 1 end)
                as identified_transaction_count,
            count(case when is_staff_purchase then 1 end) as staff_transaction_count,
            sum(case when not is_staff_purchase then net_sales_amount else 0 end) as net_sales_amount,
            sum(case when not is_staff_purchase and is_member_order then net_sales_amount else 0 end)
                as member_net_sales_amount
        from orders
        where {{ scope_unit }} is not null
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        month_start_date,
        scope_type,
        scope_value,
        cast(transaction_count as bigint) as transaction_count,
        cast(member_transaction_count as bigint) as member_transaction_count,
        cast(identified_transaction_count as bigint) as identified_transaction_count,
        cast(staff_transaction_count as bigint) as staff_transaction_count,
        cast(net_sales_amount as decimal(18, 2)) as net_sales_amount,
        cast(member_net_sales_amount as decimal(18, 2)) as member_net_sales_amount,
        {{ metric_safe_divide('member_transaction_count', 'transaction_count') }} as member_transaction_share,
        {{ metric_safe_divide('identified_transaction_count', 'transaction_count') }}
            as identified_transaction_share,
        {{ metric_safe_divide('member_net_sales_amount', 'net_sales_amount') }} as member_net_sales_share
    from counted

)

select * from final
where {{ recomputed_months('month_start_date', lookback_months=1) }}
