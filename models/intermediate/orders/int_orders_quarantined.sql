{#-
    Order records kept out of the order facts because they contradict another table, one row per record.
    Staging quarantines rows that are wrong on their own (int_rows_quarantined); this model holds the checks
    that need a second table, each with its reason:
    - refund_of_unknown_ticket: a POS refund ticket whose original_ticket_id is not a staged SALE ticket (never
      sold, sold before the data starts, or the sale itself was quarantined in staging). With no sale to net
      it onto, it would otherwise vanish silently.
    - unknown_store: a POS or mini-program order whose store_id is in no version of the store master.
    - unknown_shop: a Tmall/JD order from a shop that the seed ecommerce_shops does not map to a banner.
    - quarantined_line: a line of the order was quarantined in staging for its content (invalid or implausible
      quantity or amount, bad code, ...; copies and older versions do not count): the lines would no longer
      add up to the order, so the order waits whole for a corrected extract instead of reaching the facts
      with part of its basket.
    - void_line_on_sale: a POS SALE ticket with a line of negative quantity (a void the till did not net).
      Voids are not netted against the line they cancel (which line is ambiguous); the ticket is kept out
      whole, its net sales shown here.
    A record gets one reason, in the order of this list after the refunds.
-#}

with

pos_refunds as (

    select * from {{ ref('int_pos_refunds_matched') }}

),

orders as (

    select * from {{ ref('int_orders_unioned') }}

),

store_versions as (

    select * from {{ ref('stg_stores__store_master') }}

),

ecommerce_shops as (

    select * from {{ ref('ecommerce_shops') }}

),

pos_lines as (

    select * from {{ ref('stg_pos__transaction_lines') }}

),

-- lines quarantined for their content (not copies or older versions), by the order id they name
defective_lines as (

    select {{ dbt.concat(["'POS:'", 'ticket_id']) }} as order_id
    from {{ ref('base_pos__transaction_lines') }}
    where _quarantine_reason not in ('duplicate_row', 'superseded_version')
        and ticket_id is not null

    union all

    select {{ dbt.concat(['platform', "':'", 'order_id']) }} as order_id
    from {{ ref('base_ecommerce__order_lines') }}
    where _quarantine_reason not in ('duplicate_row', 'superseded_version')
        and platform is not null
        and order_id is not null

    union all

    select {{ dbt.concat(["'MINIPROGRAM:'", 'order_id']) }} as order_id
    from {{ ref('base_miniprogram__order_lines') }}
    where _quarantine_reason not in ('duplicate_row', 'superseded_version', 'erased')
        and order_id is not null

),

orders_with_defective_lines as (

    select distinct order_id from defective_lines

),

sales_with_void_lines as (

    select distinct {{ dbt.concat(["'POS:'", 'ticket_id']) }} as order_id
    from pos_lines
    where quantity < 0

),

known_stores as (

    select distinct store_id from store_versions

),

orphan_refunds as (

    select
        'pos_refund_ticket' as record_type,
        'POS' as channel,
        refund_ticket_id as source_record_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        original_ticket_id as referenced_ticket_id,
        store_id,
        cast(null as {{ dbt.type_string() }}) as shop_id,
        refunded_at as recorded_at,
        business_date,
        -- signed effect on net sales had the record been kept
        -1 * refund_amount as net_sales_amount,
        'refund_of_unknown_ticket' as quarantine_reason
    from pos_refunds
    where not is_original_found

),

orders_checked as (

    select
        orders.*,
        case
            when orders.store_id is not null and known_stores.store_id is null then 'unknown_store'
            when orders.shop_id is not null and ecommerce_shops.shop_id is null then 'unknown_shop'
            when orders_with_defective_lines.order_id is not null then 'quarantined_line'
            when sales_with_void_lines.order_id is not null then 'void_line_on_sale'
        end as quarantine_reason
    from orders
    left join known_stores
        on orders.store_id = known_stores.store_id
    left join ecommerce_shops
        on orders.channel = ecommerce_shops.platform
            and orders.shop_id = ecommerce_shops.shop_id
    left join orders_with_defective_lines
        on orders.order_id = orders_with_defective_lines.order_id
    -- int_orders_unioned holds SALE tickets only: a negative line here is a void, not a refund
    left join sales_with_void_lines
        on orders.order_id = sales_with_void_lines.order_id

),

orders_rejected as (

    select
        'order' as record_type,
        channel,
        source_order_id as source_record_id,
        order_id,
        cast(null as {{ dbt.type_string() }}) as referenced_ticket_id,
        store_id,
        shop_id,
        ordered_at as recorded_at,
        business_date,
        net_sales_amount,
        quarantine_reason
    from orders_checked
    where quarantine_reason is not null

),

unioned as (

    select * from orphan_refunds
    union all
    select * from orders_rejected

),

final as (

    select
        {{ dbt.concat(['record_type', "':'", 'channel', "':'", 'source_record_id']) }} as quarantined_record_id,
        record_type,
        channel,
        source_record_id,
        order_id,
        referenced_ticket_id,
        store_id,
        shop_id,
        recorded_at,
        business_date,
        cast(net_sales_amount as decimal(18, 2)) as net_sales_amount,
        quarantine_reason
    from unioned

)

select * from final
