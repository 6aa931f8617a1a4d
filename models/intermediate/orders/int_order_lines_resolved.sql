{#-
    The order lines of fct_order_lines, one row per line of an order of int_orders_resolved (grain:
    order_line_id), with the order's member, channel, store and dates repeated on the line. Lines of
    quarantined orders are left out (inner join: lines follow their order).
    The public mart fct_order_lines is a view over this table; the table exists so that the daily run only
    rewrites the lines of the orders that changed. Incremental (replace_keys on order_id): a run recomputes
    the lines of every order a staged row extracted in the window touches (macro changed_order_ids) and of
    every order int_orders_resolved re-pointed to another member today (stored member_id differs from the
    order's). An order without lines here any more gets a tombstone, which deletes its lines.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='order_id',
    tombstone_column='order_line_id',
) }}

-- the incremental branch reads these through macro changed_order_ids
-- depends_on: {{ ref('stg_pos__transactions') }}
-- depends_on: {{ ref('stg_pos__transaction_lines') }}
-- depends_on: {{ ref('stg_ecommerce__orders') }}
-- depends_on: {{ ref('stg_ecommerce__order_lines') }}
-- depends_on: {{ ref('stg_miniprogram__orders') }}
-- depends_on: {{ ref('stg_miniprogram__order_lines') }}
-- depends_on: {{ ref('stg_stores__store_master') }}

with

{% if is_incremental() %}

    changed_orders as (

        {{ changed_order_ids(incremental_window_start()) }}

    ),

    repointed_orders as (

        select distinct previous.order_id
        from {{ this }} as previous
        inner join {{ ref('int_orders_resolved') }} as current_orders
            on previous.order_id = current_orders.order_id
        where previous.member_id is distinct from current_orders.member_id

    ),

    affected_orders as (

        select changed_orders.order_id from changed_orders
        union
        select repointed_orders.order_id from repointed_orders

    ),

{% endif %}

order_lines as (

    select lines.*
    from {{ ref('int_order_lines_unioned') }} as lines
    {% if is_incremental() %}
        where lines.order_id in (select affected_orders.order_id from affected_orders)
    {% endif %}

),

orders as (

    select resolved.*
    from {{ ref('int_orders_resolved') }} as resolved
    {% if is_incremental() %}
        where resolved.order_id in (select affected_orders.order_id from affected_orders)
    {% endif %}

),

computed as (

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
        orders.is_o2o,
        greatest(order_lines._last_extracted_at, orders._last_extracted_at) as _last_extracted_at
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id

),

final as (

    {% if is_incremental() %}
        {{ rows_with_tombstones('computed', 'affected_orders', 'order_id') }}
    {% else %}
        select * from computed
    {% endif %}

)

select * from final
