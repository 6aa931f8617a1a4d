-- One row per resolved order (the orders of fct_orders, which shows these flags), classified for 会员占比:
--   * is_identified_consumer: the order resolved to a person of the identity graph (member_id not NULL);
--   * is_member_order: that person was an enrolled member (int_members_enrolled) on the order's business
--     day, so orders placed before enrolling count as identified, not as member orders;
--   * is_staff_purchase: the order carries an identifier the identity guards quarantined as staff (guard
--     reasons starting with 'staff', e.g. a WeCom staff phone or a staff card); such orders are anonymous in
--     the order mart and are left out of both sides of the member share.
with

orders as (

    select * from {{ ref('int_orders_resolved') }}

),

order_identifiers as (

    select * from {{ ref('int_orders_unioned') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where guard_reason like 'staff%'

),

enrolled as (

    select * from {{ ref('int_members_enrolled') }}

),

-- one equi-join per identifier column the orders carry (an OR join would compare every pair)
staff_orders as (

    {%- for identifier_type in ['card_no', 'phone', 'openid', 'buyer_key'] %}

        select order_identifiers.order_id
        from order_identifiers
        inner join identifiers
            on identifiers.identifier_type = '{{ identifier_type }}'
                and order_identifiers.{{ identifier_type }} = identifiers.identifier_value
        {% if not loop.last %}union{% endif %}
    {%- endfor %}

),

final as (

    select
        orders.order_id,
        orders.member_id,
        orders.store_id,
        orders.banner_code,
        orders.business_date,
        cast({{ dbt.date_trunc('month', 'orders.business_date') }} as date) as month_start_date,
        orders.net_sales_amount,
        orders.refund_amount > 0 and orders.net_sales_amount <= 0 as is_fully_refunded,
        orders.member_id is not null as is_identified_consumer,
        coalesce(enrolled.enrolled_date <= orders.business_date, false) as is_member_order,
        staff_orders.order_id is not null as is_staff_purchase
    from orders
    left join enrolled
        on orders.member_id = enrolled.member_id
    left join staff_orders
        on orders.order_id = staff_orders.order_id

)

select * from final
