-- A view: the lines live in the incremental table int_order_lines_resolved, so the daily run rewrites only
-- the lines of the orders that changed, and this mart costs nothing to build (see DECISIONS.md).
{{ config(materialized='view') }}

with

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

coupons as (

    select * from {{ ref('int_order_coupons_hashed') }}

),

final as (

    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.source_line_id,
        order_lines.line_sequence,
        order_lines.member_id,
        order_lines.channel,
        order_lines.banner_code,
        order_lines.store_id,
        order_lines.ordered_at,
        order_lines.ordered_local_at,
        order_lines.business_date,
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
        coupons.coupon_code_hash,
        order_lines.is_refunded,
        order_lines.is_o2o
    from order_lines
    left join coupons
        on order_lines.order_id = coupons.order_id

)

select * from final
