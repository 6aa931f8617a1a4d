{#-
    Money is carried as decimal(18, 2) CNY yuan everywhere downstream of staging (see DECISIONS.md).
-#}

{#-
    Integer fen (text or integer) to yuan. Exact: fen * 0.01 is decimal arithmetic, never floating point.
    NULL when the input is NULL or not a whole number of fen ('12.5', '1e3', '12元' are rejected rather than
    silently rounded), so staging can quarantine the row as invalid_amount.
-#}
{% macro fen_to_yuan(expr) -%}
    {%- set fen_text = "trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))" -%}
    case
        when {{ regexp_full_match(fen_text, '[-+]?[0-9]{1,18}') }}
            then {{ try_cast_or_null("cast(" ~ fen_text ~ " as decimal(18, 0)) * 0.01", "decimal(18, 2)") }}
    end
{%- endmacro %}


{#-
    Yuan given as float or text to decimal(18, 2), rounded half away from zero.
    The value goes through its shortest text form first ('2.675' for the float 2.67499999...), so the rounding
    applies to the decimal the source system meant, not to its binary approximation. NULL when the input is
    NULL, not a number (NaN, '12元') or too large for decimal(18, 2).
-#}
{% macro to_yuan(expr) -%}
    {%- set yuan_decimal = try_cast_or_null(
        "trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))", "decimal(38, 9)"
    ) -%}
    {{ try_cast_or_null("round(" ~ yuan_decimal ~ ", 2)", "decimal(18, 2)") }}
{%- endmacro %}
