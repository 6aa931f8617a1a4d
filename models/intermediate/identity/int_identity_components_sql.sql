{#-
    Connected components of the guarded identity graph in SQL (any engine; the engine used when
    identity_cc_engine() is 'sql', the default): one row per identifier that is not quarantined, with the component it
    belongs to (component_key = smallest node_key of the component). The iterative rounds run inside the
    macro identity_connected_components, which fails the build if they do not converge within
    var('identity_cc_max_iterations'); its scratch tables are dropped by the post-hook.
-#}
{{ config(
    enabled=(identity_cc_engine() == 'sql'),
    post_hook="{{ identity_drop_scratch_relations(this) }}"
) }}

{%- set nodes_sql -%}
    (
        select node_key
        from {{ ref('int_identifiers_guarded') }}
        where not is_quarantined
    )
{%- endset %}

with

components as (

    {{ identity_connected_components(
        nodes_relation=nodes_sql,
        edges_relation=ref('int_identity_graph_edges'),
        max_iterations=var('identity_cc_max_iterations') | int
    ) | indent(4) }}

),

final as (

    select
        node_key,
        component_key
    from components

)

select * from final
