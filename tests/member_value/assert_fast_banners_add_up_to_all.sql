-- FAST counts of the banner rows (including UNASSIGNED) add up to the ALL row: every consumer and every
-- high-value member counts for exactly one banner.
{%- set additive_columns = [
    'stage_a_consumers', 'stage_i_consumers', 'stage_p_consumers', 'stage_l_consumers', 'fertility_consumers',
    'previous_stage_a_consumers', 'advanced_from_a_consumers', 'previous_stage_i_consumers',
    'advanced_from_i_consumers', 'previous_stage_p_consumers', 'advanced_from_p_consumers',
    'high_value_members', 'high_value_recent_buyers',
] %}

with

fast as (

    select * from {{ ref('fct_fast_monthly') }}

),

banner_totals as (

    select
        snapshot_month,
        {%- for column in additive_columns %}
            sum({{ column }}) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from fast
    where not is_all_banners
    group by snapshot_month

),

mismatches as (

    select all_banners.snapshot_month
    from fast as all_banners
    left join banner_totals
        on all_banners.snapshot_month = banner_totals.snapshot_month
    where all_banners.is_all_banners
        and (
            banner_totals.snapshot_month is null
            {%- for column in additive_columns %}
                or all_banners.{{ column }} <> banner_totals.{{ column }}
            {%- endfor %}
        )

)

select * from mismatches
