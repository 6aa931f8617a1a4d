{#-
    The golden record has exactly the members of the identity graph: every member_id that
    int_identifiers_resolved hands out has a golden row, and no golden row belongs to an unknown member.
    One row per member_id found on one side only.
-#}

with

graph_members as (

    select distinct member_id
    from {{ ref('int_identifiers_resolved') }}
    where member_id is not null

),

golden_members as (

    select member_id from {{ ref('int_members_golden') }}

),

final as (

    select
        coalesce(graph_members.member_id, golden_members.member_id) as member_id,
        case
            when golden_members.member_id is null then 'missing_from_golden_record'
            else 'unknown_to_identity_graph'
        end as problem
    from graph_members
    full outer join golden_members
        on graph_members.member_id = golden_members.member_id
    where graph_members.member_id is null
        or golden_members.member_id is null

)

select * from final
