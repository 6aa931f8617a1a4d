with

campaigns as (

    select * from {{ ref('stg_marketing__campaigns') }}
    where is_current

),

audiences as (

    select * from {{ ref('int_campaign_audiences_resolved') }}

),

touches as (

    select * from {{ ref('int_campaign_touches_consent_checked') }}

),

funnel as (

    select * from {{ ref('int_campaign_touches_pivoted') }}

),

coupons as (

    select * from {{ ref('int_coupons_tracked') }}
    where has_issue_record

),

attributed as (

    select * from {{ ref('int_campaign_orders_attributed') }}

),

lift as (

    select * from {{ ref('int_campaign_lift_estimated') }}

),

acquisitions as (

    select * from {{ ref('int_campaign_acquisitions_counted') }}

),

audience_counts as (

    select
        campaign_id,
        count(*) as audience_card_count,
        count(case when not is_member_resolved then 1 end) as unresolved_audience_card_count,
        count(distinct member_id) as audience_member_count,
        count(distinct case when not is_holdout then member_id end) as treated_audience_member_count,
        count(distinct case when is_holdout then member_id end) as holdout_audience_member_count
    from audiences
    group by campaign_id

),

-- Funnel on the treated side, counted in members (several cards of one member count once; a card that
-- resolves to no member counts as itself).
funnel_members as (

    select
        campaign_id,
        sent_at,
        is_reached,
        is_opened,
        is_clicked,
        coalesce(member_id, {{ dbt.concat(["'card:'", 'card_no']) }}) as member_key
    from funnel

),

funnel_counts as (

    select
        campaign_id,
        count(distinct case when sent_at is not null then member_key end) as sent_member_count,
        count(distinct case when is_reached then member_key end) as reached_member_count,
        count(distinct case when is_opened then member_key end) as opened_member_count,
        count(distinct case when is_clicked then member_key end) as clicked_member_count
    from funnel_members
    group by campaign_id

),

consent_counts as (

    select
        campaign_id,
        count(case when is_consent_violation then 1 end) as consent_violation_count,
        count(case when is_holdout_contaminated then 1 end) as holdout_touched_card_count,
        count(case when is_outside_audience then 1 end) as outside_audience_touched_card_count
    from touches
    group by campaign_id

),

coupon_counts as (

    select
        campaign_id,
        count(*) as coupons_issued_count,
        count(case when is_redeemed then 1 end) as coupons_redeemed_count,
        count(case when is_redeemed and redeem_channel = 'POS' then 1 end) as coupons_redeemed_pos_count,
        count(case when is_redeemed and redeem_channel = 'MINIPROGRAM' then 1 end)
            as coupons_redeemed_miniprogram_count,
        count(case when is_redeemed and redeem_channel = 'TMALL' then 1 end) as coupons_redeemed_tmall_count,
        count(case when is_redeemed and redeem_channel = 'JD' then 1 end) as coupons_redeemed_jd_count,
        count(case when is_issued_online_redeemed_offline then 1 end)
            as coupons_issued_online_redeemed_offline_count,
        count(case when is_redeemed and is_redeemed_after_expiry then 1 end) as coupons_redeemed_after_expiry_count,
        sum(redeemed_face_value_amount) as coupon_cost_amount,
        sum(redeemed_order_net_sales_amount) as coupon_order_net_sales_amount
    from coupons
    group by campaign_id

),

attributed_totals as (

    select
        campaign_id,
        count(*) as attributed_order_count,
        count(distinct member_id) as attributed_member_count,
        count(case when has_overlapping_touches then 1 end) as attributed_overlapping_order_count,
        sum(net_sales_amount) as attributed_net_sales_amount
    from attributed
    group by campaign_id

),

joined as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.channel,
        campaigns.banner_code,
        campaigns.start_date,
        campaigns.end_date,
        campaigns.holdout_rate as planned_holdout_rate,
        {{ var('campaign_attribution_window_days') }} as attribution_window_days,
        {{ var('campaign_lift_window_days') }} as lift_window_days,
        coalesce(audience_counts.audience_card_count, 0) as audience_card_count,
        coalesce(audience_counts.unresolved_audience_card_count, 0) as unresolved_audience_card_count,
        coalesce(audience_counts.treated_audience_member_count, 0) as treated_audience_member_count,
        coalesce(audience_counts.holdout_audience_member_count, 0) as holdout_audience_member_count,
        coalesce(lift.conflicting_member_count, 0) as conflicting_member_count,
        coalesce(funnel_counts.sent_member_count, 0) as sent_member_count,
        coalesce(funnel_counts.reached_member_count, 0) as reached_member_count,
        coalesce(funnel_counts.opened_member_count, 0) as opened_member_count,
        coalesce(funnel_counts.clicked_member_count, 0) as clicked_member_count,
        coalesce(consent_counts.consent_violation_count, 0) as consent_violation_count,
        coalesce(consent_counts.holdout_touched_card_count, 0) as holdout_touched_card_count,
        coalesce(consent_counts.outside_audience_touched_card_count, 0) as outside_audience_touched_card_count,
        coalesce(coupon_counts.coupons_issued_count, 0) as coupons_issued_count,
        coalesce(coupon_counts.coupons_redeemed_count, 0) as coupons_redeemed_count,
        coalesce(coupon_counts.coupons_redeemed_pos_count, 0) as coupons_redeemed_pos_count,
        coalesce(coupon_counts.coupons_redeemed_miniprogram_count, 0) as coupons_redeemed_miniprogram_count,
        coalesce(coupon_counts.coupons_redeemed_tmall_count, 0) as coupons_redeemed_tmall_count,
        coalesce(coupon_counts.coupons_redeemed_jd_count, 0) as coupons_redeemed_jd_count,
        coalesce(coupon_counts.coupons_issued_online_redeemed_offline_count, 0)
            as coupons_issued_online_redeemed_offline_count,
        coalesce(coupon_counts.coupons_redeemed_after_expiry_count, 0) as coupons_redeemed_after_expiry_count,
        coalesce(coupon_counts.coupon_order_net_sales_amount, 0) as coupon_order_net_sales_amount,
        coalesce(attributed_totals.attributed_order_count, 0) as attributed_order_count,
        coalesce(attributed_totals.attributed_member_count, 0) as attributed_member_count,
        coalesce(attributed_totals.attributed_overlapping_order_count, 0) as attributed_overlapping_order_count,
        coalesce(attributed_totals.attributed_net_sales_amount, 0) as attributed_net_sales_amount,
        coalesce(campaigns.cost_amount, 0) as campaign_cost_amount,
        coalesce(coupon_counts.coupon_cost_amount, 0) as coupon_cost_amount,
        lift.treated_member_count as lift_treated_member_count,
        lift.holdout_member_count as lift_holdout_member_count,
        lift.treated_net_sales_amount as lift_treated_net_sales_amount,
        lift.holdout_net_sales_amount as lift_holdout_net_sales_amount,
        lift.treated_net_sales_per_capita,
        lift.holdout_net_sales_per_capita,
        lift.lift_per_capita,
        lift.lift_standard_error,
        lift.welch_degrees_of_freedom,
        lift.lift_per_capita_lower,
        lift.lift_per_capita_upper,
        lift.incremental_net_sales,
        lift.incremental_net_sales_lower,
        lift.incremental_net_sales_upper,
        acquisitions.new_member_count
    from campaigns
    left join audience_counts
        on campaigns.campaign_id = audience_counts.campaign_id
    left join funnel_counts
        on campaigns.campaign_id = funnel_counts.campaign_id
    left join consent_counts
        on campaigns.campaign_id = consent_counts.campaign_id
    left join coupon_counts
        on campaigns.campaign_id = coupon_counts.campaign_id
    left join attributed_totals
        on campaigns.campaign_id = attributed_totals.campaign_id
    left join lift
        on campaigns.campaign_id = lift.campaign_id
    left join acquisitions
        on campaigns.campaign_id = acquisitions.campaign_id

),

final as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        channel,
        banner_code,
        start_date,
        end_date,
        cast(planned_holdout_rate as double) as planned_holdout_rate,
        cast(attribution_window_days as integer) as attribution_window_days,
        cast(lift_window_days as integer) as lift_window_days,
        cast(audience_card_count as bigint) as audience_card_count,
        cast(unresolved_audience_card_count as bigint) as unresolved_audience_card_count,
        cast(treated_audience_member_count as bigint) as treated_audience_member_count,
        cast(holdout_audience_member_count as bigint) as holdout_audience_member_count,
        cast(conflicting_member_count as bigint) as conflicting_member_count,
        cast(sent_member_count as bigint) as sent_member_count,
        cast(reached_member_count as bigint) as reached_member_count,
        cast(opened_member_count as bigint) as opened_member_count,
        cast(clicked_member_count as bigint) as clicked_member_count,
        {{ metric_safe_divide('reached_member_count', 'treated_audience_member_count') }} as reach_rate,
        {{ metric_safe_divide('opened_member_count', 'reached_member_count') }} as open_rate,
        {{ metric_safe_divide('clicked_member_count', 'opened_member_count') }} as click_through_rate,
        cast(consent_violation_count as bigint) as consent_violation_count,
        cast(holdout_touched_card_count as bigint) as holdout_touched_card_count,
        cast(outside_audience_touched_card_count as bigint) as outside_audience_touched_card_count,
        cast(coupons_issued_count as bigint) as coupons_issued_count,
        cast(coupons_redeemed_count as bigint) as coupons_redeemed_count,
        {{ metric_safe_divide('coupons_redeemed_count', 'coupons_issued_count') }} as coupon_redemption_rate,
        cast(coupons_redeemed_pos_count as bigint) as coupons_redeemed_pos_count,
        cast(coupons_redeemed_miniprogram_count as bigint) as coupons_redeemed_miniprogram_count,
        cast(coupons_redeemed_tmall_count as bigint) as coupons_redeemed_tmall_count,
        cast(coupons_redeemed_jd_count as bigint) as coupons_redeemed_jd_count,
        cast(coupons_issued_online_redeemed_offline_count as bigint) as coupons_issued_online_redeemed_offline_count,
        {{ metric_safe_divide('coupons_issued_online_redeemed_offline_count', 'coupons_redeemed_count') }}
            as online_to_offline_redemption_share,
        cast(coupons_redeemed_after_expiry_count as bigint) as coupons_redeemed_after_expiry_count,
        cast(coupon_order_net_sales_amount as decimal(18, 2)) as coupon_order_net_sales_amount,
        cast(attributed_order_count as bigint) as attributed_order_count,
        cast(attributed_member_count as bigint) as attributed_member_count,
        cast(attributed_overlapping_order_count as bigint) as attributed_overlapping_order_count,
        cast(attributed_net_sales_amount as decimal(18, 2)) as attributed_net_sales_amount,
        cast(campaign_cost_amount as decimal(18, 2)) as campaign_cost_amount,
        cast(coupon_cost_amount as decimal(18, 2)) as coupon_cost_amount,
        cast(campaign_cost_amount + coupon_cost_amount as decimal(18, 2)) as total_cost_amount,
        {{ metric_safe_divide('attributed_net_sales_amount', 'campaign_cost_amount + coupon_cost_amount') }}
            as attributed_roi,
        cast(lift_treated_member_count as bigint) as lift_treated_member_count,
        cast(lift_holdout_member_count as bigint) as lift_holdout_member_count,
        {{ money_divide('lift_treated_net_sales_amount', 'lift_treated_member_count') }}
            as treated_net_sales_per_capita_amount,
        {{ money_divide('lift_holdout_net_sales_amount', 'lift_holdout_member_count') }}
            as holdout_net_sales_per_capita_amount,
        cast(lift_per_capita as double) as lift_per_capita_amount,
        cast(lift_per_capita_lower as double) as lift_per_capita_lower_amount,
        cast(lift_per_capita_upper as double) as lift_per_capita_upper_amount,
        cast(lift_standard_error as double) as lift_standard_error_amount,
        cast(welch_degrees_of_freedom as double) as welch_degrees_of_freedom,
        coalesce(lift_per_capita_lower > 0 or lift_per_capita_upper < 0, false) as is_lift_significant,
        -- (treated mean - holdout mean) x treated members, in exact decimals
        {{ money_divide(
            'lift_treated_net_sales_amount * lift_holdout_member_count'
            ~ ' - lift_holdout_net_sales_amount * lift_treated_member_count',
            'lift_holdout_member_count'
        ) }} as incremental_net_sales_amount,
        -- the interval bounds carry a t quantile and a standard error (doubles): rounded, not exact
        {{ money_divide('incremental_net_sales_lower') }} as incremental_net_sales_lower_amount,
        {{ money_divide('incremental_net_sales_upper') }} as incremental_net_sales_upper_amount,
        {{ metric_safe_divide('incremental_net_sales', 'campaign_cost_amount + coupon_cost_amount') }}
            as incremental_roi,
        {{ metric_safe_divide('incremental_net_sales_lower', 'campaign_cost_amount + coupon_cost_amount') }}
            as incremental_roi_lower,
        {{ metric_safe_divide('incremental_net_sales_upper', 'campaign_cost_amount + coupon_cost_amount') }}
            as incremental_roi_upper,
        cast(new_member_count as bigint) as new_member_count,
        case
            when campaign_type = 'ACQUISITION'
                then {{ money_divide('campaign_cost_amount + coupon_cost_amount', 'new_member_count') }}
        end as cost_per_new_member_amount
    from joined

)

select * from final
