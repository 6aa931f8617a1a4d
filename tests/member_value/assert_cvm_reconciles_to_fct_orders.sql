-- The brand-level CVM row of every month holds exactly the member purchases of fct_orders in that month (up to
-- the snapshot date): same net sales to the fen, same number of purchases, same active members. Open months
-- only: closed months are frozen as reported (DECISIONS.md) and were reconciled while they were open.
with

cvm as (

    select * from {{ ref('fct_cvm_monthly') }}
    where dimension_name = 'all'
        and member_type = 'all'

),

months as (

    select * from {{ ref('int_metric_months_spined') }}
    where not is_closed_month

),

orders as (

    select * from {{ ref('fct_orders') }}
    where member_id is not null
        and net_sales_amount > 0

),

order_totals as (

    select
        months.snapshot_month,
        coalesce(sum(orders.net_sales_amount), 0) as net_sales_amount,
        count(orders.order_id) as purchases,
        count(distinct orders.member_id) as active_members
    from months
    left join orders
        on orders.business_date between months.snapshot_month and months.snapshot_date
    group by months.snapshot_month

),

mismatches as (

    select
        order_totals.snapshot_month,
        order_totals.net_sales_amount as orders_net_sales_amount,
        cvm.net_sales_amount as cvm_net_sales_amount,
        order_totals.purchases as orders_purchases,
        cvm.purchases as cvm_purchases,
        order_totals.active_members as orders_active_members,
        cvm.active_members as cvm_active_members
    from order_totals
    left join cvm
        on order_totals.snapshot_month = cvm.snapshot_month
    -- months before the first member purchase have no CVM row and nothing to reconcile
    where order_totals.purchases > 0
        and (
            cvm.snapshot_month is null
            or cvm.net_sales_amount <> order_totals.net_sales_amount
            or cvm.purchases <> order_totals.purchases
            or cvm.active_members <> order_totals.active_members
        )

)

select * from mismatches
