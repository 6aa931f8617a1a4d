{#-
    When this dbt invocation started (UTC, timestamp without zone), as a SQL literal: every identity decision
    and ledger row of one run carries the same time, unlike current_timestamp which moves during the run.
-#}
{% macro identity_run_started_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
