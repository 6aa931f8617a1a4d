-- Member orders as the campaign models need them. The one place where the campaign area reads the core
-- order mart, so a change there is absorbed here.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

final as (

    select
        order_id,
        member_id,
        ordered_at,
        business_date,
        channel,
        store_id,
        net_sales_amount
    from orders
    where member_id is not null

)

select * from final
