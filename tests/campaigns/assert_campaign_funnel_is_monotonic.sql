-- Each step of the campaign funnel is a subset of the one before it, and the lift interval brackets its
-- point estimate. Returns the campaigns that break either rule.
select
    campaign_id,
    treated_audience_member_count,
    sent_member_count,
    reached_member_count,
    opened_member_count,
    clicked_member_count,
    coupons_issued_count,
    coupons_redeemed_count,
    lift_per_capita_lower_amount,
    lift_per_capita_amount,
    lift_per_capita_upper_amount
from {{ ref('fct_campaign_performance') }}
where reached_member_count > sent_member_count
    or opened_member_count > reached_member_count
    or clicked_member_count > opened_member_count
    or coupons_redeemed_count > coupons_issued_count
    or coupons_issued_online_redeemed_offline_count > coupons_redeemed_count
    or lift_per_capita_lower_amount > lift_per_capita_amount
    or lift_per_capita_upper_amount < lift_per_capita_amount
