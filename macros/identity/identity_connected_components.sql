{#-
    Connected components of the identity graph, computed by iterative label contraction with one pointer jump
    per round (see DECISIONS.md, "Identity rules"). Called from the body of int_identity_components.

    Inputs: a relation of nodes (column node_key, bigint, unique) and a relation of undirected edges
    (node_key_low < node_key_high, distinct). Output: the SQL of a select returning one row per node with its
    component_key (the smallest node_key reachable from it).

    Each round r, over the edge list E_r that is still alive:
      hook:    every node that is the high end of an edge points at its smallest lower neighbour;
      jump:    that pointer is followed once more (pointer jumping halves chains);
      relabel: every edge is rewritten onto the pointed-at nodes; self-loops and duplicates are dropped.
    A component whose edges have all collapsed leaves E; the loop ends when E is empty, i.e. when no label can
    change any more. Round maps m_r (node -> pointer) are composed at the end with one left join per round.
    If E is still not empty after max_iterations rounds the build FAILS: a half-merged graph is never written.

    The rounds run only when dbt executes the model (run / build / retry). Other commands that render SQL
    (compile, docs generate, show) get a statement that labels every node with itself and says so in a
    comment, so that they never create or drop tables.
-#}
{% macro identity_connected_components(nodes_relation, edges_relation, max_iterations) -%}
    {{ return(adapter.dispatch('identity_connected_components', 'omnichannel_member_warehouse')(
        nodes_relation, edges_relation, max_iterations
    )) }}
{%- endmacro %}


{% macro default__identity_connected_components(nodes_relation, edges_relation, max_iterations) -%}
    {%- if not (execute and flags.WHICH in ('run', 'build', 'retry')) -%}
        {{ return(
            "/* identity_connected_components: rounds are only executed by dbt run/build; this rendering "
            ~ "labels every node with itself */\nselect nodes.node_key, nodes.node_key as component_key from "
            ~ nodes_relation ~ " as nodes"
        ) }}
    {%- endif -%}

    {%- do identity_drop_scratch_relations(this) -%}

    {%- set remaining = run_query("select count(*) from " ~ edges_relation).columns[0].values()[0] -%}
    {%- do log("identity components: " ~ remaining ~ " edges in round 0", info=true) -%}

    {%- set state = namespace(rounds=0, remaining=remaining, edges=edges_relation) -%}
    {%- for round_no in range(1, max_iterations + 1) -%}
        {%- if state.remaining == 0 -%}{%- break -%}{%- endif -%}
        {%- set round_map = identity_scratch_relation(this, 'map_' ~ round_no) -%}
        {%- set next_edges = identity_scratch_relation(this, 'edges_' ~ round_no) -%}
        {%- set hook_sql -%}
            with

            hooked as (

                select
                    node_key_high as node_key,
                    min(node_key_low) as parent_key
                from {{ state.edges }}
                group by node_key_high

            ),

            jumped as (

                select
                    hooked.node_key,
                    coalesce(grandparent.parent_key, hooked.parent_key) as parent_key
                from hooked
                left join hooked as grandparent
                    on hooked.parent_key = grandparent.node_key

            )

            select * from jumped
        {%- endset -%}
        {%- do run_query(create_table_as(false, round_map, hook_sql)) -%}
        {%- set relabel_sql -%}
            with

            relabelled as (

                select
                    coalesce(low_map.parent_key, edges.node_key_low) as key_a,
                    coalesce(high_map.parent_key, edges.node_key_high) as key_b
                from {{ state.edges }} as edges
                left join {{ round_map }} as low_map
                    on edges.node_key_low = low_map.node_key
                left join {{ round_map }} as high_map
                    on edges.node_key_high = high_map.node_key

            )

            select distinct
                least(key_a, key_b) as node_key_low,
                greatest(key_a, key_b) as node_key_high
            from relabelled
            where key_a <> key_b
        {%- endset -%}
        {%- do run_query(create_table_as(false, next_edges, relabel_sql)) -%}
        {%- set state.edges = next_edges -%}
        {%- set state.rounds = round_no -%}
        {%- set state.remaining = run_query("select count(*) from " ~ next_edges).columns[0].values()[0] -%}
        {%- do log("identity components: round " ~ round_no ~ " leaves " ~ state.remaining ~ " edges", info=true) -%}
    {%- endfor -%}

    {%- if state.remaining != 0 -%}
        {%- do identity_drop_scratch_relations(this) -%}
        {{ exceptions.raise_compiler_error(
            "identity_connected_components did not converge: " ~ state.remaining ~ " edges still join "
            ~ "different labels after " ~ max_iterations ~ " rounds (var identity_cc_max_iterations). "
            ~ "Refusing to write a half-merged identity graph; raise the bound or look for a runaway cluster."
        ) }}
    {%- endif -%}

    {#- compose the round maps: the label after round r is m_r applied to the label after round r-1 -#}
    {%- set label_after = ['nodes.node_key'] -%}
    {%- set joins = [] -%}
    {%- for round_no in range(1, state.rounds + 1) -%}
        {%- set alias = 'map_' ~ round_no -%}
        {%- set previous_label = 'coalesce(' ~ (label_after | reverse | join(', ')) ~ ')' if label_after | length > 1 else label_after[0] -%}
        {%- do joins.append(
            'left join ' ~ identity_scratch_relation(this, alias) ~ ' as ' ~ alias
            ~ '\n    on ' ~ previous_label ~ ' = ' ~ alias ~ '.node_key'
        ) -%}
        {%- do label_after.append(alias ~ '.parent_key') -%}
    {%- endfor -%}
    {%- set final_label = 'coalesce(' ~ (label_after | reverse | join(', ')) ~ ')' if label_after | length > 1 else label_after[0] -%}

    {%- set final_sql -%}
/* identity_connected_components converged after {{ state.rounds }} round(s) */
select
    nodes.node_key,
    {{ final_label }} as component_key
from {{ nodes_relation }} as nodes
{{ joins | join('\n') }}
    {%- endset -%}
    {{ return(final_sql) }}
{%- endmacro %}


{#- a scratch table next to the model, named <model>__cc_<suffix> -#}
{% macro identity_scratch_relation(model_relation, suffix) -%}
    {{ return(api.Relation.create(
        database=model_relation.database,
        schema=model_relation.schema,
        identifier=model_relation.identifier ~ '__cc_' ~ suffix,
        type='table'
    )) }}
{%- endmacro %}


{#-
    drops the scratch tables of a model (<model>__cc_edges_<r> and <model>__cc_map_<r>); run before the rounds
    and as the model's post-hook.
-#}
{% macro identity_drop_scratch_relations(model_relation) -%}
    {%- if execute -%}
        {%- do adapter.dispatch('identity_drop_scratch_relations', 'omnichannel_member_warehouse')(model_relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: one catalog query finds the scratch tables that exist -#}
{% macro duckdb__identity_drop_scratch_relations(model_relation) -%}
    {%- set found = run_query(
        "select table_name from information_schema.tables where table_schema = '" ~ model_relation.schema
        ~ "' and table_name like '" ~ model_relation.identifier ~ "\\_\\_cc\\_%' escape '\\'"
    ) -%}
    {%- for table_name in found.columns[0].values() -%}
        {%- do adapter.drop_relation(api.Relation.create(
            database=model_relation.database, schema=model_relation.schema, identifier=table_name, type='table'
        )) -%}
    {%- endfor -%}
{%- endmacro %}

{#-
    Other engines: the names are enumerated up to the iteration bound (each adapter lists its catalog
    differently); `drop table if exists` makes the absent ones cheap.
-#}
{% macro default__identity_drop_scratch_relations(model_relation) -%}
    {%- for round_no in range(1, (var('identity_cc_max_iterations') | int) + 1) -%}
        {%- do adapter.drop_relation(identity_scratch_relation(model_relation, 'edges_' ~ round_no)) -%}
        {%- do adapter.drop_relation(identity_scratch_relation(model_relation, 'map_' ~ round_no)) -%}
    {%- endfor -%}
{%- endmacro %}
