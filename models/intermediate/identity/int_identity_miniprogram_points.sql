{#-
    Whether a mini-program account and a CRM card that share one phone behave as one member, one row per
    (phone, card, openid). A membership mini-program credits a member's completed orders to the member's card
    (points ledger rows naming the mini-program order), so completed orders the account placed after it
    authorised the phone and while the card was live, none of them credited to that card or to another card
    of the same phone (a member enrolled twice earns on either), say the account is someone else's: a family member's on the shared phone, or the new owner's of a recycled number.
    int_identity_guard_decisions drops such an account's link to the phone (`card_points_disagree`).
    Only where the data show the mechanism (some ledger row credits a mini-program order; a retailer whose
    mini-program awards no points gives no evidence), and only for orders old enough that their points would
    have been loaded (`identity_points_settle_days` before the latest such credit).
-#}

with

phone_uses as (

    select * from {{ ref('int_identity_phone_uses') }}

),

crm_members as (

    select * from {{ ref('stg_crm__members') }}

),

miniprogram_orders as (

    select * from {{ ref('stg_miniprogram__orders') }}
    where order_status = 'COMPLETED'

),

points_ledger as (

    select * from {{ ref('stg_crm__points_ledger') }}
    where change_type = 'EARN'

),

order_credits as (

    select distinct
        points_ledger.card_no,
        points_ledger.source_order_id as order_id,
        points_ledger.occurred_at
    from points_ledger
    inner join miniprogram_orders
        on points_ledger.source_order_id = miniprogram_orders.order_id

),

credit_horizon as (

    select max(occurred_at) as last_credited_at
    from order_credits

),

card_spans as (

    select
        card_no,
        min(enrolled_at) as enrolled_at,
        min(case when member_status = 'CANCELLED' then valid_from end) as cancelled_at
    from crm_members
    group by card_no

),

sharers as (

    select
        card_uses.phone,
        card_uses.identifier_value as card_no,
        account_uses.identifier_value as openid,
        account_uses.use_started_at as authorised_at
    from phone_uses as card_uses
    inner join phone_uses as account_uses
        on card_uses.phone = account_uses.phone
    where card_uses.identifier_type = 'card_no'
        and account_uses.identifier_type = 'openid'

),

-- each sharing account with the period its card was live: one relation, so that the planner cannot pair every
-- order with every card by the time conditions alone before the openid and card_no keys (at bench100k such a
-- plan spilled more than 40 GB where this takes a second)
sharer_spans as (

    select
        sharers.phone,
        sharers.card_no,
        sharers.openid,
        -- unknown when either start is unknown (greatest skips nulls), as two separate conditions would be
        case
            when sharers.authorised_at is not null and card_spans.enrolled_at is not null
                then greatest(sharers.authorised_at, card_spans.enrolled_at)
        end as live_from,
        card_spans.cancelled_at as live_to
    from sharers
    inner join card_spans
        on sharers.card_no = card_spans.card_no

),

settled_orders as (

    select miniprogram_orders.*
    from miniprogram_orders
    cross join credit_horizon
    where miniprogram_orders.created_at < {{ dbt.dateadd(
        'day', -1 * var('identity_points_settle_days'), 'credit_horizon.last_credited_at'
    ) }}

),

orders_while_both as (

    select distinct
        sharer_spans.phone,
        sharer_spans.card_no,
        sharer_spans.openid,
        settled_orders.order_id
    from sharer_spans
    inner join settled_orders
        on sharer_spans.openid = settled_orders.openid
    where settled_orders.created_at > sharer_spans.live_from
        and (sharer_spans.live_to is null or settled_orders.created_at < sharer_spans.live_to)

),

-- a person enrolled twice may earn on either card: a credit to any card of the phone agrees
credits_on_phone as (

    select distinct
        sharers.phone,
        order_credits.order_id,
        order_credits.card_no
    from sharers
    inner join order_credits
        on sharers.card_no = order_credits.card_no

),

final as (

    select
        orders_while_both.phone,
        orders_while_both.card_no,
        orders_while_both.openid,
        count(distinct orders_while_both.order_id) as completed_order_count,
        count(distinct case
            when credits_on_phone.card_no = orders_while_both.card_no then credits_on_phone.order_id
        end) as credited_to_card_count,
        count(distinct credits_on_phone.order_id) as credited_to_phone_cards_count,
        count(distinct credits_on_phone.order_id) = 0 as is_disagreeing
    from orders_while_both
    left join credits_on_phone
        on orders_while_both.order_id = credits_on_phone.order_id
            and orders_while_both.phone = credits_on_phone.phone
    group by orders_while_both.phone, orders_while_both.card_no, orders_while_both.openid

)

select * from final
