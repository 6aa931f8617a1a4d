-- One row per campaign with a holdout: the incremental effect of the campaign on per-capita net sales in the
-- lift window, treated minus holdout, with a Welch (unequal-variance) t interval. Per-capita figures include
-- members who bought nothing (zero sales), which is what makes the two group means comparable.
with

outcomes as (

    select * from {{ ref('int_campaign_member_outcomes') }}
    where not has_conflicting_assignment

),

group_stats as (

    select
        campaign_id,
        count(case when not is_holdout then 1 end) as treated_member_count,
        count(case when is_holdout then 1 end) as holdout_member_count,
        -- exact decimal totals, for the per-capita and incremental money (macro money_divide in the mart)
        sum(case when not is_holdout then window_net_sales_amount else 0 end) as treated_net_sales_amount,
        sum(case when is_holdout then window_net_sales_amount else 0 end) as holdout_net_sales_amount,
        avg(case when not is_holdout then cast(window_net_sales_amount as double) end)
            as treated_net_sales_per_capita,
        avg(case when is_holdout then cast(window_net_sales_amount as double) end)
            as holdout_net_sales_per_capita,
        var_samp(case when not is_holdout then cast(window_net_sales_amount as double) end)
            as treated_net_sales_variance,
        var_samp(case when is_holdout then cast(window_net_sales_amount as double) end)
            as holdout_net_sales_variance,
        avg(case when not is_holdout then cast(window_order_count as double) end) as treated_orders_per_capita,
        avg(case when is_holdout then cast(window_order_count as double) end) as holdout_orders_per_capita
    from outcomes
    group by campaign_id

),

conflicts as (

    select
        campaign_id,
        count(*) as conflicting_member_count
    from {{ ref('int_campaign_member_outcomes') }}
    where has_conflicting_assignment
    group by campaign_id

),

tested as (

    select
        group_stats.*,
        group_stats.treated_net_sales_per_capita - group_stats.holdout_net_sales_per_capita as lift_per_capita,
        sqrt(
            group_stats.treated_net_sales_variance / nullif(group_stats.treated_member_count, 0)
            + group_stats.holdout_net_sales_variance / nullif(group_stats.holdout_member_count, 0)
        ) as lift_standard_error,
        {{ welch_degrees_of_freedom(
            'treated_net_sales_variance', 'treated_member_count',
            'holdout_net_sales_variance', 'holdout_member_count'
        ) }} as welch_degrees_of_freedom
    from group_stats
    where group_stats.holdout_member_count > 0
        and group_stats.treated_member_count > 0

),

with_quantile as (

    select
        tested.*,
        {{ student_t_quantile(var('campaign_lift_z_quantile'), 'welch_degrees_of_freedom') }} as t_critical_value
    from tested

),

final as (

    select
        with_quantile.campaign_id,
        with_quantile.treated_member_count,
        with_quantile.holdout_member_count,
        coalesce(conflicts.conflicting_member_count, 0) as conflicting_member_count,
        with_quantile.treated_net_sales_amount,
        with_quantile.holdout_net_sales_amount,
        with_quantile.treated_net_sales_per_capita,
        with_quantile.holdout_net_sales_per_capita,
        with_quantile.treated_net_sales_variance,
        with_quantile.holdout_net_sales_variance,
        with_quantile.treated_orders_per_capita,
        with_quantile.holdout_orders_per_capita,
        with_quantile.lift_per_capita,
        with_quantile.lift_standard_error,
        with_quantile.welch_degrees_of_freedom,
        with_quantile.t_critical_value,
        with_quantile.lift_per_capita - with_quantile.t_critical_value * with_quantile.lift_standard_error
            as lift_per_capita_lower,
        with_quantile.lift_per_capita + with_quantile.t_critical_value * with_quantile.lift_standard_error
            as lift_per_capita_upper,
        with_quantile.lift_per_capita / nullif(with_quantile.lift_standard_error, 0) as lift_t_statistic,
        with_quantile.lift_per_capita * with_quantile.treated_member_count as incremental_net_sales,
        (with_quantile.lift_per_capita - with_quantile.t_critical_value * with_quantile.lift_standard_error)
        * with_quantile.treated_member_count as incremental_net_sales_lower,
        (with_quantile.lift_per_capita + with_quantile.t_critical_value * with_quantile.lift_standard_error)
        * with_quantile.treated_member_count as incremental_net_sales_upper
    from with_quantile
    left join conflicts
        on with_quantile.campaign_id = conflicts.campaign_id

)

select * from final
