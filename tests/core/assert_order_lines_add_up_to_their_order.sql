{#-
    Every order with lines: its lines' paid and refunded money add up to the order's (to the fen), and its
    items are the lines' units kept. The order amounts come from the order headers and the line amounts from
    the lines, netted and allocated independently, so this catches a refund netted onto the wrong sale, a
    refunded SKU missing from its sale, or an allocation that loses a remainder. One row per order that does
    not add up.
-#}

with

orders as (

    select * from {{ ref('fct_orders') }}
    where line_count > 0

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

lines_per_order as (

    select
        order_id,
        sum(paid_amount) as lines_paid_amount,
        sum(refund_amount) as lines_refund_amount,
        sum(net_quantity) as lines_items
    from order_lines
    group by order_id

),

final as (

    select
        orders.order_id,
        orders.paid_amount,
        lines_per_order.lines_paid_amount,
        orders.refund_amount,
        lines_per_order.lines_refund_amount,
        orders.items,
        lines_per_order.lines_items
    from orders
    inner join lines_per_order
        on orders.order_id = lines_per_order.order_id
    where orders.paid_amount <> lines_per_order.lines_paid_amount
        or orders.refund_amount <> lines_per_order.lines_refund_amount
        or orders.items <> lines_per_order.lines_items

)

select * from final
