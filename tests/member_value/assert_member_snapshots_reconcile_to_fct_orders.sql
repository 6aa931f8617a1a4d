-- The member snapshots see every member purchase of fct_orders up to the snapshot date, no more, no less: per
-- month, the members' lifetime purchases add up to the member purchases of fct_orders on or before the
-- snapshot date, and the members with a purchase are the distinct buyers.
with

snapshots as (

    select * from {{ ref('int_member_snapshots_enriched') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

orders as (

    select * from {{ ref('fct_orders') }}
    where member_id is not null
        and net_sales_amount > 0

),

snapshot_totals as (

    select
        snapshot_month,
        sum(lifetime_purchases) as purchases,
        count(first_purchase_date) as buyers
    from snapshots
    group by snapshot_month

),

order_totals as (

    select
        months.snapshot_month,
        count(orders.order_id) as purchases,
        count(distinct orders.member_id) as buyers
    from months
    left join orders
        on months.snapshot_date >= orders.business_date
    group by months.snapshot_month

),

mismatches as (

    select
        order_totals.snapshot_month,
        order_totals.purchases as orders_purchases,
        snapshot_totals.purchases as snapshot_purchases,
        order_totals.buyers as orders_buyers,
        snapshot_totals.buyers as snapshot_buyers
    from order_totals
    left join snapshot_totals
        on order_totals.snapshot_month = snapshot_totals.snapshot_month
    where coalesce(snapshot_totals.purchases, 0) <> order_totals.purchases
        or coalesce(snapshot_totals.buyers, 0) <> order_totals.buyers

)

select * from mismatches
