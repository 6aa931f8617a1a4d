-- One row per purchase of a member: an order of fct_orders with a member and net sales above zero (an order
-- refunded in full is not a purchase; core__purchase). Each purchase knows its place in the member's
-- history and, on the member's first purchase of a day, the days since the previous purchase day: the
-- inter-purchase intervals of the repurchase cycle.
with

orders as (

    select * from {{ ref('fct_orders') }}
    where member_id is not null
        and net_sales_amount > 0

),

stores as (

    select * from {{ ref('dim_stores') }}

),

sequenced as (

    select
        orders.order_id,
        orders.member_id,
        orders.channel,
        orders.store_id,
        orders.banner_code,
        stores.region,
        orders.ordered_at,
        orders.business_date,
        orders.net_sales_amount,
        orders.items,
        row_number() over (
            partition by orders.member_id
            order by orders.ordered_at, orders.order_id
        ) as purchase_sequence,
        row_number() over (
            partition by orders.member_id, orders.business_date
            order by orders.ordered_at, orders.order_id
        ) as purchase_sequence_of_day
    from orders
    left join stores
        on orders.store_id = stores.store_id

),

purchase_days as (

    select
        member_id,
        business_date,
        lag(business_date) over (partition by member_id order by business_date) as previous_purchase_date
    from sequenced
    where purchase_sequence_of_day = 1

),

final as (

    select
        sequenced.order_id,
        sequenced.member_id,
        sequenced.channel,
        sequenced.store_id,
        sequenced.banner_code,
        sequenced.region,
        sequenced.ordered_at,
        sequenced.business_date,
        sequenced.net_sales_amount,
        sequenced.items,
        sequenced.purchase_sequence,
        sequenced.purchase_sequence = 1 as is_first_purchase,
        sequenced.purchase_sequence_of_day = 1 as is_first_purchase_of_day,
        purchase_days.previous_purchase_date,
        case
            when sequenced.purchase_sequence_of_day = 1
                then {{ dbt.datediff('purchase_days.previous_purchase_date', 'sequenced.business_date', 'day') }}
        end as days_since_previous_purchase
    from sequenced
    left join purchase_days
        on sequenced.member_id = purchase_days.member_id
            and sequenced.business_date = purchase_days.business_date

)

select * from final
