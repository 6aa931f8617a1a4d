-- One row per member and snapshot month, for every member the warehouse knew on the snapshot date
-- (prospects included): the member's purchase history up to the snapshot date, counted over the whole history
-- and over the trailing windows of the metric definitions, the member's own repurchase interval so far, and
-- the store and banner the member mostly bought from lately. Windows of N days end on the snapshot date and
-- include it: (snapshot_date - N, snapshot_date].
{%- set windows = {
    'rfm': var('rfm_window_days'),
    'loyal': var('lifecycle_loyal_window_days'),
    'aipl': var('aipl_purchase_window_days'),
} %}

with

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

members as (

    select * from {{ ref('dim_members') }}

),

purchases as (

    select * from {{ ref('int_member_purchases_sequenced') }}

),

purchase_days as (

    select
        member_id,
        business_date,
        count(*) as purchases,
        sum(net_sales_amount) as net_sales_amount,
        -- set on the first purchase of the day only, so max() picks it
        max(days_since_previous_purchase) as days_since_previous_purchase
    from purchases
    group by member_id, business_date

),

member_first_purchase as (

    select
        member_id,
        min(business_date) as first_purchase_date
    from purchase_days
    group by member_id

),

-- A member is known from the first day any of their identifiers, cards or purchases was seen.
members_known as (

    select
        members.member_id,
        -- least() skips NULLs on DuckDB and Spark alike
        least(
            cast({{ utc_to_shanghai_local('members.first_seen_at') }} as date),
            members.enrol_date,
            member_first_purchase.first_purchase_date
        ) as known_since_date
    from members
    left join member_first_purchase
        on members.member_id = member_first_purchase.member_id

),

member_months as (

    select
        members_known.member_id,
        members_known.known_since_date,
        months.snapshot_month,
        months.snapshot_date,
        -- each trailing window is (window_opens_after, snapshot_date]
        {%- for window_name, window_days in windows.items() %}
            {{ dbt.dateadd('day', -1 * window_days, 'months.snapshot_date') }} as {{ window_name }}_window_opens_after,
        {%- endfor %}
        {{ dbt.dateadd('day', -1 * var('member_home_window_days'), 'months.snapshot_date') }}
            as home_window_opens_after
    from members_known
    inner join months
        on members_known.known_since_date <= months.snapshot_date

),

history as (

    select
        member_months.member_id,
        member_months.snapshot_month,
        min(purchase_days.business_date) as first_purchase_date,
        max(purchase_days.business_date) as last_purchase_date,
        sum(purchase_days.purchases) as lifetime_purchases,
        count(*) as lifetime_purchase_days,
        {%- for window_name in windows %}
            sum(
                case
                    when purchase_days.business_date > member_months.{{ window_name }}_window_opens_after
                        then purchase_days.purchases
                    else 0
                end
            ) as {{ window_name }}_window_purchases,
        {%- endfor %}
        sum(
            case
                when purchase_days.business_date > member_months.rfm_window_opens_after
                    then purchase_days.net_sales_amount
                else 0
            end
        ) as rfm_window_net_sales_amount,
        count(purchase_days.days_since_previous_purchase) as purchase_interval_count,
        {{ metric_median('purchase_days.days_since_previous_purchase') }} as member_median_interval_days
    from member_months
    inner join purchase_days
        on member_months.member_id = purchase_days.member_id
            and member_months.snapshot_date >= purchase_days.business_date
    group by member_months.member_id, member_months.snapshot_month

),

recent_purchases as (

    select
        member_months.member_id,
        member_months.snapshot_month,
        purchases.store_id,
        purchases.banner_code,
        purchases.business_date,
        purchases.net_sales_amount
    from member_months
    inner join purchases
        on member_months.member_id = purchases.member_id
            and member_months.snapshot_date >= purchases.business_date
            and member_months.home_window_opens_after < purchases.business_date

),

-- home store and home banner: most purchase days, then net sales, then the latest purchase, then the code
home_stores_ranked as (

    select
        member_id,
        snapshot_month,
        store_id,
        row_number() over (
            partition by member_id, snapshot_month
            order by
                count(distinct business_date) desc,
                sum(net_sales_amount) desc,
                max(business_date) desc,
                store_id asc
        ) as home_rank
    from recent_purchases
    where store_id is not null
    group by member_id, snapshot_month, store_id

),

home_banners_ranked as (

    select
        member_id,
        snapshot_month,
        banner_code,
        row_number() over (
            partition by member_id, snapshot_month
            order by
                count(distinct business_date) desc,
                sum(net_sales_amount) desc,
                max(business_date) desc,
                banner_code asc
        ) as home_rank
    from recent_purchases
    where banner_code is not null
    group by member_id, snapshot_month, banner_code

),

final as (

    select
        member_months.member_id,
        member_months.snapshot_month,
        member_months.snapshot_date,
        member_months.known_since_date,
        history.first_purchase_date,
        history.last_purchase_date,
        coalesce(history.lifetime_purchases, 0) as lifetime_purchases,
        coalesce(history.lifetime_purchase_days, 0) as lifetime_purchase_days,
        {%- for window_name in windows %}
            coalesce(history.{{ window_name }}_window_purchases, 0) as {{ window_name }}_window_purchases,
        {%- endfor %}
        cast(coalesce(history.rfm_window_net_sales_amount, 0) as decimal(18, 2)) as rfm_window_net_sales_amount,
        coalesce(history.purchase_interval_count, 0) as purchase_interval_count,
        cast(history.member_median_interval_days as double) as member_median_interval_days,
        home_stores_ranked.store_id as recent_store_id,
        home_banners_ranked.banner_code as recent_banner_code
    from member_months
    left join history
        on member_months.member_id = history.member_id
            and member_months.snapshot_month = history.snapshot_month
    left join home_stores_ranked
        on member_months.member_id = home_stores_ranked.member_id
            and member_months.snapshot_month = home_stores_ranked.snapshot_month
            and home_stores_ranked.home_rank = 1
    left join home_banners_ranked
        on member_months.member_id = home_banners_ranked.member_id
            and member_months.snapshot_month = home_banners_ranked.snapshot_month
            and home_banners_ranked.home_rank = 1

)

select * from final
