{#-
    Quantile score 1..buckets where EQUAL VALUES SHARE A SCORE: a row's score is fixed by the share of rows
    strictly below its value, score = 1 + floor(buckets * (rank - 1) / n), with rank() (ties get the lowest
    rank of their block). Deterministic without a tie-breaker column, and no member is pushed into a higher
    or lower score than a member with the same value.
-#}
{% macro metric_quantile_score(order_by, partition_by=none, buckets=5) -%}
    {{ return(adapter.dispatch('metric_quantile_score', 'omnichannel_member_warehouse')(order_by, partition_by, buckets)) }}
{%- endmacro %}

{% macro default__metric_quantile_score(order_by, partition_by, buckets) -%}
    {%- set partition_clause = 'partition by ' ~ partition_by if partition_by else '' -%}
    cast(
        1 + floor(
            {{ buckets }} * (rank() over ({{ partition_clause }} order by {{ order_by }}) - 1)
            / cast(count(*) over ({{ partition_clause }}) as double)
        )
        as integer
    )
{%- endmacro %}
