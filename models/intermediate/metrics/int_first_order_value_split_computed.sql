-- One row: the first-order value that splits members into a low-spend and a high-spend entry group
-- (playbook 002: first orders at 100-200 yuan vs 400-600 yuan are two different populations). Detected as the
-- best two-group split of the log first-purchase amounts (Otsu / one-dimensional 2-means: the cut between two
-- adjacent distinct values that maximises the between-group variance), unless the var
-- first_order_value_split_yuan fixes it. The share of variance the split explains (eta squared) says whether
-- the two groups are really distinct: near 0.64 for a single log-normal hump, towards 1 for two clear humps.
-- Uses every member's first purchase up to the as-of date.
-- Deterministic: the log amounts are fixed to 9 decimals and every sum is taken on those exact decimals, so the
-- ratio does not move in its last digits with the order in which parallel threads add floats (a daily run and a
-- full refresh must agree row for row). The variance is derived from the exact sums, not var_pop.
{%- set split_override = var('first_order_value_split_yuan', none) %}

with

months as (

    select * from {{ ref('int_metric_months_spined') }}
    where is_latest_snapshot

),

first_purchases as (

    select * from {{ ref('int_member_first_purchases_profiled') }}

),

amounts as (

    select
        first_purchases.first_purchase_amount,
        cast(round(first_purchases.first_purchase_log_amount, 9) as decimal(18, 9)) as log_amount,
        months.as_of_date
    from first_purchases
    inner join months
        on first_purchases.first_purchase_date <= months.as_of_date

),

totals as (

    select
        count(*) as member_count,
        sum(log_amount) as log_amount_sum,
        cast(sum(log_amount) as double) / count(*) as log_amount_mean,
        cast(sum(log_amount * log_amount) as double) / count(*)
        - power(cast(sum(log_amount) as double) / count(*), 2) as log_amount_variance,
        max(as_of_date) as as_of_date
    from amounts

),

distinct_values as (

    select
        log_amount,
        count(*) as value_count,
        sum(log_amount) as value_sum
    from amounts
    group by log_amount

),

-- every cut between two adjacent distinct values, with the size and mean of the group below it
cuts as (

    select
        log_amount as lower_log_amount,
        lead(log_amount) over (order by log_amount) as upper_log_amount,
        sum(value_count) over (order by log_amount rows between unbounded preceding and current row)
            as below_count,
        sum(value_sum) over (order by log_amount rows between unbounded preceding and current row)
            as below_sum
    from distinct_values

),

cut_scores as (

    select
        cuts.lower_log_amount,
        cuts.upper_log_amount,
        cuts.below_count,
        totals.member_count - cuts.below_count as above_count,
        -- between-group variance w0 * w1 * (mean0 - mean1)^2
        (cast(cuts.below_count as double) / totals.member_count)
        * (cast(totals.member_count - cuts.below_count as double) / totals.member_count)
        * power(
            cast(cuts.below_sum as double) / cuts.below_count
            - cast(totals.log_amount_sum - cuts.below_sum as double) / (totals.member_count - cuts.below_count),
            2
        ) as between_variance
    from cuts
    cross join totals
    where cuts.upper_log_amount is not null

),

best_cut as (

    select
        lower_log_amount,
        upper_log_amount,
        row_number() over (order by between_variance desc, lower_log_amount asc) as cut_rank
    from cut_scores

),

split as (

    {%- if split_override is not none %}

    select
        cast({{ split_override }} as decimal(18, 2)) as split_amount,
        'var' as split_source

    {%- else %}

    -- the geometric midpoint of the two amounts either side of the best cut, to the fen
        select
            cast(round(exp(cast(lower_log_amount + upper_log_amount as double) / 2), 2) as decimal(18, 2))
                as split_amount,
            'detected' as split_source
        from best_cut
        where cut_rank = 1

    {%- endif %}

),

sides as (

    select
        split.split_amount,
        split.split_source,
        amounts.log_amount,
        case when amounts.first_purchase_amount < split.split_amount then amounts.first_purchase_amount end
            as low_entry_amount,
        case when amounts.first_purchase_amount >= split.split_amount then amounts.first_purchase_amount end
            as high_entry_amount
    from amounts
    cross join split

),

groups as (

    select
        split_amount,
        split_source,
        count(low_entry_amount) as low_entry_members,
        count(high_entry_amount) as high_entry_members,
        {{ metric_median('low_entry_amount') }} as low_entry_median_amount,
        {{ metric_median('high_entry_amount') }} as high_entry_median_amount,
        cast(sum(case when low_entry_amount is not null then log_amount end) as double)
        / nullif(count(low_entry_amount), 0) as low_entry_log_mean,
        cast(sum(case when high_entry_amount is not null then log_amount end) as double)
        / nullif(count(high_entry_amount), 0) as high_entry_log_mean
    from sides
    group by split_amount, split_source

),

final as (

    select
        groups.split_amount,
        groups.split_source,
        groups.low_entry_members,
        groups.high_entry_members,
        cast(groups.low_entry_median_amount as decimal(18, 2)) as low_entry_median_amount,
        cast(groups.high_entry_median_amount as decimal(18, 2)) as high_entry_median_amount,
        {{ metric_safe_divide(
            '(cast(groups.low_entry_members as double) / totals.member_count)'
            ~ ' * (cast(groups.high_entry_members as double) / totals.member_count)'
            ~ ' * power(groups.low_entry_log_mean - groups.high_entry_log_mean, 2)',
            'totals.log_amount_variance'
        ) }} as explained_variance_ratio,
        coalesce(
            {{ metric_safe_divide(
                '(cast(groups.low_entry_members as double) / totals.member_count)'
                ~ ' * (cast(groups.high_entry_members as double) / totals.member_count)'
                ~ ' * power(groups.low_entry_log_mean - groups.high_entry_log_mean, 2)',
                'totals.log_amount_variance'
            ) }} >= {{ var('first_order_value_distinct_min_ratio') }},
            false
        ) as is_distinct_split,
        totals.member_count as members_with_first_purchase,
        totals.as_of_date
    from groups
    cross join totals

)

select * from final
