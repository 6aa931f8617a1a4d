{#-
    Zero merges through a quarantined identifier: no quarantined identifier belongs to a member, and no edge
    the components ran on touches one. Any row fails the build.
-#}

with

guarded as (

    select * from {{ ref('int_identifiers_guarded') }}

),

resolved as (

    select * from {{ ref('int_identifiers_resolved') }}

),

edges as (

    select * from {{ ref('int_identity_graph_edges') }}

),

quarantined_with_member as (

    select
        'quarantined identifier has a member' as failure,
        identifier_type,
        identifier_value
    from resolved
    where is_quarantined
        and member_id is not null

),

edge_ends as (

    select node_key_low as node_key from edges
    union all
    select node_key_high as node_key from edges

),

edges_through_quarantined as (

    select
        'graph edge touches a quarantined identifier' as failure,
        guarded.identifier_type,
        guarded.identifier_value
    from edge_ends
    inner join guarded
        on edge_ends.node_key = guarded.node_key
    where guarded.is_quarantined

)

select * from quarantined_with_member
union all
select * from edges_through_quarantined
