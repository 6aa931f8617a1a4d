{#-
    Every identifier value seen in any staged record that carries one, linked or not (a card swiped alone, a
    buyer who never bound a phone, an openid that only ordered). One row per (identifier_type,
    identifier_value). Orders are resolved through int_identifiers_resolved, so every identifier an order can
    carry must be here; browse events are not read (an identifier seen only in browsing is anonymous).
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

miniprogram_orders as (

    select * from {{ ref('stg_miniprogram__orders') }}

),

wecom_contacts as (

    select * from {{ ref('stg_wecom__external_contacts') }}

),

platform_bindings as (

    select * from {{ ref('stg_ecommerce__membership_bindings') }}

),

ecommerce_orders as (

    select * from {{ ref('stg_ecommerce__orders') }}

),

linked as (

    select * from {{ ref('int_identifiers_linked') }}

),

crm_sightings as (

    select
        'card_no' as identifier_type,
        card_no as identifier_value,
        valid_from as seen_at,
        _extracted_at as extracted_at,
        is_test_account,
        is_staff_account,
        false as is_own_activity
    from crm_members
    union all
    select
        'phone' as identifier_type,
        phone as identifier_value,
        valid_from as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        false as is_own_activity
    from crm_members
    where phone is not null

),

pos_sightings as (

    select
        'card_no' as identifier_type,
        card_no as identifier_value,
        transacted_at as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from pos_transactions
    where card_no is not null
    union all
    select
        'phone' as identifier_type,
        phone as identifier_value,
        transacted_at as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from pos_transactions
    where phone is not null

),

miniprogram_sightings as (

    select
        'openid' as identifier_type,
        openid as identifier_value,
        coalesce(registered_at, valid_from) as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from miniprogram_users
    union all
    select
        'unionid' as identifier_type,
        unionid as identifier_value,
        coalesce(registered_at, valid_from) as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from miniprogram_users
    where unionid is not null
    union all
    select
        'phone' as identifier_type,
        phone as identifier_value,
        coalesce(phone_authorised_at, valid_from) as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from miniprogram_users
    where phone is not null
    union all
    select
        'openid' as identifier_type,
        openid as identifier_value,
        created_at as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from miniprogram_orders
    where openid is not null

),

wecom_sightings as (

    select
        'external_userid' as identifier_type,
        external_userid as identifier_value,
        coalesce(added_at, valid_from) as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from wecom_contacts
    union all
    select
        'unionid' as identifier_type,
        unionid as identifier_value,
        coalesce(added_at, valid_from) as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from wecom_contacts
    where unionid is not null

),

ecommerce_sightings as (

    select
        'buyer_key' as identifier_type,
        buyer_key as identifier_value,
        coalesce(bound_at, valid_from) as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from platform_bindings
    union all
    select
        'phone' as identifier_type,
        phone as identifier_value,
        coalesce(bound_at, valid_from) as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from platform_bindings
    where phone is not null
    union all
    select
        'buyer_key' as identifier_type,
        buyer_key as identifier_value,
        created_at as seen_at,
        _extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        true as is_own_activity
    from ecommerce_orders
    where buyer_key is not null

),

-- operator force links may name identifiers no record carries yet
force_link_sightings as (

    select
        left_type as identifier_type,
        left_value as identifier_value,
        first_seen_at as seen_at,
        first_extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        false as is_own_activity
    from linked
    where link_source = 'force_link'
    union all
    select
        right_type as identifier_type,
        right_value as identifier_value,
        first_seen_at as seen_at,
        first_extracted_at as extracted_at,
        false as is_test_account,
        false as is_staff_account,
        false as is_own_activity
    from linked
    where link_source = 'force_link'

),

unioned as (

    select * from crm_sightings
    union all
    select * from pos_sightings
    union all
    select * from miniprogram_sightings
    union all
    select * from wecom_sightings
    union all
    select * from ecommerce_sightings
    union all
    select * from force_link_sightings

),

final as (

    select
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
        min(extracted_at) as first_extracted_at,
        cast(min(extracted_at) as date) as first_loaded_on,
        max(case when is_own_activity then seen_at end) as last_active_at,
        count(*) as sighting_count,
        {{ dbt.bool_or('is_test_account') }} as is_test_account,
        {{ dbt.bool_or('is_staff_account') }} as is_staff_account
    from unioned
    where identifier_value is not null
    group by identifier_type, identifier_value

)

select * from final
