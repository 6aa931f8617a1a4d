-- THE definition of 会员 (enrolled member), written once: a person of the identity graph who holds
--   * a CRM loyalty card (any card the identity layer did not quarantine), or
--   * a platform brand-membership binding (Tmall/JD 品牌会员 opt-in), or
--   * a mini-program registration with an authorised phone.
-- Every other identified shopper (a card-less buyer known by phone, an online buyer account, a mini-program
-- user who never authorised a phone) is an identified consumer, not a member. One row per enrolled member:
-- the day membership began (Asia/Shanghai) is the earliest of the three enrolments; an order counts as a
-- member order from that day on (int_orders_membership_flagged).
with

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where member_id is not null
        and not is_quarantined

),

cards as (

    select * from {{ ref('stg_crm__members') }}

),

bindings as (

    select * from {{ ref('stg_ecommerce__membership_bindings') }}
    where is_bound

),

miniprogram_users as (

    select * from {{ ref('stg_miniprogram__users') }}
    where phone_authorised_at is not null

),

-- every version of a card / binding / user counts: the earliest start wins, later versions only restate it
enrolments as (

    select
        identifiers.member_id,
        'crm_card' as enrolment_basis,
        cards.enrolled_at as enrolment_at
    from cards
    inner join identifiers
        on identifiers.identifier_type = 'card_no'
            and cards.card_no = identifiers.identifier_value
    union all
    select
        identifiers.member_id,
        'platform_binding' as enrolment_basis,
        bindings.bound_at as enrolment_at
    from bindings
    inner join identifiers
        on identifiers.identifier_type = 'buyer_key'
            and bindings.buyer_key = identifiers.identifier_value
    union all
    select
        identifiers.member_id,
        'miniprogram_phone' as enrolment_basis,
        miniprogram_users.phone_authorised_at as enrolment_at
    from miniprogram_users
    inner join identifiers
        on identifiers.identifier_type = 'openid'
            and miniprogram_users.openid = identifiers.identifier_value

),

final as (

    select
        member_id,
        cast({{ utc_to_shanghai_local('min(enrolment_at)') }} as date) as enrolled_date,
        min(enrolment_at) as enrolled_at,
        max(case when enrolment_basis = 'crm_card' then 1 else 0 end) = 1 as has_crm_card,
        max(case when enrolment_basis = 'platform_binding' then 1 else 0 end) = 1 as has_platform_binding,
        max(case when enrolment_basis = 'miniprogram_phone' then 1 else 0 end) = 1 as has_miniprogram_phone
    from enrolments
    where enrolment_at is not null
    group by member_id

)

select * from final
