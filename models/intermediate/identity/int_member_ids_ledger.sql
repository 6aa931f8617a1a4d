{#-
    Merge/split ledger of member ids. Each run compares the resolution the PREVIOUS run left behind
    (int_identifiers_resolved as it still stands when this model runs: int_identifiers_resolved is built after
    this model, see its depends_on comment) with the resolution of this run (int_identity_clusters), and
    appends one row per (previous member id, current member id) pair whose identifiers moved:
      merge: the previous member's id is retired and all its identifiers now belong to a member that also
             holds identifiers of another previous member (the survivor);
      split: anything else that moved identifiers to another id: a guard or never_link rule cut a member in
             two, or the anchor was quarantined and the rest of the member was re-anchored.
    Never rebuilt: full_refresh is false, so `dbt build --full-refresh` keeps the history, and a rebuild on
    the same data finds nothing that moved, hence appends nothing. On the very first run (no previous
    resolution) the ledger starts empty. Erasure: before appending, the pre-hook deletes the rows naming a
    member id or via identifier of a person erased in this run (macro member_ids_ledger_erasure_purge).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='fail',
    pre_hook="{{ member_ids_ledger_erasure_purge() }}"
) }}
-- depends_on: {{ ref('erasure_requests') }}

{%- set previous_relation = adapter.get_relation(
    database=this.database, schema=this.schema, identifier='int_identifiers_resolved'
) %}
{%- if previous_relation is none %}
    {%- set previous_source = "(select cast(null as " ~ dbt.type_string() ~ ") as identifier_type, cast(null as "
        ~ dbt.type_string() ~ ") as identifier_value, cast(null as " ~ dbt.type_string()
        ~ ") as member_id where 1 = 0) as no_previous_resolution" %}
{%- else %}
    {%- set previous_source = previous_relation %}
{%- endif %}

with

current_clusters as (

    select * from {{ ref('int_identity_clusters') }}

),

guarded as (

    select * from {{ ref('int_identifiers_guarded') }}

),

linked as (

    select * from {{ ref('int_identifiers_linked') }}

),

type_priority as (

    select * from {{ ref('identity_type_priority') }}

),

previous_resolution as (

    -- on the first run there is no previous resolution: read an empty relation of the same shape
    select
        identifier_type,
        identifier_value,
        member_id
    from {{ previous_source }}
    where member_id is not null

),

moves as (

    select
        previous_resolution.member_id as old_member_id,
        current_clusters.member_id as new_member_id,
        count(*) as moved_identifier_count
    from previous_resolution
    inner join current_clusters
        on previous_resolution.identifier_type = current_clusters.identifier_type
            and previous_resolution.identifier_value = current_clusters.identifier_value
    group by previous_resolution.member_id, current_clusters.member_id

),

old_member_fanout as (

    select
        old_member_id,
        count(distinct new_member_id) as new_member_count
    from moves
    group by old_member_id

),

new_member_fanin as (

    select
        new_member_id,
        count(distinct old_member_id) as old_member_count
    from moves
    group by new_member_id

),

current_member_ids as (

    select distinct member_id from current_clusters

),

events as (

    select
        moves.old_member_id,
        moves.new_member_id,
        moves.moved_identifier_count,
        current_member_ids.member_id is null as is_old_member_id_retired,
        case
            when current_member_ids.member_id is null
                and old_member_fanout.new_member_count = 1
                and new_member_fanin.old_member_count >= 2
                then 'merge'
            else 'split'
        end as event_type
    from moves
    inner join old_member_fanout
        on moves.old_member_id = old_member_fanout.old_member_id
    inner join new_member_fanin
        on moves.new_member_id = new_member_fanin.new_member_id
    left join current_member_ids
        on moves.old_member_id = current_member_ids.member_id
    where moves.old_member_id <> moves.new_member_id

),

-- identifiers of the previous member, for finding what glued or cut it
event_identifiers as (

    select
        events.old_member_id,
        events.new_member_id,
        previous_resolution.identifier_type,
        previous_resolution.identifier_value
    from events
    inner join previous_resolution
        on events.old_member_id = previous_resolution.member_id

),

links_both_ways as (

    select
        left_type,
        left_value,
        right_type,
        right_value
    from linked
    union all
    select
        right_type,
        right_value,
        left_type,
        left_value
    from linked

),

-- a merge goes through a link from the retired member to an identifier outside it that is now in the survivor
merge_vias as (

    select
        event_identifiers.old_member_id,
        event_identifiers.new_member_id,
        links_both_ways.right_type as via_identifier_type,
        links_both_ways.right_value as via_identifier_value,
        row_number() over (
            partition by event_identifiers.old_member_id, event_identifiers.new_member_id
            order by type_priority.priority, links_both_ways.right_value
        ) as via_rank
    from event_identifiers
    inner join links_both_ways
        on event_identifiers.identifier_type = links_both_ways.left_type
            and event_identifiers.identifier_value = links_both_ways.left_value
    inner join current_clusters as outside
        on links_both_ways.right_type = outside.identifier_type
            and links_both_ways.right_value = outside.identifier_value
            and event_identifiers.new_member_id = outside.member_id
    left join previous_resolution as outside_before
        on links_both_ways.right_type = outside_before.identifier_type
            and links_both_ways.right_value = outside_before.identifier_value
    inner join type_priority
        on links_both_ways.right_type = type_priority.identifier_type
    where outside_before.member_id is null
        or outside_before.member_id <> event_identifiers.old_member_id

),

-- a split goes through an identifier of the previous member that a guard has quarantined since
split_vias as (

    select
        event_identifiers.old_member_id,
        event_identifiers.new_member_id,
        event_identifiers.identifier_type as via_identifier_type,
        event_identifiers.identifier_value as via_identifier_value,
        row_number() over (
            partition by event_identifiers.old_member_id, event_identifiers.new_member_id
            order by type_priority.priority, event_identifiers.identifier_value
        ) as via_rank
    from event_identifiers
    inner join guarded
        on event_identifiers.identifier_type = guarded.identifier_type
            and event_identifiers.identifier_value = guarded.identifier_value
    inner join type_priority
        on event_identifiers.identifier_type = type_priority.identifier_type
    where guarded.is_quarantined

),

-- Idempotence: a run killed after this model committed but before int_identifiers_resolved was rebuilt leaves
-- the previous resolution as it was, so the rerun finds the same moves again. An event is new only when the
-- latest ledger row about the same pair of ids is not this very move: a real repeat of a move needs the move
-- back in between, which is itself recorded.
already_recorded as (

    {% if is_incremental() %}
        select
            retired_member_id,
            surviving_member_id,
            event_type
        from (
            select
                retired_member_id,
                surviving_member_id,
                event_type,
                row_number() over (
                    partition by
                        least(retired_member_id, surviving_member_id),
                        greatest(retired_member_id, surviving_member_id)
                    order by detected_at desc, run_id desc
                ) as recency
            from {{ this }}
        ) as pair_events
        where recency = 1
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as retired_member_id,
            cast(null as {{ dbt.type_string() }}) as surviving_member_id,
            cast(null as {{ dbt.type_string() }}) as event_type
        where 1 = 0
    {% endif %}

),

new_events as (

    select events.*
    from events
    left join already_recorded
        on events.old_member_id = already_recorded.retired_member_id
            and events.new_member_id = already_recorded.surviving_member_id
            and events.event_type = already_recorded.event_type
    where already_recorded.retired_member_id is null

),

final as (

    select
        events.old_member_id as retired_member_id,
        events.new_member_id as surviving_member_id,
        events.event_type,
        events.is_old_member_id_retired,
        case
            when events.event_type = 'merge' then merge_vias.via_identifier_type
            else split_vias.via_identifier_type
        end as via_identifier_type,
        -- keyed pseudonym, not the identifier: this table is never rebuilt, so a clear value would outlive
        -- an erasure request
        {{ keyed_hash(
            "case when events.event_type = 'merge' then merge_vias.via_identifier_value"
            ~ " else split_vias.via_identifier_value end"
        ) }} as via_identifier_hash,
        events.moved_identifier_count,
        {{ identity_run_started_at() }} as detected_at,
        '{{ invocation_id }}' as run_id
    from new_events as events
    left join merge_vias
        on events.old_member_id = merge_vias.old_member_id
            and events.new_member_id = merge_vias.new_member_id
            and merge_vias.via_rank = 1
    left join split_vias
        on events.old_member_id = split_vias.old_member_id
            and events.new_member_id = split_vias.new_member_id
            and split_vias.via_rank = 1

)

select * from final
