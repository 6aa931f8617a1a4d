{#-
    Row-level text checks shared by every base_ model, on the text columns as landed (before trim/cast):
      encoding_damage  a value contains U+FFFD, the replacement character a decoder writes where bytes were
                       not valid in the source encoding: the row was damaged in transit and no column of it
                       can be trusted (a GBK file read as UTF-8 damages every Chinese field, not just one);
      oversize_value   a value is longer than the limit (var quality_max_text_length, default 255 characters):
                       a runaway field, usually a broken delimiter that glued several fields into one.
    Returns the first applicable reason, or NULL. `columns` is a list of column names or SQL expressions.
-#}
{% macro text_value_issue(columns, max_length=none) -%}
    {%- set limit = max_length if max_length is not none else var('quality_max_text_length', 255) -%}
    {%- if columns | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {%- set as_text = [] -%}
        {%- for column in columns -%}
            {%- do as_text.append("cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")") -%}
        {%- endfor -%}
        case
            when
                {% for value in as_text -%}
                    {{ dbt.position("'\ufffd'", value) }} > 0{% if not loop.last %} or {% endif %}
                {% endfor %}
                then 'encoding_damage'
            when
                {% for value in as_text -%}
                    {{ dbt.length(value) }} > {{ limit }}{% if not loop.last %} or {% endif %}
                {% endfor %}
                then 'oversize_value'
        end
    {%- endif -%}
{%- endmacro %}


{#-
    The text (varchar) columns of a source table as documented in its _<system>__sources.yml (data_type), minus
    the extract time and file name that dbt-duckdb adds. Read from the graph, so it is only known at execution
    time (an empty list while dbt parses, which is all parsing needs). Unit tests see no sources in the graph:
    they get `default` (the model's content columns: checking a number as text is harmless).
-#}
{% macro source_text_columns(source_name, table_name, default=[], exclude=['extracted_at', 'filename']) -%}
    {%- set names = [] -%}
    {%- if execute and graph.sources is not defined -%}
        {{ return(default) }}
    {%- endif -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.source_name == source_name and node.name == table_name -%}
                {%- for column in node.columns.values() -%}
                    {%- if (column.data_type or '') | lower in ['varchar', 'text', 'string']
                        and column.name not in exclude -%}
                        {%- do names.append(column.name) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if names | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "source_text_columns: no documented varchar column for source " ~ source_name ~ "." ~ table_name
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(names) }}
{%- endmacro %}


{#-
    True when an event time lies before the earliest plausible time of this warehouse (var
    quality_min_event_time, default 2000-01-01): epoch seconds sent where milliseconds were expected land in
    January 1970, a zeroed date field in year 0001. NULL in, NULL out.
-#}
{% macro is_implausibly_early(expr) -%}
    ({{ expr }} < cast('{{ var("quality_min_event_time", "2000-01-01") }}' as {{ dbt.type_timestamp() }}))
{%- endmacro %}
