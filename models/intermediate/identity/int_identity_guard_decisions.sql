{#-
    Audit of every guard decision of the identity graph, one row per (decision, subject): each reason that
    quarantines an identifier (ALL that apply, not only the first), each link an operator's never_link rule
    removes and each link an operator's force_link rule adds. int_identifiers_guarded keeps the first
    quarantine reason per identifier by `precedence`.

    Order of the identifier guards (precedence): 1 blocklist seed, 2 store phone (store master), 3 staff phone
    (WeCom staff), 4 test account card, 5 staff account card, 10+ caps (seed identity_caps, by guard_reason).
    Caps count the distinct neighbours of one type that an identifier has through organic links (force links
    and never_link pairs excluded) whose other end is not already quarantined by guards 1-5; buyer keys are
    counted per platform. An identifier over a cap is quarantined itself: nothing merges through it.
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
    where linked.link_source <> 'force_link'
        and never_link_pairs.left_type is null

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

neighbour_counts as (

    select
        identifier_type,
        identifier_value,
        neighbour_type,
        neighbour_scope,
        count(distinct neighbour_value) as neighbour_count
    from usable_neighbours
    group by identifier_type, identifier_value, neighbour_type, neighbour_scope

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
    select * from capped

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
    from never_link_decisions
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
    from force_link_decisions

)

select * from final
