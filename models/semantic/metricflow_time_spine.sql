-- Daily time spine of the semantic layer (MetricFlow joins metrics to it for metric_time). Wide enough for
-- any data period this warehouse reports; 4 000 rows cost nothing.
with

days as (

    {{ dbt.date_spine(
        datepart="day",
        start_date="cast('2015-01-01' as date)",
        end_date="cast('2036-01-01' as date)",
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
