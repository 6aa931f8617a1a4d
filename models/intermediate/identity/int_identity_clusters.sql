{#-
    Member ids. Each connected component is one member; its id is a keyed hash of the component's ANCHOR
    identifier: the identifier first loaded (earliest first_loaded_on, the UTC date of its first extract),
    ties broken by identifier type priority (seed identity_type_priority), then by value. A rebuild on the same
    data picks the same anchors, hence the same ids; unrelated new data never changes an anchor (later loads
    only add later dates); when two members merge, the older anchor wins, so the older member keeps its id.
-#}

with

guarded as (

    select * from {{ ref('int_identifiers_guarded') }}
    where not is_quarantined

),

components as (

    select * from {{ ref('int_identity_components') }}

),

type_priority as (

    select * from {{ ref('identity_type_priority') }}

),

clustered as (

    select
        guarded.identifier_type,
        guarded.identifier_value,
        guarded.node_key,
        components.component_key,
        row_number() over (
            partition by components.component_key
            order by guarded.first_loaded_on, type_priority.priority, guarded.identifier_value
        ) as anchor_rank
    from guarded
    inner join components
        on guarded.node_key = components.node_key
    inner join type_priority
        on guarded.identifier_type = type_priority.identifier_type

),

anchors as (

    select
        component_key,
        identifier_type as anchor_identifier_type,
        identifier_value as anchor_identifier_value,
        'M' || substring({{ keyed_hash("identifier_type || ':' || identifier_value") }}, 1, 20) as member_id
    from clustered
    where anchor_rank = 1

),

final as (

    select
        clustered.identifier_type,
        clustered.identifier_value,
        clustered.node_key,
        anchors.member_id,
        clustered.anchor_rank = 1 as is_anchor,
        anchors.anchor_identifier_type,
        anchors.anchor_identifier_value
    from clustered
    inner join anchors
        on clustered.component_key = anchors.component_key

)

select * from final
