-- One row per member who ever purchased: the first purchase, what it was worth and what it was mostly of.
-- The first purchase's value feeds the first-order value split (playbook 002: entry at 100-200 vs 400-600
-- yuan), its main category the category fallback of the repurchase interval.
with

purchases as (

    select * from {{ ref('int_member_purchases_sequenced') }}
    where is_first_purchase

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

first_purchase_categories as (

    select
        order_lines.order_id,
        order_lines.category_code,
        row_number() over (
            partition by order_lines.order_id
            order by sum(order_lines.net_sales_amount) desc, order_lines.category_code
        ) as category_rank
    from order_lines
    inner join purchases
        on order_lines.order_id = purchases.order_id
    group by order_lines.order_id, order_lines.category_code

),

final as (

    select
        purchases.member_id,
        purchases.order_id as first_purchase_order_id,
        purchases.business_date as first_purchase_date,
        purchases.channel as first_purchase_channel,
        purchases.net_sales_amount as first_purchase_amount,
        ln(cast(purchases.net_sales_amount as double)) as first_purchase_log_amount,
        first_purchase_categories.category_code as first_purchase_category_code
    from purchases
    left join first_purchase_categories
        on purchases.order_id = first_purchase_categories.order_id
            and first_purchase_categories.category_rank = 1

)

select * from final
