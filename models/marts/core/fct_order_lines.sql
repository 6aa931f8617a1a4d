-- A view: the lines live in the incremental table int_order_lines_resolved, so the daily run rewrites only
-- the lines of the orders that changed, and this mart costs nothing to build (see DECISIONS.md).
{{ config(materialized='view') }}

with

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

final as (

    select
        order_line_id,
        order_id,
        source_line_id,
        line_sequence,
        member_id,
        channel,
        banner_code,
        store_id,
        ordered_at,
        ordered_local_at,
        business_date,
        sku_id,
        category_code,
        quantity,
        refunded_quantity,
        net_quantity,
        unit_price,
        gross_amount,
        discount_amount,
        paid_amount,
        refund_amount,
        net_sales_amount,
        {{ keyed_hash('coupon_code') }} as coupon_code_hash,
        is_refunded,
        is_o2o
    from order_lines

)

select * from final
