{#-
    Identifier text as staging stores it: invisible characters removed anywhere, white space (also the no-break
    space and the ideographic space, which trim() keeps) removed at both ends, NULL when nothing is left.
-#}
{% macro clean_identifier(expr) -%}
    nullif({{ regexp_replace_all(
        regexp_replace_all(expr, '[' ~ invisible_characters() ~ ']', ''),
        '^[ \\t\\r\\n\u00a0\u3000]+|[ \\t\\r\\n\u00a0\u3000]+$',
        ''
    ) }}, '')
{%- endmacro %}
