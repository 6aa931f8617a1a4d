with

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}

),

orders as (

    select * from {{ ref('int_orders_resolved') }}

),

final as (

    -- inner join: lines follow their order, so lines of quarantined orders stay out as well
    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.source_line_id,
        order_lines.line_sequence,
        orders.member_id,
        orders.channel,
        orders.banner_code,
        orders.store_id,
        orders.ordered_at,
        orders.ordered_local_at,
        orders.business_date,
        order_lines.sku_id,
        order_lines.category_code,
        order_lines.quantity,
        order_lines.refunded_quantity,
        order_lines.net_quantity,
        order_lines.unit_price,
        order_lines.gross_amount,
        order_lines.discount_amount,
        order_lines.paid_amount,
        order_lines.refund_amount,
        order_lines.net_sales_amount,
        orders.coupon_code,
        order_lines.refund_amount > 0 as is_refunded,
        orders.is_o2o
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id

)

select * from final
