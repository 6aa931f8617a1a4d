{#-
    Lifetime purchase behaviour of each member who placed at least one order, one row per member_id. The
    member-360 metrics are defined here and only here (dim_members repeats them for members without orders
    as zeros/NULLs); their definitions are the doc blocks in models/marts/core/_core__docs.md:
    - a purchase is an order that was not refunded in full (net_sales_amount > 0);
    - lifetime net sales add up every order of the member (a fully refunded order adds 0), so they reconcile
      with fct_orders;
    - average order value = lifetime net sales / purchases; items per order = lifetime items / purchases;
    - preferred store: most purchases, then most net sales there, then the most recent purchase, then the
      lowest store_id; preferred category: most purchases containing it, then most net sales, then code.
-#}

with

orders as (

    select * from {{ ref('int_orders_resolved') }}
    where member_id is not null

),

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}

),

purchases as (

    select * from orders
    where net_sales_amount > 0

),

lifetime as (

    select
        member_id,
        sum(net_sales_amount) as lifetime_net_sales_amount,
        sum(items) as lifetime_items,
        sum(case when net_sales_amount > 0 then 1 else 0 end) as lifetime_orders,
        count(*) as lifetime_orders_placed,
        min(case when net_sales_amount > 0 then ordered_at end) as first_purchase_at,
        max(case when net_sales_amount > 0 then ordered_at end) as last_purchase_at,
        min(case when net_sales_amount > 0 then business_date end) as first_purchase_date,
        max(case when net_sales_amount > 0 then business_date end) as last_purchase_date,
        {%- for channel in ['POS', 'TMALL', 'JD', 'MINIPROGRAM'] %}
            sum(case when net_sales_amount > 0 and channel = '{{ channel }}' then 1 else 0 end)
                as {{ channel | lower }}_orders,
            min(case when net_sales_amount > 0 and channel = '{{ channel }}' then business_date end)
                as first_{{ channel | lower }}_purchase_date,
            max(case when net_sales_amount > 0 and channel = '{{ channel }}' then business_date end)
                as last_{{ channel | lower }}_purchase_date
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from orders
    group by member_id

),

channels_purchased as (

    select distinct
        member_id,
        channel
    from purchases

),

channels_used as (

    select
        member_id,
        count(*) as channel_count,
        {{ listagg_sorted('channel', "','") }} as channels_used
    from channels_purchased
    group by member_id

),

stores_ranked as (

    select
        member_id,
        store_id,
        row_number() over (
            partition by member_id
            order by count(*) desc, sum(net_sales_amount) desc, max(ordered_at) desc, store_id
        ) as store_rank
    from purchases
    where store_id is not null
    group by member_id, store_id

),

categories_ranked as (

    select
        purchases.member_id,
        order_lines.category_code,
        row_number() over (
            partition by purchases.member_id
            order by
                count(distinct purchases.order_id) desc,
                sum(order_lines.net_sales_amount) desc,
                order_lines.category_code
        ) as category_rank
    from purchases
    inner join order_lines
        on purchases.order_id = order_lines.order_id
    where order_lines.net_quantity > 0
    group by purchases.member_id, order_lines.category_code

),

final as (

    select
        lifetime.member_id,
        cast(lifetime.lifetime_orders as {{ dbt.type_int() }}) as lifetime_orders,
        cast(lifetime.lifetime_orders_placed as {{ dbt.type_int() }}) as lifetime_orders_placed,
        cast(lifetime.lifetime_net_sales_amount as decimal(18, 2)) as lifetime_net_sales_amount,
        cast(lifetime.lifetime_items as {{ dbt.type_bigint() }}) as lifetime_items,
        {{ money_divide('lifetime.lifetime_net_sales_amount', 'lifetime.lifetime_orders') }} as average_order_value,
        cast(
            round(cast(lifetime.lifetime_items as decimal(18, 2)) / nullif(lifetime.lifetime_orders, 0), 2)
            as decimal(18, 2)
        ) as items_per_order,
        lifetime.first_purchase_at,
        lifetime.last_purchase_at,
        lifetime.first_purchase_date,
        lifetime.last_purchase_date,
        {%- for channel in ['pos', 'tmall', 'jd', 'miniprogram'] %}
            cast(lifetime.{{ channel }}_orders as {{ dbt.type_int() }}) as {{ channel }}_orders,
            lifetime.first_{{ channel }}_purchase_date,
            lifetime.last_{{ channel }}_purchase_date,
        {%- endfor %}
        cast(coalesce(channels_used.channel_count, 0) as {{ dbt.type_int() }}) as channel_count,
        channels_used.channels_used,
        stores_ranked.store_id as preferred_store_id,
        categories_ranked.category_code as preferred_category_code
    from lifetime
    left join channels_used
        on lifetime.member_id = channels_used.member_id
    left join stores_ranked
        on lifetime.member_id = stores_ranked.member_id
            and stores_ranked.store_rank = 1
    left join categories_ranked
        on lifetime.member_id = categories_ranked.member_id
            and categories_ranked.category_rank = 1

)

select * from final
