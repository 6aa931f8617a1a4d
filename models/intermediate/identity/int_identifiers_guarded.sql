{#-
    Every identifier seen anywhere with the guards' verdict: quarantined identifiers take part in no merge and
    belong to no member. The reason shown is the first by precedence; all reasons are in
    int_identity_guard_decisions.
-#}

with

observed as (

    select * from {{ ref('int_identifiers_observed') }}

),

decisions as (

    select * from {{ ref('int_identity_guard_decisions') }}
    where decision_type = 'quarantine_identifier'

),

ranked_decisions as (

    select
        identifier_type,
        identifier_value,
        guard_reason,
        row_number() over (
            partition by identifier_type, identifier_value
            order by precedence, guard_reason
        ) as reason_rank,
        count(*) over (partition by identifier_type, identifier_value) as guard_reason_count
    from decisions

),

first_decisions as (

    select * from ranked_decisions
    where reason_rank = 1

),

final as (

    select
        observed.identifier_type,
        observed.identifier_value,
        {{ identity_node_key('observed.identifier_type', 'observed.identifier_value') }} as node_key,
        first_decisions.guard_reason is not null as is_quarantined,
        first_decisions.guard_reason,
        coalesce(first_decisions.guard_reason_count, 0) as guard_reason_count,
        observed.first_seen_at,
        observed.last_seen_at,
        observed.first_extracted_at,
        observed.first_loaded_on,
        observed.sighting_count,
        {{ identity_run_started_at() }} as decided_at
    from observed
    left join first_decisions
        on observed.identifier_type = first_decisions.identifier_type
            and observed.identifier_value = first_decisions.identifier_value

)

select * from final
