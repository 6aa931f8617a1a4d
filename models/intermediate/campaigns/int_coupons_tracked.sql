-- One row per coupon code seen in either the issue log or the redemption log: the coupon's journey from
-- issue to (first) redemption, with the channel groups needed for the closed loop (issued online, redeemed
-- in store). Redemptions of codes that were never issued are kept (campaign unknown) so they can be counted.
with

issued as (

    select * from {{ ref('stg_marketing__coupons_issued') }}

),

templates as (

    select * from {{ ref('stg_marketing__coupon_templates') }}
    where is_current

),

redemptions as (

    select * from {{ ref('stg_marketing__coupon_redemptions') }}

),

channel_groups as (

    select * from {{ ref('coupon_channel_groups') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'card_no'

),

-- A coupon is single-use; a second redemption row for the same code is a source error. The first one counts,
-- the others are counted in extra_redemption_count.
redemptions_ranked as (

    select
        redemptions.*,
        row_number() over (
            partition by redemptions.coupon_code
            order by redemptions.redeemed_at asc, redemptions.redemption_id asc
        ) as redemption_rank,
        count(*) over (partition by redemptions.coupon_code) as redemption_row_count
    from redemptions

),

first_redemption as (

    select * from redemptions_ranked
    where redemption_rank = 1

),

joined as (

    select
        coalesce(issued.coupon_code, first_redemption.coupon_code) as coupon_code,
        issued.campaign_id,
        issued.template_id,
        issued.card_no,
        identifiers.member_id,
        issued.issue_channel,
        issued.issued_at,
        issued.expires_at,
        templates.face_value_amount,
        templates.threshold_amount,
        templates.channel_scope,
        first_redemption.redemption_id,
        first_redemption.redeem_channel,
        first_redemption.store_id as redeemed_store_id,
        first_redemption.order_id as redeemed_order_id,
        first_redemption.redeemed_at,
        first_redemption.business_date as redeemed_date,
        coalesce(first_redemption.redemption_row_count, 0) as redemption_row_count,
        issued.coupon_code is not null as has_issue_record,
        -- The redemption names the order by the channel's own id; the core order mart keys orders as
        -- `<channel>:<source id>` with the same channel codes.
        {{ dbt.concat(['first_redemption.redeem_channel', "':'", 'first_redemption.order_id']) }}
            as redeemed_order_key
    from issued
    full outer join first_redemption
        on issued.coupon_code = first_redemption.coupon_code
    left join templates
        on issued.template_id = templates.template_id
    left join identifiers
        on issued.card_no = identifiers.identifier_value

),

final as (

    select
        joined.coupon_code,
        joined.campaign_id,
        joined.template_id,
        joined.card_no,
        joined.member_id,
        joined.issue_channel,
        issue_groups.channel_group as issue_channel_group,
        joined.issued_at,
        joined.expires_at,
        cast(joined.face_value_amount as decimal(18, 2)) as face_value_amount,
        cast(joined.threshold_amount as decimal(18, 2)) as threshold_amount,
        joined.channel_scope,
        joined.redemption_id is not null as is_redeemed,
        joined.redemption_id,
        joined.redeem_channel,
        redeem_groups.channel_group as redeem_channel_group,
        joined.redeemed_store_id,
        joined.redeemed_order_id,
        joined.redeemed_at,
        joined.redeemed_date,
        coalesce(
            issue_groups.channel_group = 'ONLINE' and redeem_groups.channel_group = 'OFFLINE', false
        ) as is_issued_online_redeemed_offline,
        coalesce(
            joined.redemption_id is not null and issue_groups.channel_group <> redeem_groups.channel_group, false
        ) as is_cross_channel,
        coalesce(joined.redeemed_at > joined.expires_at, false) as is_redeemed_after_expiry,
        greatest(joined.redemption_row_count - 1, 0) as extra_redemption_count,
        orders.order_id is not null as is_redeemed_order_found,
        orders.net_sales_amount as redeemed_order_net_sales_amount,
        orders.refund_amount as redeemed_order_refund_amount,
        joined.has_issue_record,
        -- Face value only counts as campaign cost when the coupon was actually used.
        cast(
            case when joined.redemption_id is not null then coalesce(joined.face_value_amount, 0) else 0 end
            as decimal(18, 2)
        ) as redeemed_face_value_amount
    from joined
    left join channel_groups as issue_groups
        on joined.issue_channel = issue_groups.coupon_channel
    left join channel_groups as redeem_groups
        on joined.redeem_channel = redeem_groups.coupon_channel
    left join orders
        on joined.redeemed_order_key = orders.order_id

)

select * from final
