-- Every yuan of store-bound net sales in the core order mart lands in exactly one store-month of
-- fct_store_performance_monthly, for stores known to the store master. A sale dated on a day the master
-- says the store was not open would fall out of the monthly mart; this test makes such a gap visible.
-- Open months only: closed months are frozen as reported (DECISIONS.md) and were reconciled while open.
with

orders as (

    select
        store_id,
        count(*) as ticket_count,
        sum(net_sales_amount) as net_sales_amount
    from {{ ref('fct_orders') }}
    where store_id in (select store_master.store_id from {{ ref('stg_stores__store_master') }} as store_master)
        and business_date >= {{ first_open_month() }}
    group by store_id

),

mart as (

    select
        store_id,
        sum(ticket_count) as ticket_count,
        sum(net_sales_amount) as net_sales_amount
    from {{ ref('fct_store_performance_monthly') }}
    where month_start_date >= {{ first_open_month() }}
    group by store_id

),

final as (

    select
        orders.store_id,
        orders.ticket_count,
        mart.ticket_count as mart_ticket_count,
        orders.net_sales_amount,
        mart.net_sales_amount as mart_net_sales_amount
    from orders
    left join mart
        on orders.store_id = mart.store_id
    where coalesce(mart.ticket_count, 0) <> orders.ticket_count
        or coalesce(mart.net_sales_amount, 0) <> orders.net_sales_amount

)

select * from final
