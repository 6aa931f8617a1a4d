with

members as (

    select * from {{ ref('int_members_golden') }}

),

member_orders as (

    select * from {{ ref('int_member_orders_aggregated') }}

),

final as (

    select
        members.member_id,
        members.first_seen_at,
        members.has_crm_card,
        members.member_status,
        members.gender,
        cast(extract(year from members.birthday) as {{ dbt.type_int() }}) as birth_year,
        cast(extract(month from members.birthday) as {{ dbt.type_int() }}) as birth_month,
        members.city,
        members.city_source,
        {{ keyed_hash('members.phone') }} as phone_hash,
        members.enrolled_at,
        members.enrol_date,
        members.enrol_channel,
        members.enrol_store_id,
        members.tier_code,
        members.tier_name,
        members.points_balance,
        members.sms_consent_status,
        members.wecom_consent_status,
        members.miniprogram_consent_status,
        members.email_consent_status,
        members.has_wecom_contact,
        members.has_authorised_miniprogram_phone,
        members.is_online_reachable,
        members.identifier_count,
        members.card_no_count,
        members.phone_count,
        members.openid_count,
        members.unionid_count,
        members.buyer_key_count,
        members.external_userid_count,
        coalesce(member_orders.channel_count, 0) as channel_count,
        member_orders.channels_used,
        member_orders.first_purchase_at,
        member_orders.last_purchase_at,
        member_orders.first_purchase_date,
        member_orders.last_purchase_date,
        {%- for channel in ['pos', 'tmall', 'jd', 'miniprogram'] %}
            coalesce(member_orders.{{ channel }}_orders, 0) as {{ channel }}_orders,
            member_orders.first_{{ channel }}_purchase_date,
            member_orders.last_{{ channel }}_purchase_date,
        {%- endfor %}
        coalesce(member_orders.lifetime_orders, 0) as lifetime_orders,
        coalesce(member_orders.lifetime_net_sales_amount, 0) as lifetime_net_sales_amount,
        coalesce(member_orders.lifetime_items, 0) as lifetime_items,
        member_orders.average_order_value,
        member_orders.items_per_order,
        member_orders.preferred_store_id,
        member_orders.preferred_category_code
    from members
    left join member_orders
        on members.member_id = member_orders.member_id

)

select * from final
