-- One row per store and month with sales: tickets, net sales, and the identified shoppers of the store
-- (their tickets, how many were served, their WeCom binding). 会员占比 (enrolled members) is not here: it is
-- int_member_share_monthly's.
with

orders as (

    select * from {{ ref('fct_orders') }}
    where store_id is not null

),

members as (

    select * from {{ ref('dim_members') }}

),

monthly_orders as (

    select
        orders.store_id,
        cast({{ dbt.date_trunc('month', 'orders.business_date') }} as date) as month_start_date,
        orders.order_id,
        orders.member_id,
        orders.net_sales_amount
    from orders

),

final as (

    select
        monthly_orders.store_id,
        monthly_orders.month_start_date,
        count(*) as ticket_count,
        sum(monthly_orders.net_sales_amount) as net_sales_amount,
        count(monthly_orders.member_id) as identified_ticket_count,
        count(distinct monthly_orders.member_id) as members_served_count,
        count(distinct case when members.has_wecom_contact then monthly_orders.member_id end)
            as wecom_bound_members_served_count
    from monthly_orders
    left join members
        on monthly_orders.member_id = members.member_id
    group by monthly_orders.store_id, monthly_orders.month_start_date

)

select * from final
