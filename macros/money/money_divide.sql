{#-
    Money divided (or multiplied) to the fen: `numerator / denominator` as decimal(18, 2) yuan, rounded half
    away from zero (四舍五入) in exact decimal arithmetic, NULL when the denominator is 0 or NULL.
    A product is rounded by the same macro with the default denominator 1: money_divide('amount * rate').
    Why not round(a / b, 2): DuckDB divides decimals in double precision, so 551.18 / 4 = 137.795 becomes
    137.79499999… and rounds to 137.79, while Spark divides in decimal and gets 137.80.
    Method: both operands are scaled to whole numbers at 6 decimals (exact for the money, counts, areas and
    rates of this project, whose scales are at most 6), and the quotient in fen is
        sign * floor((200 * |numerator| + |denominator|) / (2 * |denominator|))
    computed in integer division, which is round-half-away-from-zero of 100 * numerator / denominator.
-#}
{% macro money_divide(numerator, denominator=1) -%}
    {{ return(adapter.dispatch('money_divide', 'omnichannel_member_warehouse')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__money_divide(numerator, denominator) -%}
    {%- set scaled_numerator = "cast(cast(" ~ numerator ~ " as decimal(38, 6)) * 1000000 as decimal(38, 0))" -%}
    {%- set scaled_denominator = "cast(cast(" ~ denominator ~ " as decimal(38, 6)) * 1000000 as decimal(38, 0))" -%}
    {#- a CASE rather than sign(): Spark's sign() returns a double, which would leave exact arithmetic -#}
    cast(
        case when ({{ scaled_numerator }} < 0) = ({{ scaled_denominator }} < 0) then 1 else -1 end
        * {{ money_integer_divide(
            '200 * abs(' ~ scaled_numerator ~ ') + abs(' ~ scaled_denominator ~ ')',
            '2 * abs(nullif(' ~ scaled_denominator ~ ', 0))'
        ) }}
        * 0.01
        as decimal(18, 2)
    )
{%- endmacro %}

{#- Whole-number quotient of two non-negative whole numbers, truncated, without passing through a double. -#}
{% macro money_integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('money_integer_divide', 'omnichannel_member_warehouse')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__money_integer_divide(dividend, divisor) -%}
    cast(({{ dividend }}) div ({{ divisor }}) as decimal(38, 0))
{%- endmacro %}

{% macro duckdb__money_integer_divide(dividend, divisor) -%}
    cast(cast({{ dividend }} as hugeint) // cast({{ divisor }} as hugeint) as decimal(38, 0))
{%- endmacro %}
