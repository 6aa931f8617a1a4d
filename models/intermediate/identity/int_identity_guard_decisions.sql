{#-
    Audit of every guard decision of the identity graph, one row per (decision, subject): each reason that
    quarantines an identifier (ALL that apply, not only the first), each link an operator's never_link rule
    removes and each link an operator's force_link rule adds. int_identifiers_guarded keeps the first
    quarantine reason per identifier by `precedence`.

    Order of the identifier guards (precedence): 1 blocklist seed, 2 store phone (store master), 3 staff phone
    (WeCom staff), 4 test account card, 5 staff account card, 6 staff or test identity (any identifier linked
    to a staff/test card or staff phone, or to such an identifier through one phone or unionid), 7 behaves as
    placeholder (POS figures of int_identity_phone_behaviour above seed identity_placeholder_thresholds),
    10+ caps (seed identity_caps, by guard_reason).
    Caps count the distinct neighbours of one type that an identifier has through organic links (force links,
    never_link pairs and links ended by a phone's validity excluded) whose other end is not already
    quarantined by guards 1-7; buyer keys are counted per platform. The identifiers sharing one phone count as
    ONE neighbour when every pair of them is compatible: two cards or two buyers whose uses of the phone do
    not overlap in time (a re-issued card, a re-bound buyer), or two cards with the same member name and
    no differing birthday (a duplicate enrolment); two cards whose name or birthday differ never are. An identifier over a cap is quarantined
    itself: nothing merges through it.
    A link is dropped (`phone_validity_ended`) when its use of the phone ended before a later period of the
    number (int_identity_phone_uses): the carrier re-issued it to someone else.
-#}

with

observed as (

    select * from {{ ref('int_identifiers_observed') }}

),

linked as (

    select * from {{ ref('int_identifiers_linked') }}

),

blocklist as (

    select * from {{ ref('identity_blocklist') }}

),

caps as (

    select * from {{ ref('identity_caps') }}

),

never_links as (

    select * from {{ ref('identity_never_link') }}

),

stores as (

    select * from {{ ref('stg_stores__store_master') }}

),

wecom_staff as (

    select * from {{ ref('stg_wecom__staff') }}

),

phone_uses as (

    select * from {{ ref('int_identity_phone_uses') }}

),

phone_behaviour as (

    select * from {{ ref('int_identity_phone_behaviour') }}

),

miniprogram_points as (

    select * from {{ ref('int_identity_miniprogram_points') }}

),

placeholder_thresholds as (

    select * from {{ ref('identity_placeholder_thresholds') }}

),

crm_members as (

    select * from {{ ref('stg_crm__members') }}
    where is_current

),

blocklisted as (

    select
        observed.identifier_type,
        observed.identifier_value,
        'blocklist' as guard_reason,
        1 as precedence,
        blocklist.reason as guard_detail
    from observed
    inner join blocklist
        on observed.identifier_type = blocklist.identifier_type
            and observed.identifier_value = blocklist.identifier_value

),

store_phone_numbers as (

    select
        store_phone as phone,
        min(store_id) as store_id,
        count(distinct store_id) as store_count
    from stores
    where store_phone is not null
    group by store_phone

),

store_phones as (

    select
        observed.identifier_type,
        observed.identifier_value,
        'store_phone' as guard_reason,
        2 as precedence,
        'phone of store ' || store_phone_numbers.store_id
        || case when store_phone_numbers.store_count > 1 then ' and others' else '' end as guard_detail
    from observed
    inner join store_phone_numbers
        on observed.identifier_value = store_phone_numbers.phone
    where observed.identifier_type = 'phone'

),

staff_phone_numbers as (

    select
        phone,
        min(staff_id) as staff_id
    from wecom_staff
    where phone is not null
    group by phone

),

staff_phones as (

    select
        observed.identifier_type,
        observed.identifier_value,
        'staff_phone' as guard_reason,
        3 as precedence,
        'phone of WeCom staff ' || staff_phone_numbers.staff_id as guard_detail
    from observed
    inner join staff_phone_numbers
        on observed.identifier_value = staff_phone_numbers.phone
    where observed.identifier_type = 'phone'

),

account_flags as (

    select
        identifier_type,
        identifier_value,
        'test_account' as guard_reason,
        4 as precedence,
        'CRM card flagged as a test account in staging' as guard_detail
    from observed
    where identifier_type = 'card_no'
        and is_test_account
    union all
    select
        identifier_type,
        identifier_value,
        'staff_account' as guard_reason,
        5 as precedence,
        'CRM card flagged as an employee card in staging' as guard_detail
    from observed
    where identifier_type = 'card_no'
        and is_staff_account

),

placeholder_limits as (

    select
        max(case when figure = 'max_tickets_in_store_day' then max_value end) as max_tickets_in_store_day,
        max(case when figure = 'repeat_store_days' then max_value end) as repeat_store_days,
        max(case when figure = 'max_stores_in_day' then max_value end) as max_stores_in_day,
        max(case when figure = 'distinct_cards' then max_value end) as distinct_cards
    from placeholder_thresholds

),

behaving_placeholders as (

    select
        'phone' as identifier_type,
        phone_behaviour.phone as identifier_value,
        'behaves_as_placeholder' as guard_reason,
        7 as precedence,
        'POS figures: ' || cast(phone_behaviour.max_tickets_in_store_day as {{ dbt.type_string() }})
        || ' tickets in one store-day (max '
        || cast(placeholder_limits.max_tickets_in_store_day as {{ dbt.type_string() }})
        || '), ' || cast(phone_behaviour.repeat_store_days as {{ dbt.type_string() }})
        || ' store-days with several tickets (max '
        || cast(placeholder_limits.repeat_store_days as {{ dbt.type_string() }})
        || '), ' || cast(phone_behaviour.max_stores_in_day as {{ dbt.type_string() }})
        || ' stores in one day (max ' || cast(placeholder_limits.max_stores_in_day as {{ dbt.type_string() }})
        || '), ' || cast(phone_behaviour.distinct_cards as {{ dbt.type_string() }})
        || ' distinct cards (max ' || cast(placeholder_limits.distinct_cards as {{ dbt.type_string() }})
        || ')' as guard_detail
    from phone_behaviour
    cross join placeholder_limits
    where phone_behaviour.max_tickets_in_store_day > placeholder_limits.max_tickets_in_store_day
        or phone_behaviour.repeat_store_days > placeholder_limits.repeat_store_days
        or phone_behaviour.max_stores_in_day > placeholder_limits.max_stores_in_day
        or phone_behaviour.distinct_cards > placeholder_limits.distinct_cards

),

-- the links a guard may judge: operator rules, links ended by a phone's validity and accounts whose orders
-- were credited to no card on their phone take no part
validity_ended_links as (

    select
        identifier_type,
        identifier_value,
        phone
    from phone_uses
    where is_validity_ended
    union all
    select
        'openid' as identifier_type,
        openid as identifier_value,
        phone
    from miniprogram_points
    where is_disagreeing

),

never_link_pairs as (

    select
        left_type,
        left_value,
        right_type,
        right_value,
        reason
    from never_links
    union all
    select
        right_type,
        right_value,
        left_type,
        left_value,
        reason
    from never_links

),

organic_links as (

    select linked.*
    from linked
    left join never_link_pairs
        on linked.left_type = never_link_pairs.left_type
            and linked.left_value = never_link_pairs.left_value
            and linked.right_type = never_link_pairs.right_type
            and linked.right_value = never_link_pairs.right_value
    left join validity_ended_links
        on linked.left_type = validity_ended_links.identifier_type
            and linked.left_value = validity_ended_links.identifier_value
            and linked.right_type = 'phone'
            and linked.right_value = validity_ended_links.phone
    where linked.link_source <> 'force_link'
        and never_link_pairs.left_type is null
        and validity_ended_links.identifier_type is null

),

neighbours as (

    select
        left_type as identifier_type,
        left_value as identifier_value,
        right_type as neighbour_type,
        right_value as neighbour_value
    from organic_links
    union all
    select
        right_type as identifier_type,
        right_value as identifier_value,
        left_type as neighbour_type,
        left_value as neighbour_value
    from organic_links

),

-- links a person declares about themself (a card's own phone, an account's authorised or bound phone, a
-- WeChat account's ids), not the phone a cashier keys on a ticket, which may be anyone's
declared_neighbours as (

    select
        left_type as identifier_type,
        left_value as identifier_value,
        right_type as neighbour_type,
        right_value as neighbour_value
    from organic_links
    where link_source <> 'pos_ticket'
    union all
    select
        right_type as identifier_type,
        right_value as identifier_value,
        left_type as neighbour_type,
        left_value as neighbour_value
    from organic_links
    where link_source <> 'pos_ticket'

),

-- staff and test persons are no members on any identifier: follow them from their flagged card or staff
-- phone through declared links, up to three steps (card -> phone -> openid -> unionid)
staff_or_test_roots as (

    select
        identifier_type,
        identifier_value,
        guard_reason || ' ' || identifier_type || ' ' || identifier_value as guard_detail
    from staff_phones
    union all
    select
        identifier_type,
        identifier_value,
        guard_reason || ' ' || identifier_type || ' ' || identifier_value as guard_detail
    from account_flags

),

staff_or_test_step_1 as (

    {{ identity_follow_declared_links('staff_or_test_roots') }}

),

staff_or_test_step_2 as (

    {{ identity_follow_declared_links('staff_or_test_step_1') }}

),

staff_or_test_step_3 as (

    {{ identity_follow_declared_links('staff_or_test_step_2') }}

),

staff_or_test_reached as (

    select * from staff_or_test_step_1
    union all
    select * from staff_or_test_step_2
    union all
    select * from staff_or_test_step_3

),

staff_or_test_identities as (

    select
        staff_or_test_reached.identifier_type,
        staff_or_test_reached.identifier_value,
        'staff_or_test_identity' as guard_reason,
        6 as precedence,
        'linked to ' || min(staff_or_test_reached.guard_detail) as guard_detail
    from staff_or_test_reached
    left join staff_or_test_roots
        on staff_or_test_reached.identifier_type = staff_or_test_roots.identifier_type
            and staff_or_test_reached.identifier_value = staff_or_test_roots.identifier_value
    where staff_or_test_roots.identifier_type is null
    group by staff_or_test_reached.identifier_type, staff_or_test_reached.identifier_value

),

statically_quarantined as (

    select
        identifier_type,
        identifier_value
    from blocklisted
    union all
    select
        identifier_type,
        identifier_value
    from store_phones
    union all
    select
        identifier_type,
        identifier_value
    from staff_phones
    union all
    select
        identifier_type,
        identifier_value
    from account_flags
    union all
    select
        identifier_type,
        identifier_value
    from staff_or_test_identities
    union all
    select
        identifier_type,
        identifier_value
    from behaving_placeholders

),

usable_neighbours as (

    select
        neighbours.identifier_type,
        neighbours.identifier_value,
        neighbours.neighbour_type,
        neighbours.neighbour_value,
        case
            when neighbours.neighbour_type = 'buyer_key'
                then {{ dbt.split_part('neighbours.neighbour_value', "':'", 1) }}
            else 'all'
        end as neighbour_scope
    from neighbours
    left join statically_quarantined
        on neighbours.neighbour_type = statically_quarantined.identifier_type
            and neighbours.neighbour_value = statically_quarantined.identifier_value
    where statically_quarantined.identifier_type is null

),

-- two identifiers of one type on one phone that may be one person: uses of the phone one after the other
-- (a lost card replaced, a buyer re-bound), or two cards with the same name and birthday (enrolled twice)
sharer_pairs as (

    select
        first_sharer.identifier_value as phone,
        first_sharer.neighbour_type,
        first_sharer.neighbour_scope,
        case
            when first_sharer.neighbour_type = 'card_no'
                and (
                    first_card.member_name <> second_card.member_name
                    or first_card.birthday <> second_card.birthday
                )
                then false
            -- same name on one phone; a birthday left empty on either card does not contradict it
            when first_sharer.neighbour_type = 'card_no'
                and first_card.member_name = second_card.member_name
                then true
            -- one person's card replaced, one person's buyer account re-bound: uses one after the other (not
            -- mini-program accounts: a second WeChat account on one phone is a family member's)
            when first_sharer.neighbour_type in ('card_no', 'buyer_key')
                and (
                    first_use.use_ended_at < second_use.use_started_at
                    or second_use.use_ended_at < first_use.use_started_at
                )
                then true
            else false
        end as is_compatible
    from usable_neighbours as first_sharer
    inner join usable_neighbours as second_sharer
        on first_sharer.identifier_value = second_sharer.identifier_value
            and first_sharer.neighbour_type = second_sharer.neighbour_type
            and first_sharer.neighbour_scope = second_sharer.neighbour_scope
            and first_sharer.neighbour_value < second_sharer.neighbour_value
    left join phone_uses as first_use
        on first_sharer.identifier_value = first_use.phone
            and first_sharer.neighbour_type = first_use.identifier_type
            and first_sharer.neighbour_value = first_use.identifier_value
    left join phone_uses as second_use
        on second_sharer.identifier_value = second_use.phone
            and second_sharer.neighbour_type = second_use.identifier_type
            and second_sharer.neighbour_value = second_use.identifier_value
    left join crm_members as first_card
        on first_sharer.neighbour_type = 'card_no'
            and first_sharer.neighbour_value = first_card.card_no
    left join crm_members as second_card
        on second_sharer.neighbour_type = 'card_no'
            and second_sharer.neighbour_value = second_card.card_no
    where first_sharer.identifier_type = 'phone'
        and second_sharer.identifier_type = 'phone'

),

incompatible_sharers as (

    select
        phone,
        neighbour_type,
        neighbour_scope,
        count(*) as incompatible_pair_count
    from sharer_pairs
    where not is_compatible
    group by phone, neighbour_type, neighbour_scope

),

raw_neighbour_counts as (

    select
        identifier_type,
        identifier_value,
        neighbour_type,
        neighbour_scope,
        count(distinct neighbour_value) as neighbour_count
    from usable_neighbours
    group by identifier_type, identifier_value, neighbour_type, neighbour_scope

),

neighbour_counts as (

    select
        raw_neighbour_counts.identifier_type,
        raw_neighbour_counts.identifier_value,
        raw_neighbour_counts.neighbour_type,
        raw_neighbour_counts.neighbour_scope,
        case
            when raw_neighbour_counts.identifier_type = 'phone' and incompatible_sharers.phone is null then 1
            else raw_neighbour_counts.neighbour_count
        end as neighbour_count
    from raw_neighbour_counts
    left join incompatible_sharers
        on raw_neighbour_counts.identifier_type = 'phone'
            and raw_neighbour_counts.identifier_value = incompatible_sharers.phone
            and raw_neighbour_counts.neighbour_type = incompatible_sharers.neighbour_type
            and raw_neighbour_counts.neighbour_scope = incompatible_sharers.neighbour_scope

),

capped as (

    select
        neighbour_counts.identifier_type,
        neighbour_counts.identifier_value,
        caps.guard_reason,
        10 as precedence,
        cast(max(neighbour_counts.neighbour_count) as {{ dbt.type_string() }})
        || ' distinct ' || caps.neighbour_type || ' neighbours'
        || case when max(neighbour_counts.neighbour_scope) <> 'all' then ' on one platform' else '' end
        || ' (cap ' || cast(caps.max_neighbours as {{ dbt.type_string() }}) || ')' as guard_detail
    from neighbour_counts
    inner join caps
        on neighbour_counts.identifier_type = caps.identifier_type
            and neighbour_counts.neighbour_type = caps.neighbour_type
    where neighbour_counts.neighbour_count > caps.max_neighbours
    group by
        neighbour_counts.identifier_type,
        neighbour_counts.identifier_value,
        caps.guard_reason,
        caps.neighbour_type,
        caps.max_neighbours

),

identifier_decisions as (

    select * from blocklisted
    union all
    select * from store_phones
    union all
    select * from staff_phones
    union all
    select * from account_flags
    union all
    select * from staff_or_test_identities
    union all
    select * from behaving_placeholders
    union all
    select * from capped

),

validity_decisions as (

    select
        'drop_link' as decision_type,
        phone_uses.identifier_type,
        phone_uses.identifier_value,
        'phone' as other_identifier_type,
        phone_uses.phone as other_identifier_value,
        'phone_validity_ended' as guard_reason,
        0 as precedence,
        'used the phone from ' || cast(cast(phone_uses.use_started_at as date) as {{ dbt.type_string() }})
        || ' to ' || cast(cast(phone_uses.use_ended_at as date) as {{ dbt.type_string() }})
        || '; the number was used again from '
        || cast(cast(phone_uses.next_period_started_at as date) as {{ dbt.type_string() }})
        || ', more than {{ var("identity_phone_validity_days") }} days later' as guard_detail
    from phone_uses
    where phone_uses.is_validity_ended

),

points_decisions as (

    select
        'drop_link' as decision_type,
        'openid' as identifier_type,
        openid as identifier_value,
        'phone' as other_identifier_type,
        phone as other_identifier_value,
        'card_points_disagree' as guard_reason,
        0 as precedence,
        cast(max(completed_order_count) as {{ dbt.type_string() }})
        || ' completed mini-program orders after the phone was authorised, none credited to card '
        || min(card_no) || ' of the same phone' as guard_detail
    from miniprogram_points
    where is_disagreeing
    group by openid, phone

),

never_link_decisions as (

    select
        'drop_link' as decision_type,
        linked.left_type as identifier_type,
        linked.left_value as identifier_value,
        linked.right_type as other_identifier_type,
        linked.right_value as other_identifier_value,
        'never_link' as guard_reason,
        0 as precedence,
        'operator rule: ' || never_link_pairs.reason || ' (link source ' || linked.link_source || ')'
            as guard_detail
    from linked
    inner join never_link_pairs
        on linked.left_type = never_link_pairs.left_type
            and linked.left_value = never_link_pairs.left_value
            and linked.right_type = never_link_pairs.right_type
            and linked.right_value = never_link_pairs.right_value

),

force_link_decisions as (

    select
        'add_link' as decision_type,
        left_type as identifier_type,
        left_value as identifier_value,
        right_type as other_identifier_type,
        right_value as other_identifier_value,
        'force_link' as guard_reason,
        0 as precedence,
        'operator rule from seed identity_force_link' as guard_detail
    from linked
    where link_source = 'force_link'

),

link_decisions as (

    select * from never_link_decisions
    union all
    select * from validity_decisions
    union all
    select * from points_decisions
    union all
    select * from force_link_decisions

),

final as (

    select
        'quarantine_identifier' as decision_type,
        identifier_type,
        identifier_value,
        cast(null as {{ dbt.type_string() }}) as other_identifier_type,
        cast(null as {{ dbt.type_string() }}) as other_identifier_value,
        guard_reason,
        precedence,
        guard_detail,
        {{ identity_run_started_at() }} as decided_at
    from identifier_decisions
    union all
    select
        decision_type,
        identifier_type,
        identifier_value,
        other_identifier_type,
        other_identifier_value,
        guard_reason,
        precedence,
        guard_detail,
        {{ identity_run_started_at() }} as decided_at
    from link_decisions

)

select * from final
