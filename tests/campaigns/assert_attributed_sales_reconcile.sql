-- Attribution credits each order to one campaign only: the campaign mart's attributed totals and the daily
-- curve's last cumulative values both add up to the attributed orders, campaign by campaign (the curve: for
-- campaigns with days in the open months).
with

orders as (

    select
        campaign_id,
        count(*) as order_count,
        sum(net_sales_amount) as net_sales_amount
    from {{ ref('int_campaign_orders_attributed') }}
    group by campaign_id

),

mart as (

    select * from {{ ref('fct_campaign_performance') }}

),

curve as (

    select
        campaign_id,
        max(cumulative_attributed_order_count) as order_count,
        max(business_date) as last_curve_date
    from {{ ref('fct_campaign_performance_daily') }}
    -- days of closed months are frozen as reported; cumulative values of open days are as of today
    where business_date >= {{ first_open_month() }}
    group by campaign_id

),

final as (

    select
        mart.campaign_id,
        mart.attributed_order_count,
        mart.attributed_net_sales_amount,
        orders.order_count,
        orders.net_sales_amount,
        curve.order_count as curve_order_count
    from mart
    left join orders
        on mart.campaign_id = orders.campaign_id
    left join curve
        on mart.campaign_id = curve.campaign_id
    where mart.attributed_order_count <> coalesce(orders.order_count, 0)
        or mart.attributed_net_sales_amount <> coalesce(orders.net_sales_amount, 0)
        -- the curve stops at end date + window, so it can only miss orders of a capped curve
        or coalesce(curve.order_count, 0) > mart.attributed_order_count

)

select * from final
