-- The t quantile macro against published two-sided 95 % critical values (scipy.stats.t.ppf(0.975, df)),
-- plus the NULL guard below df = 3. Returns the rows where the macro misses the reference by more than the
-- documented tolerance.
with

reference as (

    select
        3.0 as degrees_of_freedom,
        3.182446305 as expected_quantile,
        0.0050000 as tolerance
    union all
    select
        4.0 as degrees_of_freedom,
        2.776445105 as expected_quantile,
        0.0010000 as tolerance
    union all
    select
        5.0 as degrees_of_freedom,
        2.570581836 as expected_quantile,
        0.0010000 as tolerance
    union all
    select
        10.0 as degrees_of_freedom,
        2.228138852 as expected_quantile,
        0.0000100 as tolerance
    union all
    select
        30.0 as degrees_of_freedom,
        2.042272456 as expected_quantile,
        0.0000001 as tolerance
    union all
    select
        100.0 as degrees_of_freedom,
        1.983971519 as expected_quantile,
        0.0000001 as tolerance
    union all
    select
        1000.0 as degrees_of_freedom,
        1.962339081 as expected_quantile,
        0.0000001 as tolerance
    union all
    select
        57.3 as degrees_of_freedom,
        2.002238268 as expected_quantile,
        0.0000001 as tolerance

),

computed as (

    select
        degrees_of_freedom,
        expected_quantile,
        tolerance,
        {{ student_t_quantile(var('campaign_lift_z_quantile'), 'degrees_of_freedom') }} as computed_quantile
    from reference

),

guard as (

    select
        2.0 as degrees_of_freedom,
        cast(null as double) as expected_quantile,
        0.0 as tolerance,
        {{ student_t_quantile(var('campaign_lift_z_quantile'), '2.0') }} as computed_quantile

),

final as (

    select * from computed
    where computed_quantile is null
        or abs(computed_quantile - expected_quantile) > tolerance

    union all

    select * from guard
    where computed_quantile is not null

)

select * from final
