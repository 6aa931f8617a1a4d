{#-
    Net sales per channel reconcile, to the fen, with the staged sources they come from: what the order facts
    report plus what int_orders_quarantined holds back equals
    - POS: every staged SALE ticket's paid amount plus every staged REFUND ticket's (negative) amount;
    - Tmall/JD: payment - refund of every paid staged order;
    - mini-program: paid - refund of every paid staged order.
    Catches a refund netted twice or lost, an order dropped silently, a line-level amount leaking into the
    order grain. One row per channel that does not reconcile.
-#}

with

pos_tickets as (

    select * from {{ ref('stg_pos__transactions') }}

),

ecommerce_orders as (

    select * from {{ ref('stg_ecommerce__orders') }}

),

miniprogram_orders as (

    select * from {{ ref('stg_miniprogram__orders') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

quarantined as (

    select * from {{ ref('int_orders_quarantined') }}

),

staged as (

    select
        'POS' as channel,
        sum(net_amount) as net_sales_amount
    from pos_tickets
    union all
    select
        platform as channel,
        sum(payment_amount - coalesce(refund_amount, 0)) as net_sales_amount
    from ecommerce_orders
    where paid_at is not null
    group by platform
    union all
    select
        'MINIPROGRAM' as channel,
        sum(paid_amount - coalesce(refund_amount, 0)) as net_sales_amount
    from miniprogram_orders
    where paid_at is not null

),

reported as (

    select
        channel,
        net_sales_amount
    from orders
    union all
    select
        channel,
        net_sales_amount
    from quarantined

),

reported_per_channel as (

    select
        channel,
        sum(net_sales_amount) as net_sales_amount
    from reported
    group by channel

),

final as (

    select
        coalesce(staged.channel, reported_per_channel.channel) as channel,
        staged.net_sales_amount as staged_net_sales_amount,
        reported_per_channel.net_sales_amount as reported_net_sales_amount
    from staged
    full outer join reported_per_channel
        on staged.channel = reported_per_channel.channel
    where coalesce(staged.net_sales_amount, 0) <> coalesce(reported_per_channel.net_sales_amount, 0)

)

select * from final
