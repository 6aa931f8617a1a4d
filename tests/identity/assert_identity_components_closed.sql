{#-
    The components are complete: both ends of every graph edge belong to the same member. A row here means the
    connected components stopped before convergence (a half-merged graph).
-#}

with

edges as (

    select * from {{ ref('int_identity_graph_edges') }}

),

clusters as (

    select * from {{ ref('int_identity_clusters') }}

)

select
    edges.node_key_low,
    edges.node_key_high,
    low_end.member_id as low_member_id,
    high_end.member_id as high_member_id
from edges
left join clusters as low_end
    on edges.node_key_low = low_end.node_key
left join clusters as high_end
    on edges.node_key_high = high_end.node_key
where low_end.member_id is null
    or high_end.member_id is null
    or low_end.member_id <> high_end.member_id
