{#-
    Closed months frozen as reported (DECISIONS.md, "Closed months frozen as reported").

    A month closes `month_close_days` (var, default 3, at least 1) after its last day: on the as-of date D a
    month is open while D <= its last day + month_close_days, and closed from the next day on. The run whose
    as-of date is the close date is the last one that recomputes the month; every later daily run leaves its
    rows alone. A monthly snapshot model calls

        {{ config(**month_snapshot_config()) }}

    and filters the months it computes with `where {{ recomputed_months('snapshot_month') }}`. In a full build
    (first run, --full-refresh) every month is computed; in an incremental run only the months from the first
    open month on (minus `lookback_months`, for intermediates whose previous month the marts compare with), or
    from var `restate_from` ('YYYY-MM') when that is earlier: a deliberate restatement of closed months.
-#}

{#- 'YYYY-MM-01' of var restate_from, or none; anything but YYYY-MM stops the run. -#}
{% macro restate_from_month() -%}
    {%- set restate_from = var('restate_from', none) -%}
    {%- if restate_from is none or restate_from == '' -%}{{ return(none) }}{%- endif -%}
    {%- set text = restate_from | string -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])', text) -%}
        {{ exceptions.raise_compiler_error(
            "var restate_from must be a month 'YYYY-MM' (got " ~ (text | tojson) ~ ")") }}
    {%- endif -%}
    {{ return(text ~ '-01') }}
{%- endmacro %}


{#- var month_close_days as a checked integer (>= 1: a month must be recomputed after its last day). -#}
{% macro month_close_days() -%}
    {%- set days = var('month_close_days', 3) | int(-1) -%}
    {%- if days < 1 -%}
        {{ exceptions.raise_compiler_error(
            "var month_close_days must be a whole number of days >= 1 (got " ~ var('month_close_days') ~ ")") }}
    {%- endif -%}
    {{ return(days) }}
{%- endmacro %}


{#- SQL scalar (date): the first month not closed as of the as-of date. Data tests that reconcile a frozen
    snapshot with today's facts check the months from it on (closed months were checked while open). -#}
{% macro first_open_month() -%}
    (select min(snapshot_month) from {{ ref('int_metric_months_spined') }} where not is_closed_month)
{%- endmacro %}


{#-
    SQL scalar: the first month an incremental run recomputes: the first open month of the as-of date (from
    int_metric_months_spined), `lookback_months` earlier, or restate_from when earlier.
-#}
{% macro first_recomputed_month(lookback_months=0) -%}
    {%- set restate_from = restate_from_month() -%}
    {%- set first = dbt.dateadd('month', -1 * (lookback_months | int), first_open_month()) -%}
    {%- if restate_from -%}
        {%- set first = "least(" ~ first ~ ", cast('" ~ restate_from ~ "' as date))" -%}
    {%- endif -%}
    cast({{ first }} as date)
{%- endmacro %}


{#- Predicate on `month_column`: true for every month a full build computes, the recomputed ones otherwise. -#}
{% macro recomputed_months(month_column, lookback_months=0) -%}
    {%- if not execute -%}
        {#- parse: record the dependency on the month spine, which only an incremental run reads -#}
        {%- do ref('int_metric_months_spined') -%}
    {%- endif -%}
    {#- a dbt unit test without a `this` fixture is a full build (dbt's is_incremental needs `this`) -#}
    {%- if this is not none and is_incremental() -%}
        {{ month_column }} >= {{ first_recomputed_month(lookback_months) }}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{#-
    The config of a monthly snapshot model: incremental, each recomputed month replaced whole. The strategy
    depends on the engine (month_snapshot_strategy); `member_column`: the member id column of a member-grain
    snapshot, whose closed months the erasure purge cleans (post-hook frozen_months_erasure_purge).
-#}
{% macro month_snapshot_config(month_column='snapshot_month', member_column=none) -%}
    {%- set config = {
        'materialized': 'incremental',
        'incremental_strategy': month_snapshot_strategy(),
        'unique_key': month_column,
        'partition_by': [month_column],
        'on_schema_change': 'fail',
    } -%}
    {%- if member_column -%}
        {%- do config.update({
            'post_hook': "{{ frozen_months_erasure_purge(" ~ (member_column | tojson) ~ ") }}"
        }) -%}
    {%- endif -%}
    {{ return(config) }}
{%- endmacro %}


{#-
    delete+insert on DuckDB (and every engine whose dbt adapter has it): the rows of every month in the batch
    are deleted, the batch inserted. dbt-spark has no delete+insert: insert_overwrite with partition_by the
    month replaces the batch's month partitions, the same result (dynamic partition overwrite).
-#}
{% macro month_snapshot_strategy() -%}
    {{ return(adapter.dispatch('month_snapshot_strategy', 'omnichannel_member_warehouse')()) }}
{%- endmacro %}

{% macro default__month_snapshot_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__month_snapshot_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}


{#-
    Post-hook of member-grain monthly snapshots: erasure overrides the freeze. The registry of member ids
    (int_member_ids_registered) lists every member id ever given and loses only the ids of erased people (its
    erasure pre-hook), so a row of a closed month whose member id is not registered any more belongs to an
    erased person and is deleted. Runs in every incremental run while the erasure list holds any request,
    whatever its date: an erasure must never depend on when the request was dated or when the next run
    happens (one anti-join of the table against the registry). A full build has nothing to purge: the erased
    person is gone from staging.
-#}
{% macro frozen_months_erasure_purge(member_column) -%}
    {%- if not (execute and is_incremental()) -%}{{ return('') }}{%- endif -%}
    {%- set requests = project_node_relation('erasure_requests') -%}
    {%- set registry = project_node_relation('int_member_ids_registered') -%}
    {%- if requests is none or registry is none -%}{{ return('') }}{%- endif -%}
    {#- a retailer that never had a request pays no anti-join -#}
    {%- set listed -%}select count(*) from {{ requests }}{%- endset -%}
    {%- if run_query(listed).columns[0].values()[0] == 0 -%}{{ return('') }}{%- endif %}
    delete from {{ this }}
    where {{ member_column }} is not null
        and {{ member_column }} not in (
            select registered.member_id from {{ registry }} as registered
            where registered.member_id is not null
        )
{%- endmacro %}


{#-
    The relation of a model or seed of this project by name, from the graph: for hooks, where ref() to a node
    the model does not select from would stop the run (dbt cannot infer the dependency). none if not built yet.
-#}
{% macro project_node_relation(name) -%}
    {%- for node in graph.nodes.values()
        if node.package_name == project_name and node.name == name
            and node.resource_type in ['model', 'seed'] -%}
        {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
