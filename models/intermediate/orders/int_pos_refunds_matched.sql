{#-
    One row per staged POS refund ticket, matched to the sale it refunds. The only place that decides
    whether a refund's original_ticket_id points at a known sale: int_orders_unioned and
    int_order_lines_unioned net the matched refunds onto their sale, int_orders_quarantined lists the others.
-#}

with

tickets as (

    select * from {{ ref('stg_pos__transactions') }}

),

refunds as (

    select * from tickets
    where transaction_type = 'REFUND'

),

sales as (

    select * from tickets
    where transaction_type = 'SALE'

),

final as (

    select
        refunds.ticket_id as refund_ticket_id,
        refunds.original_ticket_id,
        sales.ticket_id is not null as is_original_found,
        refunds.store_id,
        sales.store_id as original_store_id,
        refunds.transacted_at as refunded_at,
        refunds.business_date,
        -- refunds carry negative amounts at the till; here they are positive amounts given back
        -1 * refunds.gross_amount as refund_gross_amount,
        -1 * refunds.net_amount as refund_amount,
        refunds._source_file,
        refunds._extracted_at
    from refunds
    left join sales
        on refunds.original_ticket_id = sales.ticket_id

)

select * from final
