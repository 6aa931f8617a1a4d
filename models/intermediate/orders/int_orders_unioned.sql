{#-
    Every paid order of every selling channel at one grain: one row per (channel, source order id).
    - POS: a SALE ticket is an order; matched REFUND tickets (int_pos_refunds_matched) are netted onto it, so
      a refund made days later lowers the sale's net amount instead of counting as an order of its own.
    - Tmall/JD (channel = platform): orders that were paid; net = payment - refunded so far.
    - Mini-program: orders that were paid; net = paid - refunded.
    Orders never paid (Tmall/JD CLOSED, mini-program cancelled before payment) are not sales and are left out.
    Unknown stores and shops are not checked here (int_orders_quarantined does it), so this model is the
    complete picture before quality checks.
    Incremental (replace_keys on order_id): a run recomputes every order that a staged order version, line or
    refund extracted in the window touches, and the orders of stores whose master changed (banner); macro
    changed_order_ids. An order that is no paid sale any more gets a tombstone, which deletes it.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='order_id',
    tombstone_column='channel',
) }}

-- the incremental branch reads these through macros changed_order_ids and erasure_swept_keys
-- depends_on: {{ ref('erasure_requests') }}
-- depends_on: {{ ref('stg_pos__transaction_lines') }}
-- depends_on: {{ ref('stg_ecommerce__order_lines') }}
-- depends_on: {{ ref('stg_miniprogram__order_lines') }}

with

{% if is_incremental() %}

    changed_orders as (

        {{ changed_order_ids(incremental_window_start()) }}
        union
        -- orders holding an identifier that a recent erasure request matches: recomputed anonymised
        {{ erasure_swept_keys('order_id', order_identifier_columns()) }}

    ),

{% endif %}

pos_tickets as (

    select staged.*
    from {{ ref('stg_pos__transactions') }} as staged
    {% if is_incremental() %}
        where {{ dbt.concat(["'POS:'", 'staged.ticket_id']) }} in (select changed_orders.order_id from changed_orders)
    {% endif %}

),

pos_refunds as (

    select * from {{ ref('int_pos_refunds_matched') }}
    where is_original_found

),

ecommerce_orders as (

    select staged.*
    from {{ ref('stg_ecommerce__orders') }} as staged
    {% if is_incremental() %}
        where {{ dbt.concat(['staged.platform', "':'", 'staged.order_id']) }}
            in (select changed_orders.order_id from changed_orders)
    {% endif %}

),

miniprogram_orders as (

    select staged.*
    from {{ ref('stg_miniprogram__orders') }} as staged
    {% if is_incremental() %}
        where {{ dbt.concat(["'MINIPROGRAM:'", 'staged.order_id']) }}
            in (select changed_orders.order_id from changed_orders)
    {% endif %}

),

order_lines as (

    select lines.*
    from {{ ref('int_order_lines_unioned') }} as lines
    {% if is_incremental() %}
        where lines.order_id in (select changed_orders.order_id from changed_orders)
    {% endif %}

),

stores as (

    select * from {{ ref('stg_stores__store_master') }}
    where is_current

),

ecommerce_shops as (

    select * from {{ ref('ecommerce_shops') }}

),

pos_refunds_per_sale as (

    select
        original_ticket_id,
        sum(refund_amount) as refund_amount,
        max(refunded_at) as last_refunded_at,
        max(_extracted_at) as last_refund_extracted_at
    from pos_refunds
    group by original_ticket_id

),

pos_orders as (

    select
        'POS' as channel,
        pos_tickets.ticket_id as source_order_id,
        pos_tickets.store_id,
        cast(null as {{ dbt.type_string() }}) as shop_id,
        cast(null as {{ dbt.type_string() }}) as fulfilment_type,
        pos_tickets.transacted_at as ordered_at,
        pos_tickets.business_date,
        -- a ticket without a separate gross/discount was rung up at list price
        coalesce(pos_tickets.gross_amount, pos_tickets.net_amount) as gross_amount,
        coalesce(pos_tickets.discount_amount, 0) as discount_amount,
        pos_tickets.net_amount as paid_amount,
        coalesce(pos_refunds_per_sale.refund_amount, 0) as refund_amount,
        pos_refunds_per_sale.last_refunded_at,
        pos_tickets.coupon_code,
        false as is_o2o,
        pos_tickets.card_no,
        pos_tickets.phone,
        cast(null as {{ dbt.type_string() }}) as openid,
        cast(null as {{ dbt.type_string() }}) as buyer_key,
        greatest(
            pos_tickets._extracted_at,
            coalesce(pos_refunds_per_sale.last_refund_extracted_at, pos_tickets._extracted_at)
        ) as _order_extracted_at
    from pos_tickets
    left join pos_refunds_per_sale
        on pos_tickets.ticket_id = pos_refunds_per_sale.original_ticket_id
    where pos_tickets.transaction_type = 'SALE'

),

ecommerce_paid_orders as (

    select
        platform as channel,
        order_id as source_order_id,
        cast(null as {{ dbt.type_string() }}) as store_id,
        shop_id,
        cast(null as {{ dbt.type_string() }}) as fulfilment_type,
        created_at as ordered_at,
        business_date,
        total_amount as gross_amount,
        coalesce(discount_amount, 0) as discount_amount,
        payment_amount as paid_amount,
        coalesce(refund_amount, 0) as refund_amount,
        -- the platforms send no refund time: the latest version, which carries the refund, is the best clue
        case when coalesce(refund_amount, 0) > 0 then updated_at end as last_refunded_at,
        coupon_code,
        false as is_o2o,
        cast(null as {{ dbt.type_string() }}) as card_no,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as openid,
        buyer_key,
        _extracted_at as _order_extracted_at
    from ecommerce_orders
    where paid_at is not null

),

miniprogram_paid_orders as (

    select
        'MINIPROGRAM' as channel,
        order_id as source_order_id,
        store_id,
        cast(null as {{ dbt.type_string() }}) as shop_id,
        fulfilment_type,
        created_at as ordered_at,
        business_date,
        total_amount as gross_amount,
        coalesce(discount_amount, 0) as discount_amount,
        paid_amount,
        coalesce(refund_amount, 0) as refund_amount,
        case when coalesce(refund_amount, 0) > 0 then updated_at end as last_refunded_at,
        coupon_code,
        fulfilment_type = 'DELIVERY' as is_o2o,
        cast(null as {{ dbt.type_string() }}) as card_no,
        cast(null as {{ dbt.type_string() }}) as phone,
        openid,
        cast(null as {{ dbt.type_string() }}) as buyer_key,
        _extracted_at as _order_extracted_at
    from miniprogram_orders
    where paid_at is not null

),

unioned as (

    select * from pos_orders
    union all
    select * from ecommerce_paid_orders
    union all
    select * from miniprogram_paid_orders

),

keyed as (

    select
        {{ dbt.concat(['channel', "':'", 'source_order_id']) }} as order_id,
        *
    from unioned

),

items_per_order as (

    select
        order_id,
        count(*) as line_count,
        sum(net_quantity) as items,
        max(_last_extracted_at) as last_line_extracted_at
    from order_lines
    group by order_id

),

computed as (

    select
        keyed.order_id,
        keyed.channel,
        keyed.source_order_id,
        coalesce(stores.banner_code, ecommerce_shops.banner_code) as banner_code,
        keyed.store_id,
        keyed.shop_id,
        keyed.fulfilment_type,
        keyed.ordered_at,
        {{ utc_to_shanghai_local('keyed.ordered_at') }} as ordered_local_at,
        keyed.business_date,
        cast(keyed.gross_amount as decimal(18, 2)) as gross_amount,
        cast(keyed.discount_amount as decimal(18, 2)) as discount_amount,
        cast(keyed.paid_amount as decimal(18, 2)) as paid_amount,
        cast(keyed.refund_amount as decimal(18, 2)) as refund_amount,
        cast(keyed.paid_amount - keyed.refund_amount as decimal(18, 2)) as net_sales_amount,
        keyed.last_refunded_at,
        cast(coalesce(items_per_order.items, 0) as {{ dbt.type_int() }}) as items,
        cast(coalesce(items_per_order.line_count, 0) as {{ dbt.type_int() }}) as line_count,
        keyed.coupon_code,
        keyed.is_o2o,
        keyed.card_no,
        keyed.phone,
        keyed.openid,
        keyed.buyer_key,
        -- latest extract of the order (its versions, refunds and lines); the incremental watermark
        greatest(
            keyed._order_extracted_at,
            coalesce(items_per_order.last_line_extracted_at, keyed._order_extracted_at)
        ) as _last_extracted_at
    from keyed
    left join items_per_order
        on keyed.order_id = items_per_order.order_id
    left join stores
        on keyed.store_id = stores.store_id
    left join ecommerce_shops
        on keyed.channel = ecommerce_shops.platform
            and keyed.shop_id = ecommerce_shops.shop_id

),

final as (

    {% if is_incremental() %}
        {{ rows_with_tombstones('computed', 'changed_orders', 'order_id') }}
    {% else %}
        select * from computed
    {% endif %}

)

select * from final
