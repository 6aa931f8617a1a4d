{#-
    True when any of the money columns (decimal yuan) lies beyond the limit `limit_name` of the seed
    quality_plausibility_limits, in absolute value: the row is quarantined as implausible_amount. NULL
    columns are ignored (a NULL amount is invalid_amount's business). One uncorrelated scalar subquery
    (portable to Spark).
-#}
{% macro is_implausible_amount(columns, limit_name='max_order_amount_yuan') -%}
    {%- set limit -%}
        (select max(limit_value) from {{ ref('quality_plausibility_limits') }} where limit_name = '{{ limit_name }}')
    {%- endset -%}
    (
        {%- for column in columns %}
        coalesce(abs({{ column }}) > {{ limit }}, false){% if not loop.last %} or{% endif %}
        {%- endfor %}
    )
{%- endmacro %}


{#-
    True when a time lies after the run by more than var quality_future_tolerance_days (default 1): a till or
    server with a wrong clock. dbt's run_started_at (UTC) is the reference, so the check needs no data of
    its own; a row stamped in the future is quarantined as future_timestamp and so never supersedes a real
    version nor extends a monthly mart past the as-of date. NULL in, NULL out.
-#}
{% macro is_after_run_time(expr) -%}
    {%- set run_at = "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    ({{ expr }} > {{ dbt.dateadd('day', var('quality_future_tolerance_days', 1), run_at) }})
{%- endmacro %}


{#-
    The future_timestamp check of every base_ model: the main time lies more than 1 day after the row's own
    extract, or the main time or the extract time lies beyond the run time (is_after_run_time). The second
    part catches the clock error that stamps both the event and the extract years ahead.
-#}
{% macro is_future_timestamp(expr, extracted_at='_extracted_at') -%}
    ({{ expr }} > {{ dbt.dateadd('day', 1, extracted_at) }}
        or {{ is_after_run_time(expr) }}
        or {{ is_after_run_time(extracted_at) }})
{%- endmacro %}


{#-
    Landed text to a whole number of `data_type` (default bigint), NULL unless the text is an optional sign
    and 1-19 digits that fit the type. Unlike a plain try_cast, never rounds ('1.5' is NULL, not 2) and never
    reads exponent notation ('1e3'), so the row can be quarantined instead of silently changed.
-#}
{% macro text_to_whole_number(expr, data_type=none) -%}
    {%- set number_text = "trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))" -%}
    case
        when {{ regexp_full_match(number_text, '[-+]?[0-9]{1,19}') }}
            then {{ try_cast_or_null(number_text, data_type or dbt.type_bigint()) }}
    end
{%- endmacro %}
