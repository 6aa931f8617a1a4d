{#-
    dbt.dateadd on Spark. dbt-spark 1.11's spark__dateadd goes through to_unix_timestamp (whole seconds) for
    every date part, so shifting a timestamp by minutes (shanghai_local_to_utc, iso8601_to_utc) dropped its
    fractional seconds ('2025-01-01 07:59:59.123456' became '2024-12-31 23:59:59'; DuckDB keeps them).
    timestampadd (Spark >= 3.3) keeps microseconds and, like dbt-spark's version, returns a timestamp.
    Found by the macro fixture test assert_timezone_shift_matches_fixtures on Spark.
-#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, cast({{ interval }} as bigint), {{ from_date_or_timestamp }})
{%- endmacro %}
