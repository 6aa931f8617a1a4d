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
    Incremental (replace_keys on order_id). A run recomputes
    - every order a staged row extracted in the window touches (macro changed_order_ids), and
    - every order whose resolution changed: the resolution of ALL orders is recomputed from their identifiers
      (a narrow join on int_identifiers_resolved, no wide rows) and compared with the stored one, so a merge
      or split of members found today re-points the orders of any day (see DECISIONS.md, "Incremental runs").
    An order that is quarantined now or no order any more gets a tombstone, which deletes it.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='order_id',
    tombstone_column='channel',
) }}

-- the incremental branch reads these through macros changed_order_ids and erasure_swept_keys
-- depends_on: {{ ref('erasure_requests') }}
-- depends_on: {{ ref('stg_pos__transactions') }}
-- depends_on: {{ ref('stg_pos__transaction_lines') }}
-- depends_on: {{ ref('stg_ecommerce__orders') }}
-- depends_on: {{ ref('stg_ecommerce__order_lines') }}
-- depends_on: {{ ref('stg_miniprogram__orders') }}
-- depends_on: {{ ref('stg_miniprogram__order_lines') }}
-- depends_on: {{ ref('stg_stores__store_master') }}

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

resolutions as (

    select
        orders.order_id,
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

),

{% if is_incremental() %}

    changed_orders as (

        {{ changed_order_ids(incremental_window_start()) }}
        union
        -- orders holding an identifier that a recent erasure request matches: recomputed anonymised
        {{ erasure_swept_keys('order_id', order_identifier_columns()) }}

    ),

    repointed_orders as (

        select resolutions.order_id
        from resolutions
        inner join {{ this }} as previous
            on resolutions.order_id = previous.order_id
        where
            resolutions.member_id is distinct from previous.member_id
            or resolutions.resolved_via_identifier_type is distinct from previous.resolved_via_identifier_type
            or resolutions.anonymous_reason is distinct from previous.anonymous_reason
            or resolutions.has_conflicting_identifiers is distinct from previous.has_conflicting_identifiers

    ),

    affected_orders as (

        select changed_orders.order_id from changed_orders
        union
        select repointed_orders.order_id from repointed_orders

    ),

{% endif %}

computed as (

    select
        orders.*,
        resolutions.member_id,
        resolutions.resolved_via_identifier_type,
        resolutions.anonymous_reason,
        resolutions.has_conflicting_identifiers
    from orders
    inner join resolutions
        on orders.order_id = resolutions.order_id
    {% if is_incremental() %}
        inner join affected_orders
            on orders.order_id = affected_orders.order_id
    {% endif %}
    where not exists (
            select 1 from quarantined_orders
            where quarantined_orders.order_id = orders.order_id
        )

),

final as (

    {% if is_incremental() %}
        {{ rows_with_tombstones('computed', 'affected_orders', 'order_id') }}
    {% else %}
        select * from computed
    {% endif %}

)

select * from final
