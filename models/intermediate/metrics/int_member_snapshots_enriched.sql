{#- Closed months frozen (macros/incremental/month_freeze.sql): an incremental run recomputes the open months and
    the month before the first of them, which the marts compare the open month with. -#}
{{ config(**month_snapshot_config(member_column='member_id')) }}
-- One row per member and snapshot month (grain of int_member_snapshots_aggregated), completed with what the
-- metric marts need besides purchases, each as it stood on the snapshot date: loyalty enrolment and tier,
-- online reachability, the first purchase, the repurchase interval to expect (the member's own, else their
-- first-purchase category's, else everybody's) and the member's home store and banner.
with

snapshots as (

    select * from {{ ref('int_member_snapshots_aggregated') }}
    where {{ recomputed_months('snapshot_month', lookback_months=1) }}

),

members as (

    select * from {{ ref('dim_members') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

first_purchases as (

    select * from {{ ref('int_member_first_purchases_profiled') }}

),

card_tiers as (

    select * from {{ ref('int_card_tiers_historized') }}

),

reachability as (

    select * from {{ ref('int_member_reachability_historized') }}

),

tier_codes as (

    select * from {{ ref('member_tiers') }}

),

with_first_purchase as (

    select
        snapshots.*,
        first_purchases.first_purchase_amount,
        first_purchases.first_purchase_category_code
    from snapshots
    left join first_purchases
        on snapshots.member_id = first_purchases.member_id
            and snapshots.snapshot_date >= first_purchases.first_purchase_date

),

-- Intervals "of a category" / "of everybody": the median over members of each member's own median, among
-- members with enough intervals, so that one very frequent buyer does not outweigh many others.
category_intervals as (

    select
        snapshot_month,
        first_purchase_category_code,
        {{ metric_median('member_median_interval_days') }} as category_median_interval_days
    from with_first_purchase
    where purchase_interval_count >= {{ var('repurchase_cycle_min_intervals') }}
        and first_purchase_category_code is not null
    group by snapshot_month, first_purchase_category_code

),

overall_intervals as (

    select
        snapshot_month,
        {{ metric_median('member_median_interval_days') }} as overall_median_interval_days
    from with_first_purchase
    where purchase_interval_count >= {{ var('repurchase_cycle_min_intervals') }}
    group by snapshot_month

),

tiers_at_snapshot as (

    select
        snapshots.member_id,
        snapshots.snapshot_month,
        max(card_tiers.tier_rank) as tier_rank
    from snapshots
    inner join card_tiers
        on snapshots.member_id = card_tiers.member_id
            and snapshots.snapshot_date >= card_tiers.valid_from_date
            and (card_tiers.valid_to_date is null or snapshots.snapshot_date < card_tiers.valid_to_date)
    group by snapshots.member_id, snapshots.snapshot_month

),

reach_at_snapshot as (

    select
        snapshots.member_id,
        snapshots.snapshot_month,
        max(case when reachability.reach_channel = 'wecom' then 1 else 0 end) = 1 as has_wecom_contact,
        max(case when reachability.reach_channel = 'miniprogram' then 1 else 0 end) = 1
            as has_authorised_miniprogram_phone
    from snapshots
    inner join reachability
        on snapshots.member_id = reachability.member_id
            and snapshots.snapshot_date >= reachability.reachable_from_date
            and (reachability.reachable_to_date is null or snapshots.snapshot_date < reachability.reachable_to_date)
    group by snapshots.member_id, snapshots.snapshot_month

),

final as (

    select
        with_first_purchase.member_id,
        with_first_purchase.snapshot_month,
        with_first_purchase.snapshot_date,
        with_first_purchase.known_since_date,
        coalesce(members.enrol_date <= with_first_purchase.snapshot_date, false) as is_enrolled,
        case when members.enrol_date <= with_first_purchase.snapshot_date then members.enrol_date end
            as enrol_date,
        tier_codes.tier_code,
        tiers_at_snapshot.tier_rank,
        coalesce(reach_at_snapshot.has_wecom_contact, false) as has_wecom_contact,
        coalesce(reach_at_snapshot.has_authorised_miniprogram_phone, false) as has_authorised_miniprogram_phone,
        coalesce(reach_at_snapshot.has_wecom_contact or reach_at_snapshot.has_authorised_miniprogram_phone, false)
            as is_online_reachable,
        with_first_purchase.first_purchase_date,
        with_first_purchase.last_purchase_date,
        {{ dbt.datediff('with_first_purchase.first_purchase_date', 'with_first_purchase.snapshot_date', 'day') }}
            as days_since_first_purchase,
        {{ dbt.datediff('with_first_purchase.last_purchase_date', 'with_first_purchase.snapshot_date', 'day') }}
            as recency_days,
        with_first_purchase.lifetime_purchases,
        with_first_purchase.lifetime_purchase_days,
        with_first_purchase.rfm_window_purchases,
        with_first_purchase.rfm_window_net_sales_amount,
        with_first_purchase.loyal_window_purchases,
        with_first_purchase.aipl_window_purchases,
        with_first_purchase.first_purchase_amount,
        with_first_purchase.first_purchase_category_code,
        with_first_purchase.purchase_interval_count,
        with_first_purchase.member_median_interval_days,
        category_intervals.category_median_interval_days,
        overall_intervals.overall_median_interval_days,
        case
            when with_first_purchase.first_purchase_date is null then null
            when with_first_purchase.purchase_interval_count >= {{ var('repurchase_cycle_min_intervals') }}
                then with_first_purchase.member_median_interval_days
            when category_intervals.category_median_interval_days is not null
                then category_intervals.category_median_interval_days
            else overall_intervals.overall_median_interval_days
        end as repurchase_interval_days,
        case
            when with_first_purchase.first_purchase_date is null then null
            when with_first_purchase.purchase_interval_count >= {{ var('repurchase_cycle_min_intervals') }}
                then 'member'
            when category_intervals.category_median_interval_days is not null then 'category'
            when overall_intervals.overall_median_interval_days is not null then 'overall'
        end as repurchase_interval_source,
        -- without recent purchases, a member belongs to the store (banner) of enrolment
        coalesce(
            with_first_purchase.recent_store_id,
            case when members.enrol_date <= with_first_purchase.snapshot_date then members.enrol_store_id end
        ) as home_store_id,
        coalesce(
            with_first_purchase.recent_banner_code,
            case when members.enrol_date <= with_first_purchase.snapshot_date then enrol_stores.banner_code end
        ) as home_banner_code,
        case
            when with_first_purchase.recent_banner_code is not null then 'purchases'
            when members.enrol_date <= with_first_purchase.snapshot_date
                and enrol_stores.banner_code is not null then 'enrol_store'
        end as home_banner_source
    from with_first_purchase
    inner join members
        on with_first_purchase.member_id = members.member_id
    left join stores as enrol_stores
        on members.enrol_store_id = enrol_stores.store_id
    left join category_intervals
        on with_first_purchase.snapshot_month = category_intervals.snapshot_month
            and with_first_purchase.first_purchase_category_code = category_intervals.first_purchase_category_code
    left join overall_intervals
        on with_first_purchase.snapshot_month = overall_intervals.snapshot_month
    left join tiers_at_snapshot
        on with_first_purchase.member_id = tiers_at_snapshot.member_id
            and with_first_purchase.snapshot_month = tiers_at_snapshot.snapshot_month
    left join tier_codes
        on tiers_at_snapshot.tier_rank = tier_codes.tier_rank
    left join reach_at_snapshot
        on with_first_purchase.member_id = reach_at_snapshot.member_id
            and with_first_purchase.snapshot_month = reach_at_snapshot.snapshot_month

)

select * from final
