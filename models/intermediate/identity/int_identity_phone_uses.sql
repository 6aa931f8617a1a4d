{#-
    Each identifier's use of a phone over time, one row per (identifier, phone) linked organically (force
    links excluded). A use starts at the first record linking the two and lasts until the identifier's own
    last activity (a card keeps "using" its phone while it is swiped; a buyer while it orders; a CRM version
    that only re-states the phone, e.g. after a tier review, is no activity).
    Carriers re-issue a cancelled number after some months, so a phone's uses are cut into periods: a use
    that starts more than `identity_phone_validity_days` after every earlier use ended opens a new period.
    Only the latest period still links through the phone; uses of earlier periods are ended by validity
    (is_validity_ended) and int_identity_guard_decisions drops their links, but only when the identifier
    shows activity of its own (a sighting that is not a record linking it to this phone): an identifier seen
    only in the records that linked it (a card never swiped, a buyer who never ordered) gives no evidence of
    when its use ended, and is cut only when every identifier of the later periods first appeared anywhere
    more than the window after its use ended (accounts that did not exist while it held the number; a
    member coming back after a pause brings accounts that existed before).
-#}

with

linked as (

    select * from {{ ref('int_identifiers_linked') }}
    where right_type = 'phone'
        and link_source <> 'force_link'

),

observed as (

    select * from {{ ref('int_identifiers_observed') }}

),

links as (

    select
        left_type as identifier_type,
        left_value as identifier_value,
        right_value as phone,
        min(first_seen_at) as use_started_at,
        -- a CRM record shows the phone's use when it first carries it; its later versions (a tier review, a
        -- status change) only show that nobody updated the record
        max(case when link_source = 'crm_member' then first_seen_at else last_seen_at end) as link_last_seen_at,
        min(first_extracted_at) as link_first_extracted_at,
        sum(evidence_count) as link_evidence_count
    from linked
    group by left_type, left_value, right_value

),

uses as (

    select
        links.identifier_type,
        links.identifier_value,
        links.phone,
        links.use_started_at,
        greatest(
            links.link_last_seen_at,
            coalesce(observed.last_active_at, links.link_last_seen_at),
            coalesce(links.link_first_extracted_at, links.link_last_seen_at)
        ) as use_ended_at,
        coalesce(observed.sighting_count, 0) > links.link_evidence_count as has_own_activity,
        coalesce(observed.first_seen_at, links.use_started_at) as identifier_first_seen_at
    from links
    left join observed
        on links.identifier_type = observed.identifier_type
            and links.identifier_value = observed.identifier_value

),

with_previous as (

    select
        *,
        max(use_ended_at) over (
            partition by phone
            order by use_started_at, identifier_type, identifier_value
            rows between unbounded preceding and 1 preceding
        ) as previous_uses_ended_at
    from uses

),

period_starts as (

    select
        *,
        case
            when use_started_at > {{ dbt.dateadd(
                'day', var('identity_phone_validity_days'), 'previous_uses_ended_at'
            ) }} then 1
            else 0
        end as is_period_start
    from with_previous

),

periods as (

    select
        *,
        sum(is_period_start) over (
            partition by phone
            order by use_started_at, identifier_type, identifier_value
            rows between unbounded preceding and current row
        ) as phone_period
    from period_starts

),

with_later_periods as (

    select
        *,
        max(phone_period) over (partition by phone) as last_phone_period,
        min(identifier_first_seen_at) over (
            partition by phone
            order by phone_period
            range between 1 following and unbounded following
        ) as later_identifiers_first_seen_at
    from periods

),

final as (

    select
        identifier_type,
        identifier_value,
        phone,
        use_started_at,
        use_ended_at,
        phone_period,
        phone_period < last_phone_period
        and (
            has_own_activity
            or later_identifiers_first_seen_at > {{ dbt.dateadd(
                'day', var('identity_phone_validity_days'), 'use_ended_at'
            ) }}
        ) as is_validity_ended,
        min(case when is_period_start = 1 then use_started_at end) over (
            partition by phone
            order by use_started_at, identifier_type, identifier_value
            rows between 1 following and unbounded following
        ) as next_period_started_at
    from with_later_periods

)

select * from final
