-- One row per store and month with O2O activity (scheduled online time or delivery orders): the inputs of
-- the TOP store model's Time (online minutes achieved / scheduled) and Punctuality (on-time deliveries /
-- deliveries) components, and the O2O order count of its Order-penetration component.
with

online_hours as (

    select * from {{ ref('stg_stores__o2o_online_hours') }}

),

deliveries as (

    select * from {{ ref('stg_o2o__delivery_orders') }}

),

hours_monthly as (

    select
        store_id,
        cast({{ dbt.date_trunc('month', 'business_date') }} as date) as month_start_date,
        sum(scheduled_minutes) as scheduled_minutes,
        sum(online_minutes) as online_minutes
    from online_hours
    group by 1, 2

),

deliveries_monthly as (

    select
        store_id,
        cast({{ dbt.date_trunc('month', 'business_date') }} as date) as month_start_date,
        count(*) as o2o_order_count,
        count(case when delivery_status = 'CANCELLED' then 1 end) as o2o_cancelled_order_count,
        count(case when delivery_status = 'DELIVERED' then 1 end) as o2o_delivered_order_count,
        count(case when delivery_status = 'DELIVERED' and delivered_at <= promised_at then 1 end)
            as o2o_on_time_order_count,
        -- Meituan/Ele.me orders are not in the core order mart; mini-program deliveries are.
        count(case when source_platform <> 'MINIPROGRAM' and delivery_status <> 'CANCELLED' then 1 end)
            as o2o_platform_order_count
    from deliveries
    group by 1, 2

),

final as (

    select
        coalesce(hours_monthly.store_id, deliveries_monthly.store_id) as store_id,
        coalesce(hours_monthly.month_start_date, deliveries_monthly.month_start_date) as month_start_date,
        coalesce(hours_monthly.scheduled_minutes, 0) as scheduled_minutes,
        coalesce(hours_monthly.online_minutes, 0) as online_minutes,
        coalesce(deliveries_monthly.o2o_order_count, 0) as o2o_order_count,
        coalesce(deliveries_monthly.o2o_cancelled_order_count, 0) as o2o_cancelled_order_count,
        coalesce(deliveries_monthly.o2o_delivered_order_count, 0) as o2o_delivered_order_count,
        coalesce(deliveries_monthly.o2o_on_time_order_count, 0) as o2o_on_time_order_count,
        coalesce(deliveries_monthly.o2o_platform_order_count, 0) as o2o_platform_order_count
    from hours_monthly
    full outer join deliveries_monthly
        on hours_monthly.store_id = deliveries_monthly.store_id
            and hours_monthly.month_start_date = deliveries_monthly.month_start_date

)

select * from final
