-- One row per O2O store-month (scheduled online time > 0): the three TOP components of playbook 003, their
-- percentile among peer stores, the weighted TOP score and the S/A/B/C tier from seed store_tier_cutoffs.
-- Peers are the stores of the same banner in the same month; a banner with fewer than
-- store_tier_min_peer_stores scored stores that month is ranked against all scored stores of the month
-- instead (a percentile among two stores says little).
-- Ties: the TOP score is rounded to store_top_score_decimals places before it is ranked, so stores whose
-- scores differ only by floating-point noise (50 vs 50.000000000000007) get the same percentile and tier.
-- A store-month without deliveries has no punctuality: it is not ranked (no percentiles, score or tier) and
-- top_unranked_reason says why, instead of being placed at the bottom; it is no peer of the ranked stores.
with

store_months as (

    select * from {{ ref('int_store_months_spined') }}

),

o2o as (

    select * from {{ ref('int_store_o2o_monthly') }}
    where scheduled_minutes > 0

),

sales as (

    select * from {{ ref('int_store_sales_monthly') }}

),

cutoffs as (

    select * from {{ ref('store_tier_cutoffs') }}

),

components as (

    select
        o2o.store_id,
        o2o.month_start_date,
        store_months.banner_code,
        {{ metric_safe_divide('o2o.online_minutes', 'o2o.scheduled_minutes') }} as time_online_rate,
        -- O2O orders that were not cancelled, over every order the store served: its own tickets and
        -- mini-program orders (core order mart, which already holds the mini-program delivery orders) plus the
        -- Meituan/Ele.me deliveries that only the O2O feed knows.
        {{ metric_safe_divide(
            'o2o.o2o_order_count - o2o.o2o_cancelled_order_count',
            'coalesce(sales.ticket_count, 0) + o2o.o2o_platform_order_count'
        ) }} as order_penetration_rate,
        {{ metric_safe_divide('o2o.o2o_on_time_order_count', 'o2o.o2o_delivered_order_count') }}
            as punctuality_rate,
        case when coalesce(o2o.o2o_delivered_order_count, 0) = 0 then 'no_deliveries' end as top_unranked_reason
    from o2o
    inner join store_months
        on o2o.store_id = store_months.store_id
            and o2o.month_start_date = store_months.month_start_date
    left join sales
        on o2o.store_id = sales.store_id
            and o2o.month_start_date = sales.month_start_date

),

peer_sized as (

    select
        *,
        count(*) over (partition by banner_code, month_start_date) as banner_peer_count
    from components
    where top_unranked_reason is null

),

peer_grouped as (

    select
        *,
        case
            when banner_peer_count >= {{ var('store_tier_min_peer_stores') }} then banner_code
            else 'ALL'
        end as peer_group
    from peer_sized

),

-- Everything is ranked twice, within the banner and within the whole month, and peer_group picks the
-- ranking that counts; a fallback store is thus compared only with scores computed the same way. A missing
-- time-online or penetration rate (never expected once minutes are scheduled) ranks at the bottom.
component_ranked as (

    select
        *,
        percent_rank() over (
            partition by banner_code, month_start_date order by coalesce(time_online_rate, -1)
        ) as time_online_percentile_banner,
        percent_rank() over (
            partition by banner_code, month_start_date order by coalesce(order_penetration_rate, -1)
        ) as order_penetration_percentile_banner,
        percent_rank() over (
            partition by banner_code, month_start_date order by coalesce(punctuality_rate, -1)
        ) as punctuality_percentile_banner,
        percent_rank() over (
            partition by month_start_date order by coalesce(time_online_rate, -1)
        ) as time_online_percentile_all,
        percent_rank() over (
            partition by month_start_date order by coalesce(order_penetration_rate, -1)
        ) as order_penetration_percentile_all,
        percent_rank() over (
            partition by month_start_date order by coalesce(punctuality_rate, -1)
        ) as punctuality_percentile_all
    from peer_grouped

),

scored as (

    select
        *,
        round(100.0 * (
            {{ var('store_top_weight_time') }} * time_online_percentile_banner
            + {{ var('store_top_weight_order') }} * order_penetration_percentile_banner
            + {{ var('store_top_weight_punctuality') }} * punctuality_percentile_banner
        ) / (
            {{ var('store_top_weight_time') }}
            + {{ var('store_top_weight_order') }}
            + {{ var('store_top_weight_punctuality') }}
        ), {{ var('store_top_score_decimals') }}) as top_score_banner,
        round(100.0 * (
            {{ var('store_top_weight_time') }} * time_online_percentile_all
            + {{ var('store_top_weight_order') }} * order_penetration_percentile_all
            + {{ var('store_top_weight_punctuality') }} * punctuality_percentile_all
        ) / (
            {{ var('store_top_weight_time') }}
            + {{ var('store_top_weight_order') }}
            + {{ var('store_top_weight_punctuality') }}
        ), {{ var('store_top_score_decimals') }}) as top_score_all
    from component_ranked

),

score_ranked_both as (

    select
        *,
        percent_rank() over (
            partition by banner_code, month_start_date order by top_score_banner
        ) as top_score_percentile_banner,
        percent_rank() over (partition by month_start_date order by top_score_all) as top_score_percentile_all
    from scored

),

score_ranked as (

    select
        store_id,
        month_start_date,
        banner_code,
        peer_group,
        banner_peer_count,
        time_online_rate,
        order_penetration_rate,
        punctuality_rate,
        case
            when peer_group = 'ALL' then time_online_percentile_all
            else time_online_percentile_banner
        end as time_online_percentile,
        case
            when peer_group = 'ALL' then order_penetration_percentile_all
            else order_penetration_percentile_banner
        end as order_penetration_percentile,
        case
            when peer_group = 'ALL' then punctuality_percentile_all
            else punctuality_percentile_banner
        end as punctuality_percentile,
        case
            when peer_group = 'ALL' then top_score_all
            else top_score_banner
        end as top_score,
        case
            when peer_group = 'ALL' then top_score_percentile_all
            else top_score_percentile_banner
        end as top_score_percentile
    from score_ranked_both

),

banners_with_own_cutoffs as (

    select distinct banner_code from cutoffs
    where banner_code <> 'ALL'

),

-- A banner with rows of its own in the seed uses only those; every other banner uses the ALL rows.
applicable_cutoffs as (

    select
        banners.banner_code,
        cutoffs.tier_code,
        cutoffs.tier_rank,
        cutoffs.min_top_score_percentile
    from (select distinct score_ranked.banner_code from score_ranked) as banners
    left join banners_with_own_cutoffs
        on banners.banner_code = banners_with_own_cutoffs.banner_code
    inner join cutoffs
        on cutoffs.banner_code = coalesce(banners_with_own_cutoffs.banner_code, 'ALL')

),

tiered as (

    select
        score_ranked.store_id,
        score_ranked.month_start_date,
        applicable_cutoffs.tier_code,
        row_number() over (
            partition by score_ranked.store_id, score_ranked.month_start_date
            order by applicable_cutoffs.tier_rank
        ) as tier_choice
    from score_ranked
    inner join applicable_cutoffs
        on score_ranked.banner_code = applicable_cutoffs.banner_code
            and score_ranked.top_score_percentile >= applicable_cutoffs.min_top_score_percentile

),

final as (

    select
        components.store_id,
        components.month_start_date,
        components.banner_code,
        score_ranked.peer_group,
        score_ranked.banner_peer_count,
        components.time_online_rate,
        components.order_penetration_rate,
        components.punctuality_rate,
        score_ranked.time_online_percentile,
        score_ranked.order_penetration_percentile,
        score_ranked.punctuality_percentile,
        score_ranked.top_score,
        score_ranked.top_score_percentile,
        tiered.tier_code,
        components.top_unranked_reason
    from components
    left join score_ranked
        on components.store_id = score_ranked.store_id
            and components.month_start_date = score_ranked.month_start_date
    left join tiered
        on score_ranked.store_id = tiered.store_id
            and score_ranked.month_start_date = tiered.month_start_date
            and tiered.tier_choice = 1

)

select * from final
