{#-
    Every order line of every selling channel at one grain: one row per line of a paid order (POS sale ticket,
    Tmall/JD order, mini-program order), with what was sold and what was refunded since, netted on the line.
    - POS: refund tickets are separate tickets with negative lines; int_pos_sale_lines_refunded nets the
      matched refunds' lines onto the sale lines of the same SKU.
    - Tmall/JD: each line carries its own refunded amount; the refunded quantity is the share of the line's
      quantity that the refunded share of its payment represents, rounded to whole items.
    - Mini-program: lines carry no refund; the order's refund is spread over its lines in proportion to their
      paid amounts (the rounding remainder goes to the last line, so lines add up to the order exactly), and
      so is the refunded quantity.
    Lines of orders the order model leaves out (unpaid orders, tickets quarantined in staging) are left out too.
    Incremental (replace_keys on order_id): a run recomputes all lines of every order that a staged order
    version, line or refund extracted in the window touches (macro changed_order_ids); an order without paid
    lines any more gets a tombstone, which deletes its lines.
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

with

{% if is_incremental() %}

    changed_orders as (

        {{ changed_order_ids(incremental_window_start(), include_store_changes=false) }}

    ),

{% endif %}

pos_sale_lines as (

    select staged.*
    from {{ ref('int_pos_sale_lines_refunded') }} as staged
    {% if is_incremental() %}
        where {{ dbt.concat(["'POS:'", 'staged.ticket_id']) }} in (select changed_orders.order_id from changed_orders)
    {% endif %}

),

ecommerce_orders as (

    select staged.*
    from {{ ref('stg_ecommerce__orders') }} as staged
    {% if is_incremental() %}
        where {{ dbt.concat(['staged.platform', "':'", 'staged.order_id']) }}
            in (select changed_orders.order_id from changed_orders)
    {% endif %}

),

ecommerce_lines as (

    select staged.*
    from {{ ref('stg_ecommerce__order_lines') }} as staged
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

miniprogram_lines as (

    select staged.*
    from {{ ref('stg_miniprogram__order_lines') }} as staged
    {% if is_incremental() %}
        where {{ dbt.concat(["'MINIPROGRAM:'", 'staged.order_id']) }}
            in (select changed_orders.order_id from changed_orders)
    {% endif %}

),

pos_order_lines as (

    select
        'POS' as channel,
        ticket_id as source_order_id,
        cast(line_no as {{ dbt.type_string() }}) as source_line_id,
        line_no as line_sequence,
        sku_id,
        category_code,
        quantity,
        refunded_quantity,
        unit_price,
        paid_amount,
        refund_amount,
        _last_extracted_at
    from pos_sale_lines

),

ecommerce_order_lines as (

    select
        ecommerce_lines.platform as channel,
        ecommerce_lines.order_id as source_order_id,
        ecommerce_lines.line_id as source_line_id,
        row_number() over (
            partition by ecommerce_lines.platform, ecommerce_lines.order_id
            -- line ids are numbers sent as text: shorter first so that '10' comes after '9'
            order by {{ dbt.length('ecommerce_lines.line_id') }}, ecommerce_lines.line_id
        ) as line_sequence,
        ecommerce_lines.sku_id,
        ecommerce_lines.category_code,
        ecommerce_lines.quantity,
        case
            when coalesce(ecommerce_lines.refund_amount, 0) = 0 then 0
            when ecommerce_lines.refund_amount >= ecommerce_lines.payment_amount then ecommerce_lines.quantity
            else cast(round(
                    ecommerce_lines.quantity * ecommerce_lines.refund_amount / ecommerce_lines.payment_amount
                ) as {{ dbt.type_int() }})
        end as refunded_quantity,
        ecommerce_lines.unit_price,
        ecommerce_lines.payment_amount as paid_amount,
        coalesce(ecommerce_lines.refund_amount, 0) as refund_amount,
        greatest(ecommerce_lines._extracted_at, ecommerce_orders._extracted_at) as _last_extracted_at
    from ecommerce_lines
    inner join ecommerce_orders
        on ecommerce_lines.platform = ecommerce_orders.platform
            and ecommerce_lines.order_id = ecommerce_orders.order_id
    where ecommerce_orders.paid_at is not null

),

miniprogram_paid_lines as (

    select
        miniprogram_lines.order_id,
        miniprogram_lines.line_no,
        miniprogram_lines.sku_id,
        miniprogram_lines.category_code,
        miniprogram_lines.quantity,
        miniprogram_lines.unit_price_amount,
        miniprogram_lines.paid_amount,
        coalesce(miniprogram_orders.refund_amount, 0) as order_refund_amount,
        sum(miniprogram_lines.paid_amount) over (
            partition by miniprogram_lines.order_id
        ) as order_lines_paid_amount,
        row_number() over (
            partition by miniprogram_lines.order_id
            order by miniprogram_lines.line_no desc
        ) as position_from_last,
        greatest(miniprogram_lines._extracted_at, miniprogram_orders._extracted_at) as _last_extracted_at
    from miniprogram_lines
    inner join miniprogram_orders
        on miniprogram_lines.order_id = miniprogram_orders.order_id
    where miniprogram_orders.paid_at is not null

),

miniprogram_refunds_spread as (

    select
        *,
        case
            when order_refund_amount = 0 or order_lines_paid_amount = 0 then cast(0 as decimal(18, 2))
            else cast(
                    round(order_refund_amount * paid_amount / order_lines_paid_amount, 2) as decimal(18, 2)
                )
        end as proportional_refund_amount
    from miniprogram_paid_lines

),

miniprogram_refunds_balanced as (

    select
        *,
        case
            when position_from_last = 1
                -- the last line takes what rounding left over, so the lines add up to the order's refund
                then order_refund_amount - (
                        sum(proportional_refund_amount) over (partition by order_id) - proportional_refund_amount
                    )
            else proportional_refund_amount
        end as line_refund_amount
    from miniprogram_refunds_spread

),

miniprogram_order_lines as (

    select
        'MINIPROGRAM' as channel,
        order_id as source_order_id,
        cast(line_no as {{ dbt.type_string() }}) as source_line_id,
        line_no as line_sequence,
        sku_id,
        category_code,
        quantity,
        case
            when line_refund_amount = 0 then 0
            when line_refund_amount >= paid_amount then quantity
            else cast(round(quantity * line_refund_amount / paid_amount) as {{ dbt.type_int() }})
        end as refunded_quantity,
        unit_price_amount as unit_price,
        paid_amount,
        line_refund_amount as refund_amount,
        _last_extracted_at
    from miniprogram_refunds_balanced

),

unioned as (

    select * from pos_order_lines
    union all
    select * from ecommerce_order_lines
    union all
    select * from miniprogram_order_lines

),

computed as (

    select
        {{ dbt.concat(['channel', "':'", 'source_order_id', "':'", 'source_line_id']) }} as order_line_id,
        {{ dbt.concat(['channel', "':'", 'source_order_id']) }} as order_id,
        channel,
        source_order_id,
        source_line_id,
        cast(line_sequence as {{ dbt.type_int() }}) as line_sequence,
        sku_id,
        category_code,
        cast(quantity as {{ dbt.type_int() }}) as quantity,
        cast(refunded_quantity as {{ dbt.type_int() }}) as refunded_quantity,
        cast(quantity - refunded_quantity as {{ dbt.type_int() }}) as net_quantity,
        cast(unit_price as decimal(18, 2)) as unit_price,
        cast(quantity * unit_price as decimal(18, 2)) as gross_amount,
        cast(quantity * unit_price - paid_amount as decimal(18, 2)) as discount_amount,
        cast(paid_amount as decimal(18, 2)) as paid_amount,
        cast(refund_amount as decimal(18, 2)) as refund_amount,
        cast(paid_amount - refund_amount as decimal(18, 2)) as net_sales_amount,
        _last_extracted_at
    from unioned

),

final as (

    {% if is_incremental() %}
        {{ rows_with_tombstones('computed', 'changed_orders', 'order_id') }}
    {% else %}
        select * from computed
    {% endif %}

)

select * from final
