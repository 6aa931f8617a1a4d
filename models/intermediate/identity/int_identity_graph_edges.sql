{#-
    The edge list the connected components run on: every link of int_identifiers_linked between two
    identifiers that are not quarantined and not kept apart by a never_link rule, as integer node keys, one
    row per undirected pair (node_key_low < node_key_high). Also the edge list the benchmark hands to scipy.
-#}

with

linked as (

    select * from {{ ref('int_identifiers_linked') }}

),

guarded as (

    select * from {{ ref('int_identifiers_guarded') }}

),

dropped_links as (

    select * from {{ ref('int_identity_guard_decisions') }}
    where decision_type = 'drop_link'

),

usable_links as (

    select
        left_node.node_key as left_node_key,
        right_node.node_key as right_node_key
    from linked
    inner join guarded as left_node
        on linked.left_type = left_node.identifier_type
            and linked.left_value = left_node.identifier_value
    inner join guarded as right_node
        on linked.right_type = right_node.identifier_type
            and linked.right_value = right_node.identifier_value
    left join dropped_links
        on linked.left_type = dropped_links.identifier_type
            and linked.left_value = dropped_links.identifier_value
            and linked.right_type = dropped_links.other_identifier_type
            and linked.right_value = dropped_links.other_identifier_value
    where not left_node.is_quarantined
        and not right_node.is_quarantined
        and dropped_links.identifier_type is null

),

final as (

    select distinct
        least(left_node_key, right_node_key) as node_key_low,
        greatest(left_node_key, right_node_key) as node_key_high
    from usable_links
    where left_node_key <> right_node_key

)

select * from final
