-- The t quantile macro against published two-sided 95 % critical values (scipy.stats.t.ppf(0.975, df)),
-- plus the NULL guard below df = 3. Returns the rows where the macro misses the reference by more than the
-- documented tolerance.
with

reference as (

    select * from (
        values
            (3.0, 3.182446305, 0.005),
            (4.0, 2.776445105, 0.001),
            (5.0, 2.570581836, 0.001),
            (10.0, 2.228138852, 0.00001),
            (30.0, 2.042272456, 0.0000001),
            (100.0, 1.983971519, 0.0000001),
            (1000.0, 1.962339081, 0.0000001),
            (57.3, 2.002238268, 0.0000001)
    ) as reference_values (degrees_of_freedom, expected_quantile, tolerance)

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
        null as expected_quantile,
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
