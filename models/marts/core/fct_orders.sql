-- A view: the orders live in the incremental table int_orders_resolved, so the daily run rewrites only the
-- orders that changed, and this mart costs nothing to build (see DECISIONS.md).
{{ config(materialized='view') }}

with

orders as (

    select * from {{ ref('int_orders_resolved') }}

),

membership as (

    select * from {{ ref('int_orders_membership_flagged') }}

),

coupons as (

    select * from {{ ref('int_order_coupons_hashed') }}

),

final as (

    select
        orders.order_id,
        orders.channel,
        orders.source_order_id,
        orders.member_id,
        orders.resolved_via_identifier_type,
        orders.banner_code,
        orders.store_id,
        orders.shop_id,
        orders.fulfilment_type,
        orders.ordered_at,
        orders.ordered_local_at,
        orders.business_date,
        orders.gross_amount,
        orders.discount_amount,
        orders.paid_amount,
        orders.refund_amount,
        orders.net_sales_amount,
        orders.items,
        orders.line_count,
        coupons.coupon_code_hash,
        orders.refund_amount > 0 as is_refunded,
        orders.refund_amount > 0 and orders.net_sales_amount <= 0 as is_fully_refunded,
        orders.last_refunded_at,
        orders.is_o2o,
        membership.is_member_order,
        membership.is_staff_purchase
    from orders
    inner join membership
        on orders.order_id = membership.order_id
    left join coupons
        on orders.order_id = coupons.order_id

)

select * from final
