{#-
    on-run-start hook (dbt_project.yml): stops every run, seed and test before any node executes when
    - OMNI_HASH_KEY is unset (or the public demo key) and the landing folder holds files the demo generator did
      not write (real data needs a secret key), or
    - the warehouse was built with another key: warehouse_meta.hash_key_fingerprint holds a one-way fingerprint
      of the key of the first run (never the key); a run with another key would change every member id and
      pseudonym and bring erased people back, so it stops and points to the re-key procedure.
    The checks are Python (omniwh/duckdb_plugin.py: omni_hash_key_problem) because the key never enters Jinja.
-#}
{% macro hash_key_guard() -%}
    {{ return(adapter.dispatch('hash_key_guard', 'omnichannel_member_warehouse')()) }}
{%- endmacro %}

{% macro duckdb__hash_key_guard() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set recorded = run_query(
        "select count(*) from information_schema.tables
        where table_schema = 'warehouse_meta' and table_name = 'hash_key_fingerprint'"
    ).columns[0].values()[0] > 0 -%}
    {%- set stored = none -%}
    {%- if recorded -%}
        {%- set stored = run_query(
            "select max(fingerprint) from warehouse_meta.hash_key_fingerprint"
        ).columns[0].values()[0] -%}
    {%- endif -%}
    {#- checked before anything is written: a refused run leaves the warehouse as it was -#}
    {%- set problem = run_query(
        "select omni_hash_key_problem(" ~ sql_string_literal(var('landing_path')) ~ ", "
        ~ (sql_string_literal(stored) if stored else 'null') ~ ")"
    ).columns[0].values()[0] -%}
    {%- if problem -%}
        {{ exceptions.raise_compiler_error(problem) }}
    {%- endif -%}
    {%- if not stored -%}
        {%- do run_query(
            "create schema if not exists warehouse_meta;
            create table if not exists warehouse_meta.hash_key_fingerprint (
                fingerprint varchar not null, key_kind varchar not null, recorded_at timestamp not null
            );
            insert into warehouse_meta.hash_key_fingerprint
            select omni_hash_key_fingerprint(), omni_hash_key_kind(), cast(now() as timestamp)"
        ) -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#- Other engines: the cluster provides omni_keyed_hash(); the key check is not ported yet (DECISIONS.md). -#}
{% macro default__hash_key_guard() -%}
    {{ return('') }}
{%- endmacro %}

{#- A text as a single-quoted SQL literal (quotes doubled): for values that come from outside, never pasted raw. -#}
{% macro sql_string_literal(text) -%}
    {{ return("'" ~ (text | string | replace("'", "''")) ~ "'") }}
{%- endmacro %}
