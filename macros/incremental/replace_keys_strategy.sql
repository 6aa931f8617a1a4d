{#-
    Incremental strategy `replace_keys` (config: incremental_strategy='replace_keys', unique_key=<one column>,
    tombstone_column=<a column that is never NULL on a real row>).

    The model's incremental query returns, for every key it re-examined, either the key's rows as they are
    now or one tombstone row: the key with every other column NULL, meaning "this key has no rows any more"
    (an order that was cancelled unpaid, a ticket whose corrected version is no sale). The strategy deletes
    every row of every key in the batch and inserts the batch's real rows, so
    - a key's rows are always replaced as a whole (an order and all its lines, recomputed together), and
    - keys that disappeared upstream disappear here too, which dbt's delete+insert cannot do (it only deletes
      keys that still have rows in the batch).
    A full refresh never produces tombstones. Portable SQL (delete + insert; Spark needs Delta tables).
-#}
{% macro get_incremental_replace_keys_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set tombstone_column = config.get('tombstone_column') -%}
    {%- if not unique_key or unique_key is not string -%}
        {{ exceptions.raise_compiler_error(
            "replace_keys: unique_key must be one column name (model " ~ this ~ ")") }}
    {%- endif -%}
    {%- if not tombstone_column -%}
        {{ exceptions.raise_compiler_error(
            "replace_keys: set tombstone_column, a column never NULL on a real row (model " ~ this ~ ")") }}
    {%- endif -%}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}

    delete from {{ target }}
    where {{ unique_key }} in (select {{ unique_key }} from {{ source }});

    insert into {{ target }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }}
    from {{ source }}
    where {{ tombstone_column }} is not null
{%- endmacro %}


{#-
    The recomputed rows of a `replace_keys` model followed by its tombstones: one row per key of
    `keys_relation` that has no row in `rows_relation`, with the key and every other column NULL. Only in an
    incremental run. DuckDB appends them with `union all by name` (missing columns become NULL), which also
    works in dbt unit tests, where `this` is a fixture CTE whose columns cannot be listed; other engines list
    the existing table's columns.
-#}
{% macro rows_with_tombstones(rows_relation, keys_relation, key) -%}
    {{ return(adapter.dispatch('rows_with_tombstones', 'omnichannel_member_warehouse')(
        rows_relation, keys_relation, key)) }}
{%- endmacro %}

{% macro duckdb__rows_with_tombstones(rows_relation, keys_relation, key) -%}
    select * from {{ rows_relation }}
    union all by name
    select {{ keys_relation }}.{{ key }}
    from {{ keys_relation }}
    where not exists (
            select 1 from {{ rows_relation }}
            where {{ rows_relation }}.{{ key }} = {{ keys_relation }}.{{ key }}
        )
{%- endmacro %}

{% macro default__rows_with_tombstones(rows_relation, keys_relation, key) -%}
    {%- set columns = adapter.get_columns_in_relation(this) -%}
    select * from {{ rows_relation }}
    union all
    select
        {%- for column in columns %}
        {% if column.name == key -%}
            {{ keys_relation }}.{{ key }}
        {%- else -%}
            cast(null as {{ column.data_type }})
        {%- endif %} as {{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ keys_relation }}
    where not exists (
            select 1 from {{ rows_relation }}
            where {{ rows_relation }}.{{ key }} = {{ keys_relation }}.{{ key }}
        )
{%- endmacro %}
