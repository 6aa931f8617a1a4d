{#-
    POS sale lines with what was refunded of them since, one row per line of a staged SALE ticket.
    A refund ticket's lines name a SKU, not a sale line, so the refunded units of a SKU are given to the sale's
    lines of that SKU in line order, each line taking at most the units it sold (the last line of the SKU
    takes any excess, so no refunded unit is lost and the range test on the mart flags it). The refunded money
    of the SKU is split over those lines in proportion to the value of the units each gave back at the price
    paid on that line; the last refunded line takes the rounding remainder, so lines add up to the refunds.
    Only refunds matched to this sale (int_pos_refunds_matched) count.
    Incremental (replace_keys on ticket_id): a run recomputes every line of the sale tickets that a staged
    ticket, line or refund extracted in the window touches (macro changed_pos_sale_ticket_ids); a touched
    ticket that is no sale any more gets a tombstone, which deletes its lines.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='ticket_id',
    tombstone_column='line_no',
) }}

with

{% if is_incremental() %}

    changed_tickets as (

        {{ changed_pos_sale_ticket_ids(incremental_window_start()) }}

    ),

{% endif %}

tickets as (

    select staged.*
    from {{ ref('stg_pos__transactions') }} as staged
    {% if is_incremental() %}
        where staged.ticket_id in (select changed_tickets.ticket_id from changed_tickets)
            or staged.original_ticket_id in (select changed_tickets.ticket_id from changed_tickets)
    {% endif %}

),

lines as (

    select staged.*
    from {{ ref('stg_pos__transaction_lines') }} as staged
    {% if is_incremental() %}
        where staged.ticket_id in (select tickets.ticket_id from tickets)
    {% endif %}

),

matched_refunds as (

    -- not filtered in an incremental run: refund lines are read only for the tickets above
    select * from {{ ref('int_pos_refunds_matched') }}
    where is_original_found

),

refunds_extracted as (

    select
        original_ticket_id,
        max(_extracted_at) as last_refund_extracted_at
    from matched_refunds
    group by original_ticket_id

),

sale_lines as (

    select
        lines.ticket_id,
        lines.line_no,
        lines.sku_id,
        lines.category_code,
        lines.quantity,
        lines.unit_price,
        lines.net_amount as paid_amount,
        case
            when lines._extracted_at > tickets._extracted_at then lines._extracted_at
            else tickets._extracted_at
        end as _sale_extracted_at,
        coalesce(
            sum(lines.quantity) over (
                partition by lines.ticket_id, lines.sku_id
                order by lines.line_no
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as sku_quantity_before,
        row_number() over (
            partition by lines.ticket_id, lines.sku_id
            order by lines.line_no desc
        ) as sku_position_from_last
    from lines
    inner join tickets
        on lines.ticket_id = tickets.ticket_id
    where tickets.transaction_type = 'SALE'

),

refunded_skus as (

    select
        matched_refunds.original_ticket_id,
        lines.sku_id,
        -1 * sum(lines.quantity) as refunded_quantity,
        -1 * sum(lines.net_amount) as refund_amount,
        max(lines._extracted_at) as last_refund_line_extracted_at
    from lines
    inner join matched_refunds
        on lines.ticket_id = matched_refunds.refund_ticket_id
    group by matched_refunds.original_ticket_id, lines.sku_id

),

units_allocated as (

    select
        sale_lines.*,
        coalesce(refunded_skus.refund_amount, 0) as sku_refund_amount,
        refunded_skus.last_refund_line_extracted_at,
        refunds_extracted.last_refund_extracted_at,
        case
            when refunded_skus.refunded_quantity is null then 0
            when sale_lines.sku_position_from_last = 1
                then greatest(refunded_skus.refunded_quantity - sale_lines.sku_quantity_before, 0)
            else greatest(
                    least(sale_lines.quantity, refunded_skus.refunded_quantity - sale_lines.sku_quantity_before), 0
                )
        end as refunded_quantity
    from sale_lines
    left join refunded_skus
        on sale_lines.ticket_id = refunded_skus.original_ticket_id
            and sale_lines.sku_id = refunded_skus.sku_id
    left join refunds_extracted
        on sale_lines.ticket_id = refunds_extracted.original_ticket_id

),

weighted as (

    select
        *,
        -- value of the units given back at the price paid on this line
        case
            when quantity = 0 then cast(0 as decimal(18, 2))
            else refunded_quantity * paid_amount / quantity
        end as refund_weight,
        row_number() over (
            partition by ticket_id, sku_id
            order by case when refunded_quantity > 0 then 0 else 1 end, line_no desc
        ) as refunded_position_from_last
    from units_allocated

),

money_allocated as (

    select
        *,
        case
            when refunded_quantity = 0 then cast(0 as decimal(18, 2))
            when sum(refund_weight) over (partition by ticket_id, sku_id) = 0
                then cast(round(
                        sku_refund_amount * refunded_quantity
                        / sum(refunded_quantity) over (partition by ticket_id, sku_id),
                        2
                    ) as decimal(18, 2))
            else cast(round(
                    sku_refund_amount * refund_weight / sum(refund_weight) over (partition by ticket_id, sku_id),
                    2
                ) as decimal(18, 2))
        end as proportional_refund_amount
    from weighted

),

computed as (

    select
        ticket_id,
        line_no,
        sku_id,
        category_code,
        quantity,
        unit_price,
        paid_amount,
        cast(refunded_quantity as {{ dbt.type_int() }}) as refunded_quantity,
        cast(
            case
                when refunded_quantity > 0 and refunded_position_from_last = 1
                    -- the last refunded line of the SKU takes the rounding remainder
                    then sku_refund_amount - (
                            sum(proportional_refund_amount) over (partition by ticket_id, sku_id)
                            - proportional_refund_amount
                        )
                else proportional_refund_amount
            end as decimal(18, 2)
        ) as refund_amount,
        -- latest extract of the sale ticket, this line, and the refunds (tickets and lines) of the sale
        greatest(
            _sale_extracted_at,
            coalesce(last_refund_line_extracted_at, _sale_extracted_at),
            coalesce(last_refund_extracted_at, _sale_extracted_at)
        ) as _last_extracted_at
    from money_allocated

),

final as (

    {% if is_incremental() %}
        {{ rows_with_tombstones('computed', 'changed_tickets', 'ticket_id') }}
    {% else %}
        select * from computed
    {% endif %}

)

select * from final
