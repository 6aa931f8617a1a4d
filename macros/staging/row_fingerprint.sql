{#-
    The content fingerprint of a landed row (`_row_fingerprint` of every base_ model): the hash (dbt.hash, MD5
    on DuckDB) of the columns as text, each written `<length>:<text>` (NULL as `-`) and joined with `|`.
    The length prefix makes the string unambiguous: ('a|b', 'c') and ('a', 'b|c'), or '' and NULL, never give
    the same text. Two rows with the same fingerprint are copies (duplicate_row); the fingerprint also breaks
    ties between versions. Pass the content columns as landed, never extracted_at or filename (a re-send
    differs only there).
-#}
{% macro row_fingerprint(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- set as_text = "cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")" -%}
        {%- do parts.append(
            "coalesce(cast(" ~ dbt.length(as_text) ~ " as " ~ dbt.type_string() ~ ") || ':' || " ~ as_text ~ ", '-')"
        ) -%}
    {%- endfor -%}
    {{ dbt.hash(parts | join(" || '|' || ")) }}
{%- endmacro %}
