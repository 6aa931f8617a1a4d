{#-
    How each phone keyed at the POS behaves, one row per phone: the figures that tell a cashier's placeholder
    (a number typed for customers who give none, often one per store and in no blocklist) from a customer's
    own number: the busiest store-day, how many store-days carry it on more than one ticket, stores per
    day, distinct cards. int_identity_guard_decisions compares them with the seed identity_placeholder_thresholds.
-#}

with

tickets as (

    select * from {{ ref('stg_pos__transactions') }}
    where phone is not null
        and not is_refund

),

per_store_day as (

    select
        phone,
        store_id,
        business_date,
        count(distinct ticket_id) as ticket_count
    from tickets
    group by phone, store_id, business_date

),

per_day as (

    select
        phone,
        business_date,
        count(distinct store_id) as store_count
    from per_store_day
    group by phone, business_date

),

store_day_figures as (

    select
        phone,
        max(ticket_count) as max_tickets_in_store_day,
        -- a customer rarely keys their phone on two tickets of one store-day, and not again and again; a
        -- store's own placeholder is keyed for several walk-ins on many of its days, even in a quiet store
        sum(case when ticket_count > 1 then 1 else 0 end) as repeat_store_days,
        count(distinct store_id) as distinct_stores
    from per_store_day
    group by phone

),

day_figures as (

    select
        phone,
        max(store_count) as max_stores_in_day
    from per_day
    group by phone

),

card_figures as (

    select
        phone,
        count(distinct card_no) as distinct_cards,
        count(distinct ticket_id) as ticket_count
    from tickets
    group by phone

),

final as (

    select
        card_figures.phone,
        card_figures.ticket_count,
        store_day_figures.max_tickets_in_store_day,
        store_day_figures.repeat_store_days,
        day_figures.max_stores_in_day,
        store_day_figures.distinct_stores,
        card_figures.distinct_cards
    from card_figures
    inner join store_day_figures
        on card_figures.phone = store_day_figures.phone
    inner join day_figures
        on card_figures.phone = day_figures.phone

)

select * from final
