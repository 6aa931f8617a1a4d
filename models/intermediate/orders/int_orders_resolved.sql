{#-
    Every order that passed the cross-table checks, with the member who placed it.
    Resolution: each identifier the order carries is looked up in int_identifiers_resolved; identifiers that
    are quarantined (placeholder or store phone, test/staff card, capped shared phone …) or that belong to no
    member are ignored. Of the remaining ones the type with the best priority in the seed
    identity_type_priority decides (the identity layer's own ranking, read rather than repeated):
        card_no > unionid > openid > buyer_key > external_userid > phone
    (a swiped card is the strongest evidence of who paid; a keyed phone the weakest). Orders carry card_no,
    phone, openid and buyer_key. If no identifier is left the order is anonymous (member_id NULL).
    Orders listed in int_orders_quarantined (unknown store/shop) are left out here.
-#}

with

orders as (

    select * from {{ ref('int_orders_unioned') }}

),

quarantined_orders as (

    select * from {{ ref('int_orders_quarantined') }}
    where order_id is not null

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

type_priority as (

    select * from {{ ref('identity_type_priority') }}

),

order_identifiers as (

    select
        order_id,
        'card_no' as identifier_type,
        card_no as identifier_value
    from orders
    where card_no is not null
    union all
    select
        order_id,
        'openid' as identifier_type,
        openid as identifier_value
    from orders
    where openid is not null
    union all
    select
        order_id,
        'buyer_key' as identifier_type,
        buyer_key as identifier_value
    from orders
    where buyer_key is not null
    union all
    select
        order_id,
        'phone' as identifier_type,
        phone as identifier_value
    from orders
    where phone is not null

),

order_identifiers_looked_up as (

    select
        order_identifiers.order_id,
        order_identifiers.identifier_type,
        identifiers.member_id,
        type_priority.priority as identifier_priority,
        coalesce(identifiers.is_quarantined, false) as is_quarantined
    from order_identifiers
    left join type_priority
        on order_identifiers.identifier_type = type_priority.identifier_type
    left join identifiers
        on order_identifiers.identifier_type = identifiers.identifier_type
            and order_identifiers.identifier_value = identifiers.identifier_value

),

usable_identifiers_ranked as (

    select
        *,
        row_number() over (
            partition by order_id
            order by identifier_priority, identifier_type
        ) as usable_rank
    from order_identifiers_looked_up
    where member_id is not null
        and not is_quarantined

),

per_order as (

    select
        order_id,
        count(*) as identifier_count,
        sum(case when is_quarantined then 1 else 0 end) as quarantined_identifier_count
    from order_identifiers_looked_up
    group by order_id

),

members_per_order as (

    select
        order_id,
        count(distinct member_id) as candidate_member_count
    from usable_identifiers_ranked
    group by order_id

),

final as (

    select
        orders.*,
        chosen.member_id,
        chosen.identifier_type as resolved_via_identifier_type,
        case
            when chosen.member_id is not null then null
            when per_order.order_id is null then 'no_identifier'
            when per_order.quarantined_identifier_count = per_order.identifier_count
                then 'only_quarantined_identifiers'
            else 'unresolved_identifiers'
        end as anonymous_reason,
        coalesce(members_per_order.candidate_member_count, 0) > 1 as has_conflicting_identifiers
    from orders
    left join usable_identifiers_ranked as chosen
        on orders.order_id = chosen.order_id
            and chosen.usable_rank = 1
    left join per_order
        on orders.order_id = per_order.order_id
    left join members_per_order
        on orders.order_id = members_per_order.order_id
    where not exists (
            select 1 from quarantined_orders
            where quarantined_orders.order_id = orders.order_id
        )

)

select * from final
