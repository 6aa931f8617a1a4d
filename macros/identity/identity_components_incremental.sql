{#-
    Incremental connected components (issue 18; DECISIONS.md "Incremental identity components").

    A components model (int_identity_components_sql / _scipy) keeps, next to its table, the edge list its rows
    were computed from: <model>__edges_applied, rewritten by its post-hook in the same transaction as the rows.
    A daily run recomputes only the AFFECTED nodes:
      - every node of a previous component that holds an end of an edge added or removed since then, or a node
        that is no longer in the graph (quarantined or erased), and
      - every node that is new in the graph.
    The current edges touching an affected node have both ends affected (an edge that is not new joined two
    nodes of one previous component; a new edge makes both its ends touched), so the affected nodes with those
    edges are a union of whole current components, and their components are exactly those of a full recompute.
    Every other node keeps its row untouched. Without an applied edge list (first incremental run after this
    change, or the table was dropped by hand) every node is affected: a full recompute through the same path.
-#}

{#- the edge list that the rows of a components model were computed from -#}
{% macro identity_applied_edges_relation(model_relation) -%}
    {{ return(api.Relation.create(
        database=model_relation.database,
        schema=model_relation.schema,
        identifier=model_relation.identifier ~ '__edges_applied',
        type='table'
    )) }}
{%- endmacro %}


{#- post-hook of a components model: the edges just used become the applied edge list -#}
{% macro identity_record_applied_edges(model_relation, edges_relation) -%}
    {%- if execute -%}
        {%- set applied = identity_applied_edges_relation(model_relation) -%}
        {%- do adapter.drop_relation(applied) -%}
        {%- do run_query(create_table_as(
            false, applied, "select node_key_low, node_key_high from " ~ edges_relation
        )) -%}
    {%- endif -%}
{%- endmacro %}


{#-
    SQL of the affected nodes: node_key and is_current (false: the node left the graph, its row is deleted).
    previous_relation: the components model as the previous run left it (this); nodes_sql: the current nodes
    (column node_key); edges_relation: the current edges (node_key_low < node_key_high).
-#}
{% macro identity_components_affected_sql(previous_relation, nodes_sql, edges_relation) -%}
    {{ return(adapter.dispatch('identity_components_affected_sql', 'omnichannel_member_warehouse')(
        previous_relation, nodes_sql, edges_relation
    )) }}
{%- endmacro %}

{% macro default__identity_components_affected_sql(previous_relation, nodes_sql, edges_relation) -%}
    {%- set applied = adapter.get_relation(
        database=previous_relation.database,
        schema=previous_relation.schema,
        identifier=previous_relation.identifier ~ '__edges_applied'
    ) -%}
with

current_nodes as (

    select node_key from {{ nodes_sql }} as nodes

),

previous_nodes as (

    select
        node_key,
        component_key
    from {{ previous_relation }}

),

{%- if applied is not none %}

current_edges as (

    select
        node_key_low,
        node_key_high
    from {{ edges_relation }}

),

applied_edges as (

    select
        node_key_low,
        node_key_high
    from {{ applied }}

),

changed_edges as (

    select
        current_edges.node_key_low,
        current_edges.node_key_high
    from current_edges
    left join applied_edges
        on current_edges.node_key_low = applied_edges.node_key_low
            and current_edges.node_key_high = applied_edges.node_key_high
    where applied_edges.node_key_low is null
    union all
    select
        applied_edges.node_key_low,
        applied_edges.node_key_high
    from applied_edges
    left join current_edges
        on applied_edges.node_key_low = current_edges.node_key_low
            and applied_edges.node_key_high = current_edges.node_key_high
    where current_edges.node_key_low is null

),

gone_nodes as (

    select previous_nodes.node_key
    from previous_nodes
    left join current_nodes
        on previous_nodes.node_key = current_nodes.node_key
    where current_nodes.node_key is null

),

touched_nodes as (

    select node_key_low as node_key from changed_edges
    union all
    select node_key_high as node_key from changed_edges
    union all
    select node_key from gone_nodes

),

touched_components as (

    select distinct previous_nodes.component_key
    from previous_nodes
    inner join touched_nodes
        on previous_nodes.node_key = touched_nodes.node_key

),

{%- else %}

-- no applied edge list: every previous component is touched (a full recompute)
touched_components as (

    select distinct component_key from previous_nodes

),

{%- endif %}

new_nodes as (

    select current_nodes.node_key
    from current_nodes
    left join previous_nodes
        on current_nodes.node_key = previous_nodes.node_key
    where previous_nodes.node_key is null

),

affected as (

    select previous_nodes.node_key
    from previous_nodes
    inner join touched_components
        on previous_nodes.component_key = touched_components.component_key
    union all
    select node_key from new_nodes

),

final as (

    select
        affected.node_key,
        current_nodes.node_key is not null as is_current
    from affected
    left join current_nodes
        on affected.node_key = current_nodes.node_key

)

select * from final
{%- endmacro %}


{#- scratch tables of an incremental components run: <model>__inc_affected, <model>__inc_edges -#}
{% macro identity_incremental_scratch_relation(model_relation, suffix) -%}
    {{ return(api.Relation.create(
        database=model_relation.database,
        schema=model_relation.schema,
        identifier=model_relation.identifier ~ '__inc_' ~ suffix,
        type='table'
    )) }}
{%- endmacro %}


{% macro identity_drop_incremental_scratch(model_relation) -%}
    {%- if execute -%}
        {%- for suffix in ('affected', 'edges') -%}
            {%- do adapter.drop_relation(identity_incremental_scratch_relation(model_relation, suffix)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
