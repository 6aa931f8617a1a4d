-- A view: the orders live in the incremental table int_orders_resolved, so the daily run rewrites only the
-- orders that changed, and this mart costs nothing to build (see DECISIONS.md).
{{ config(materialized='view') }}

with

orders as (

    select * from {{ ref('int_orders_resolved') }}

),

final as (

    select
        order_id,
        channel,
        source_order_id,
        member_id,
        resolved_via_identifier_type,
        banner_code,
        store_id,
        shop_id,
        fulfilment_type,
        ordered_at,
        ordered_local_at,
        business_date,
        gross_amount,
        discount_amount,
        paid_amount,
        refund_amount,
        net_sales_amount,
        items,
        line_count,
        coupon_code,
        refund_amount > 0 as is_refunded,
        refund_amount > 0 and net_sales_amount <= 0 as is_fully_refunded,
        last_refunded_at,
        is_o2o
    from orders

)

select * from final
