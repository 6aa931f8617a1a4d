-- A store-month row exists only when the store was open at least one day, and never more days than the
-- month has; the 坪效 denominator depends on it.
select
    store_id,
    month_start_date,
    open_day_count,
    calendar_day_count
from {{ ref('fct_store_performance_monthly') }}
where open_day_count < 1
    or open_day_count > calendar_day_count
