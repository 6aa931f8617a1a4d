{#-
    Every link between two identifiers that one staged record evidences, one row per (identifier pair,
    link_source). A record with several identifiers links them as a star around the record's own key (the CRM
    card, the mini-program openid, the WeCom external_userid, the platform buyer): a star keeps the evidence
    minimal (n - 1 links for n identifiers) and says exactly which record field glued what.
    Masked phones never appear: staging normalises phones and leaves masked or invalid ones NULL.
    Guards are NOT applied here: this model is the raw evidence the guards judge.
-#}

with

crm_members as (

    select * from {{ ref('stg_crm__members') }}

),

pos_transactions as (

    select * from {{ ref('stg_pos__transactions') }}

),

miniprogram_users as (

    select * from {{ ref('stg_miniprogram__users') }}

),

wecom_contacts as (

    select * from {{ ref('stg_wecom__external_contacts') }}

),

platform_bindings as (

    select * from {{ ref('stg_ecommerce__membership_bindings') }}

),

force_links as (

    select * from {{ ref('identity_force_link') }}

),

type_priority as (

    select * from {{ ref('identity_type_priority') }}

),

-- every historical phone of a card links to it: members change numbers, and old tickets carry the old one
crm_member_links as (

    select
        'card_no' as left_type,
        card_no as left_value,
        'phone' as right_type,
        phone as right_value,
        'crm_member' as link_source,
        valid_from as seen_at,
        _extracted_at as extracted_at
    from crm_members
    where phone is not null

),

pos_ticket_links as (

    select
        'card_no' as left_type,
        card_no as left_value,
        'phone' as right_type,
        phone as right_value,
        'pos_ticket' as link_source,
        transacted_at as seen_at,
        _extracted_at as extracted_at
    from pos_transactions
    where card_no is not null
        and phone is not null

),

miniprogram_unionid_links as (

    select
        'openid' as left_type,
        openid as left_value,
        'unionid' as right_type,
        unionid as right_value,
        'miniprogram_user' as link_source,
        coalesce(registered_at, valid_from) as seen_at,
        _extracted_at as extracted_at
    from miniprogram_users
    where unionid is not null

),

miniprogram_phone_links as (

    select
        'openid' as left_type,
        openid as left_value,
        'phone' as right_type,
        phone as right_value,
        'miniprogram_user' as link_source,
        coalesce(phone_authorised_at, valid_from) as seen_at,
        _extracted_at as extracted_at
    from miniprogram_users
    where phone is not null

),

wecom_contact_links as (

    select
        'external_userid' as left_type,
        external_userid as left_value,
        'unionid' as right_type,
        unionid as right_value,
        'wecom_contact' as link_source,
        coalesce(added_at, valid_from) as seen_at,
        _extracted_at as extracted_at
    from wecom_contacts
    where unionid is not null

),

-- an unbound membership still proves that the buyer and the phone were one person when it was bound
platform_binding_links as (

    select
        'buyer_key' as left_type,
        buyer_key as left_value,
        'phone' as right_type,
        phone as right_value,
        'platform_binding' as link_source,
        coalesce(bound_at, valid_from) as seen_at,
        _extracted_at as extracted_at
    from platform_bindings
    where phone is not null

),

operator_force_links as (

    select
        left_type,
        left_value,
        right_type,
        right_value,
        'force_link' as link_source,
        cast(requested_on as {{ dbt.type_timestamp() }}) as seen_at,
        cast(requested_on as {{ dbt.type_timestamp() }}) as extracted_at
    from force_links

),

unioned as (

    select * from crm_member_links
    union all
    select * from pos_ticket_links
    union all
    select * from miniprogram_unionid_links
    union all
    select * from miniprogram_phone_links
    union all
    select * from wecom_contact_links
    union all
    select * from platform_binding_links
    union all
    select * from operator_force_links

),

-- one orientation per pair: the higher-priority type on the left, equal types ordered by value
prioritised as (

    select
        unioned.*,
        left_priority.priority < right_priority.priority
        or (
            left_priority.priority = right_priority.priority
            and unioned.left_value <= unioned.right_value
        ) as is_left_first
    from unioned
    inner join type_priority as left_priority
        on unioned.left_type = left_priority.identifier_type
    inner join type_priority as right_priority
        on unioned.right_type = right_priority.identifier_type
    where not (unioned.left_type = unioned.right_type and unioned.left_value = unioned.right_value)

),

oriented as (

    select
        case when is_left_first then left_type else right_type end as left_type,
        case when is_left_first then left_value else right_value end as left_value,
        case when is_left_first then right_type else left_type end as right_type,
        case when is_left_first then right_value else left_value end as right_value,
        link_source,
        seen_at,
        extracted_at
    from prioritised

),

final as (

    select
        left_type,
        left_value,
        right_type,
        right_value,
        link_source,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
        min(extracted_at) as first_extracted_at,
        count(*) as evidence_count
    from oriented
    group by left_type, left_value, right_type, right_value, link_source

)

select * from final
