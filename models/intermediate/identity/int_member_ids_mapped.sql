{#-
    Every member id ever issued (the id registry, both sides of every ledger event, today's members) with the
    member id that holds its identifiers today, found by following the merge/split ledger from retirement to
    retirement (at most var('member_id_map_max_hops') steps; a chain longer than that fails the test on
    hop_count). An id is followed only when it is not a member today and its latest ledger event about it
    retired it; a split that retired an id follows the piece that took most of its identifiers. NULL when no
    member holds its identifiers any more (all quarantined or erased).
-#}
{%- set max_hops = var('member_id_map_max_hops') | int %}

with

registered as (

    select * from {{ ref('int_member_ids_registered') }}

),

ledger as (

    select * from {{ ref('int_member_ids_ledger') }}

),

members as (

    select * from {{ ref('int_members_stitched') }}

),

issued as (

    select member_id from registered
    union
    select retired_member_id as member_id from ledger
    union
    select surviving_member_id as member_id from ledger
    union
    select member_id from members

),

-- the last time the ledger saw the id alive: it received identifiers, or kept its id through a split
last_alive as (

    select
        member_id,
        max(detected_at) as last_alive_at
    from (
        select
            surviving_member_id as member_id,
            detected_at
        from ledger
        union all
        select
            retired_member_id as member_id,
            detected_at
        from ledger
        where not is_old_member_id_retired
    ) as alive
    group by member_id

),

retirements as (

    select
        retired_member_id,
        surviving_member_id,
        event_type,
        detected_at,
        row_number() over (
            partition by retired_member_id
            order by detected_at desc, moved_identifier_count desc, surviving_member_id asc
        ) as retirement_rank
    from ledger
    where is_old_member_id_retired

),

-- one step: an id that is no member today to the id its latest retirement handed its identifiers to
next_hops as (

    select
        retirements.retired_member_id,
        retirements.surviving_member_id,
        retirements.event_type,
        retirements.detected_at
    from retirements
    left join last_alive
        on retirements.retired_member_id = last_alive.member_id
    left join members
        on retirements.retired_member_id = members.member_id
    where retirements.retirement_rank = 1
        and members.member_id is null
        and (last_alive.last_alive_at is null or last_alive.last_alive_at < retirements.detected_at)

),

hop_0 as (

    select
        member_id,
        member_id as mapped_member_id,
        0 as hop_count
    from issued

),
{%- for hop in range(1, max_hops + 2) %}

    hop_{{ hop }} as (

        select
            previous_hop.member_id,
            coalesce(next_hops.surviving_member_id, previous_hop.mapped_member_id) as mapped_member_id,
            previous_hop.hop_count + case when next_hops.retired_member_id is null then 0 else 1 end as hop_count
        from hop_{{ hop - 1 }} as previous_hop
        left join next_hops
            on previous_hop.mapped_member_id = next_hops.retired_member_id

    ),
{%- endfor %}

final as (

    select
        issued.member_id,
        members.member_id as surviving_member_id,
        current_members.member_id is not null as is_current,
        own_retirement.event_type as retirement_event_type,
        own_retirement.detected_at as retired_at,
        walked.hop_count
    from issued
    inner join hop_{{ max_hops + 1 }} as walked
        on issued.member_id = walked.member_id
    left join members
        on walked.mapped_member_id = members.member_id
    left join members as current_members
        on issued.member_id = current_members.member_id
    left join next_hops as own_retirement
        on issued.member_id = own_retirement.retired_member_id

)

select * from final
