-- freshness_reference_at() without the var `freshness_reference_at` (every build and every freshness run on
-- real data) is the database clock, so real landing data are judged against now; `make freshness` sets the
-- var only on demo data. Fails when the reference is more than a minute from the clock.
with

reference as (

    select
        cast({{ freshness_reference_at() }} as timestamp) as reference_at,
        cast({{ dbt.current_timestamp() }} as timestamp) as clock_at

),

final as (

    select
        reference_at,
        clock_at
    from reference
    where abs({{ dbt.datediff('reference_at', 'clock_at', 'second') }}) > 60

)

select * from final
