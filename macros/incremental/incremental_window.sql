{#-
    Where an incremental run starts reading: every input row extracted at or after this instant is
    (re)processed. SQL for a scalar timestamp (naive UTC), evaluated by the engine inside the model's query:

        least(max(<column> of this) capped at the run's start, var backfill_from) - incremental_lookback_days

    - `column` holds, on every row of the incremental model, the latest `_extracted_at` of the staged rows that
      shaped it, so its maximum is how far the model has read. The lookback re-reads the last days on every
      run: a load that lands after a later one (a till uploading yesterday's file late) is still picked up.
    - The cap at the run's start time (UTC) keeps one row with a bogus future extract time from freezing the
      window; an empty table starts at 1900 (everything).
    - `backfill_from` ('YYYY-MM-DD', default none): reprocess every load extracted since that day, for rows
      that arrived later than the lookback allows (see README, "Incremental runs and backfills").
-#}
{% macro incremental_window_start(column='_last_extracted_at', relation=none) -%}
    {%- set relation = this if relation is none else relation -%}
    {%- set lookback_days = var('incremental_lookback_days', 3) | int -%}
    {%- set backfill_from = var('backfill_from', none) -%}
    {%- set run_started = "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp)" -%}
    {%- set latest -%}
        coalesce(max(case when {{ column }} <= {{ run_started }} then {{ column }} end),
            cast('1900-01-01 00:00:00' as timestamp))
    {%- endset -%}
    {%- if backfill_from -%}
        {%- set latest = "least(" ~ latest ~ ", cast('" ~ backfill_from ~ " 00:00:00' as timestamp))" -%}
    {%- endif -%}
    (select {{ dbt.dateadd('day', -1 * lookback_days, latest) }} from {{ relation }})
{%- endmacro %}


{#-
    The same start as a literal, computed before the model's query runs: for reads that can only be pruned by
    a constant (landing files selected by their load date). None outside an incremental run.
-#}
{% macro incremental_window_start_literal(column='_extracted_at', relation=none) -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select cast({{ incremental_window_start(column, relation) }} as {{ dbt.type_string() }})
    {%- endset -%}
    {%- set result = run_query(query) -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}
