{#-
    The golden record: one row per member_id of the identity graph, every attribute taken from the source
    that the survivorship rules in DECISIONS.md ("Survivorship and order facts") trust most for it.
    Clear personal data (name, phone, birthday, card number) stays in this intermediate model (tagged pii);
    the public mart dim_members only carries masked/hashed or coarsened forms.
-#}

with

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where member_id is not null

),

crm_members as (

    select * from {{ ref('stg_crm__members') }}
    where is_current

),

points_ledger as (

    select * from {{ ref('stg_crm__points_ledger') }}

),

-- consent in force now: the open span of each card (the rules live in int_card_consent_historized: latest
-- statement over all the member's cards, an opt-out wins a tie, no statement = no span)
current_consent as (

    select * from {{ ref('int_card_consent_historized') }}
    where is_current
        and member_id is not null

),

wecom_contacts as (

    select * from {{ ref('stg_wecom__external_contacts') }}
    where is_current

),

wecom_staff as (

    select * from {{ ref('stg_wecom__staff') }}
    where is_current

),

miniprogram_users as (

    select * from {{ ref('stg_miniprogram__users') }}
    where is_current

),

platform_bindings as (

    select * from {{ ref('stg_ecommerce__membership_bindings') }}
    where is_current

),

orders as (

    select * from {{ ref('int_orders_resolved') }}
    where member_id is not null

),

stores as (

    select * from {{ ref('stg_stores__store_master') }}
    where is_current

),

tiers as (

    select * from {{ ref('member_tiers') }}

),

-- identifier inventory; also the member spine: every member of the graph has at least one identifier
member_spine as (

    select
        member_id,
        min(first_seen_at) as first_seen_at,
        cast(count(*) as {{ dbt.type_int() }}) as identifier_count,
        {%- for identifier_type in ['card_no', 'phone', 'openid', 'unionid', 'buyer_key', 'external_userid'] %}
            cast(sum(case when identifier_type = '{{ identifier_type }}' then 1 else 0 end) as {{ dbt.type_int() }})
                as {{ identifier_type }}_count{% if not loop.last %},{% endif %}
        {%- endfor %}
    from identifiers
    group by member_id

),

-- the member's CRM cards, best first: active before cancelled, then the most recently updated
member_cards as (

    select
        identifiers.member_id,
        crm_members.*,
        tiers.tier_rank,
        row_number() over (
            partition by identifiers.member_id
            order by
                case when crm_members.member_status = 'ACTIVE' then 0 else 1 end,
                crm_members.updated_at desc,
                crm_members.card_no desc
        ) as card_rank,
        row_number() over (
            partition by identifiers.member_id
            order by crm_members.enrolled_at, crm_members.card_no
        ) as enrolment_rank
    from identifiers
    inner join crm_members
        on identifiers.identifier_value = crm_members.card_no
    left join tiers
        on crm_members.tier_code = tiers.tier_code
    where identifiers.identifier_type = 'card_no'
        and not identifiers.is_quarantined

),

-- per attribute, the best-ranked card that has a usable value for it
member_cards_attribute_ranked as (

    select
        *,
        min(case when member_name is not null then card_rank end) over (partition by member_id) as name_rank,
        min(case when gender is not null then card_rank end) over (partition by member_id) as gender_rank,
        min(case when birthday is not null then card_rank end) over (partition by member_id) as birthday_rank,
        min(case when city is not null then card_rank end) over (partition by member_id) as city_rank,
        max(case when member_status = 'ACTIVE' then tier_rank end) over (partition by member_id)
            as best_active_tier_rank
    from member_cards

),

crm_survived as (

    select
        member_id,
        max(case when card_rank = 1 then card_no end) as primary_card_no,
        max(case when card_rank = 1 then member_status end) as member_status,
        max(case when card_rank = name_rank then member_name end) as member_name,
        max(case when card_rank = gender_rank then gender end) as gender,
        max(case when card_rank = birthday_rank then birthday end) as birthday,
        max(case when card_rank = city_rank then city end) as crm_city,
        -- best tier held on an active card; a member whose cards are all cancelled keeps the primary card's
        coalesce(max(best_active_tier_rank), max(case when card_rank = 1 then tier_rank end)) as tier_rank,
        max(case when enrolment_rank = 1 then enrolled_at end) as enrolled_at,
        max(case when enrolment_rank = 1 then enrol_channel end) as enrol_channel,
        max(case when enrolment_rank = 1 then enrol_store_id end) as enrol_store_id
    from member_cards_attribute_ranked
    group by member_id

),

member_points as (

    select
        member_cards.member_id,
        sum(points_ledger.points) as points_balance,
        max(points_ledger.occurred_at) as last_points_activity_at
    from points_ledger
    inner join member_cards
        on points_ledger.card_no = member_cards.card_no
    group by member_cards.member_id

),

-- every card of a member carries the member's spans, so each max() sees one value per member and channel
consent_now as (

    select
        member_id,
        {%- for channel in ['sms', 'wecom', 'miniprogram', 'email'] %}
            max(case when consent_channel = '{{ channel | upper }}' then consent_status end)
                as {{ channel }}_consent_status,
            max(case when consent_channel = '{{ channel | upper }}' then valid_from_at end)
                as {{ channel }}_consent_changed_at
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from current_consent
    group by member_id

),

wecom_reachable as (

    select distinct identifiers.member_id
    from wecom_contacts
    inner join wecom_staff
        on wecom_contacts.staff_id = wecom_staff.staff_id
    inner join identifiers
        on identifiers.identifier_type = 'external_userid'
            and wecom_contacts.external_userid = identifiers.identifier_value
    where wecom_contacts.is_active_friend
        and wecom_staff.role = 'GUIDE'
        and wecom_staff.left_on is null

),

miniprogram_reachable as (

    select distinct identifiers.member_id
    from miniprogram_users
    inner join identifiers
        on identifiers.identifier_type = 'openid'
            and miniprogram_users.openid = identifiers.identifier_value
    where miniprogram_users.phone_authorised_at is not null

),

reachability as (

    select
        member_spine.member_id,
        wecom_reachable.member_id is not null as has_wecom_contact,
        miniprogram_reachable.member_id is not null as has_authorised_miniprogram_phone
    from member_spine
    left join wecom_reachable
        on member_spine.member_id = wecom_reachable.member_id
    left join miniprogram_reachable
        on member_spine.member_id = miniprogram_reachable.member_id

),

-- city from where the member shops when the CRM has none: most orders, then the latest order, then name
store_cities_ranked as (

    select
        orders.member_id,
        stores.city,
        row_number() over (
            partition by orders.member_id
            order by count(*) desc, max(orders.ordered_at) desc, stores.city
        ) as city_rank
    from orders
    inner join stores
        on orders.store_id = stores.store_id
    group by orders.member_id, stores.city

),

-- phone candidates, most trusted source first; only a phone that resolves to this very member qualifies
phone_candidates as (

    select
        member_cards.member_id,
        member_cards.phone,
        1 as source_rank,
        member_cards.card_rank as within_rank
    from member_cards
    where member_cards.phone is not null
    union all
    select
        identifiers.member_id,
        miniprogram_users.phone,
        2 as source_rank,
        row_number() over (
            partition by identifiers.member_id order by miniprogram_users.phone_authorised_at desc
        ) as within_rank
    from miniprogram_users
    inner join identifiers
        on identifiers.identifier_type = 'openid'
            and miniprogram_users.openid = identifiers.identifier_value
    where miniprogram_users.phone is not null
    union all
    select
        identifiers.member_id,
        platform_bindings.phone,
        3 as source_rank,
        row_number() over (
            partition by identifiers.member_id order by platform_bindings.bound_at desc
        ) as within_rank
    from platform_bindings
    inner join identifiers
        on identifiers.identifier_type = 'buyer_key'
            and platform_bindings.buyer_key = identifiers.identifier_value
    where platform_bindings.phone is not null
        and platform_bindings.is_bound

),

phones_ranked as (

    select
        phone_candidates.member_id,
        phone_candidates.phone,
        row_number() over (
            partition by phone_candidates.member_id
            order by phone_candidates.source_rank, phone_candidates.within_rank
        ) as phone_rank
    from phone_candidates
    inner join identifiers
        on identifiers.identifier_type = 'phone'
            and phone_candidates.phone = identifiers.identifier_value
            and phone_candidates.member_id = identifiers.member_id
    where not identifiers.is_quarantined

),

final as (

    select
        member_spine.member_id,
        member_spine.first_seen_at,
        crm_survived.member_id is not null as has_crm_card,
        crm_survived.primary_card_no,
        crm_survived.member_status,
        crm_survived.member_name,
        crm_survived.gender,
        crm_survived.birthday,
        coalesce(crm_survived.crm_city, store_cities_ranked.city) as city,
        case
            when crm_survived.crm_city is not null then 'crm'
            when store_cities_ranked.city is not null then 'store_orders'
        end as city_source,
        phones_ranked.phone,
        crm_survived.enrolled_at,
        cast({{ utc_to_shanghai_local('crm_survived.enrolled_at') }} as date) as enrol_date,
        crm_survived.enrol_channel,
        crm_survived.enrol_store_id,
        tiers.tier_code,
        tiers.tier_name,
        cast(coalesce(member_points.points_balance, 0) as {{ dbt.type_bigint() }}) as points_balance,
        member_points.last_points_activity_at,
        {%- for channel in ['sms', 'wecom', 'miniprogram', 'email'] %}
            consent_now.{{ channel }}_consent_status,
            consent_now.{{ channel }}_consent_changed_at,
        {%- endfor %}
        reachability.has_wecom_contact,
        reachability.has_authorised_miniprogram_phone,
        reachability.has_wecom_contact or reachability.has_authorised_miniprogram_phone as is_online_reachable,
        member_spine.identifier_count,
        member_spine.card_no_count,
        member_spine.phone_count,
        member_spine.openid_count,
        member_spine.unionid_count,
        member_spine.buyer_key_count,
        member_spine.external_userid_count
    from member_spine
    left join crm_survived
        on member_spine.member_id = crm_survived.member_id
    left join tiers
        on crm_survived.tier_rank = tiers.tier_rank
    left join member_points
        on member_spine.member_id = member_points.member_id
    left join consent_now
        on member_spine.member_id = consent_now.member_id
    left join reachability
        on member_spine.member_id = reachability.member_id
    left join store_cities_ranked
        on member_spine.member_id = store_cities_ranked.member_id
            and store_cities_ranked.city_rank = 1
    left join phones_ranked
        on member_spine.member_id = phones_ranked.member_id
            and phones_ranked.phone_rank = 1

)

select * from final
