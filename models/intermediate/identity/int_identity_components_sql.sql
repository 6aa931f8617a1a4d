{#-
    Connected components of the guarded identity graph in SQL (any engine; the engine used when
    identity_cc_engine() is 'sql', the default): one row per identifier that is not quarantined, with the component it
    belongs to (component_key = smallest node_key of the component). The iterative rounds run inside the
    macro identity_connected_components, which fails the build if they do not converge within
    var('identity_cc_max_iterations'); its scratch tables are dropped by the post-hook.
    Incremental (issue 18): a daily run recomputes only the components touched by an edge added or removed, or
    by a node that joined or left the graph, since the previous run (macro identity_components_affected_sql);
    every other row stays as it is. `--full-refresh` recomputes every component.
-#}
{{ config(
    enabled=(identity_cc_engine() == 'sql'),
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='node_key',
    tombstone_column='component_key',
    on_schema_change='fail',
    post_hook=[
        "{{ identity_drop_scratch_relations(this) }}",
        "{{ identity_drop_incremental_scratch(this) }}",
        "{{ identity_record_applied_edges(this, ref('int_identity_graph_edges')) }}",
    ]
) }}

{%- set nodes_sql -%}
    (
        select node_key
        from {{ ref('int_identifiers_guarded') }}
        where not is_quarantined
    )
{%- endset %}
{%- set edges = ref('int_identity_graph_edges') %}
{%- set scope = namespace(nodes=nodes_sql, edges=edges, affected=none) %}
{#- the affected nodes are only worked out when dbt executes the model (as the rounds are) -#}
{%- if is_incremental() and execute and flags.WHICH in ('run', 'build', 'retry') %}
    {%- set scope.affected = identity_incremental_scratch_relation(this, 'affected') %}
    {%- set affected_edges = identity_incremental_scratch_relation(this, 'edges') %}
    {%- do identity_drop_incremental_scratch(this) %}
    {%- do run_query(create_table_as(
        false, scope.affected, identity_components_affected_sql(this, nodes_sql, edges)
    )) %}
    {%- do run_query(create_table_as(
        false,
        affected_edges,
        "select edges.node_key_low, edges.node_key_high from " ~ edges ~ " as edges inner join "
        ~ scope.affected ~ " as affected on edges.node_key_low = affected.node_key where affected.is_current"
    )) %}
    {%- set scope.nodes = "(select node_key from " ~ scope.affected ~ " where is_current)" %}
    {%- set scope.edges = affected_edges %}
{%- endif %}

with

components as (

    {{ identity_connected_components(
        nodes_relation=scope.nodes,
        edges_relation=scope.edges,
        max_iterations=var('identity_cc_max_iterations') | int
    ) | indent(4) }}

),

final as (

    select
        node_key,
        component_key
    from components

)

{%- if scope.affected is not none %},

-- every affected node: its recomputed row, or a tombstone when it left the graph (replace_keys deletes it)
affected_nodes as (

    select node_key from {{ scope.affected }}

)

{{ rows_with_tombstones('final', 'affected_nodes', 'node_key') }}
{%- else %}

    select * from final
{%- endif %}
