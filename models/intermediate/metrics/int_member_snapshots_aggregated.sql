{#- Closed months frozen (macros/incremental/month_freeze.sql): an incremental run recomputes the open months and
    the month before the first of them, which the marts compare the open month with. -#}
{{ config(**month_snapshot_config(member_column='member_id')) }}
-- One row per member and snapshot month, for every member the warehouse knew on the snapshot date
-- (prospects included): the member's purchase history up to the snapshot date, counted over the whole history
-- and over the trailing windows of the metric definitions, the member's own repurchase interval so far, and
-- the store and banner the member mostly bought from lately. Windows of N days end on the snapshot date and
-- include it: (snapshot_date - N, snapshot_date].
-- Method (DECISIONS.md, "Metric definitions"): each member-month is a probe row dated on its snapshot date,
-- put in one date-ordered stream with the member's purchase days and read with window functions, so the cost
-- grows with member-months + purchase days. Joining every member-month to every earlier purchase instead
-- multiplies them and spilled more than 40 GB at 1M people. Frames are RANGE frames on a day number: rows of
-- the same day are peers, so a purchase on the snapshot date counts whatever the order within the day, and
-- `range between N - 1 preceding and current row` is exactly (snapshot_date - N, snapshot_date].
{%- set windows = {
    'rfm': var('rfm_window_days'),
    'loyal': var('lifecycle_loyal_window_days'),
    'aipl': var('aipl_purchase_window_days'),
} %}
{%- set home_window_days = var('member_home_window_days') %}
{%- set day_number_origin = "cast('1970-01-01' as date)" %}

with

months as (

    select * from {{ ref('int_metric_months_spined') }}
    where {{ recomputed_months('snapshot_month', lookback_months=1) }}

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
        {{ dbt.datediff(day_number_origin, 'business_date', 'day') }} as day_number, -- noqa: LT05
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
        {{ dbt.datediff(day_number_origin, 'months.snapshot_date', 'day') }} as day_number -- noqa: LT05
    from members_known
    inner join months
        on members_known.known_since_date <= months.snapshot_date

),

-- Purchase days and snapshot probes of a member in one stream; a probe carries no purchase.
history_events as (

    select
        member_id,
        cast(null as date) as snapshot_month,
        cast(null as date) as snapshot_date,
        cast(null as date) as known_since_date,
        day_number,
        business_date,
        purchases,
        net_sales_amount,
        days_since_previous_purchase
    from purchase_days

    union all

    select
        member_id,
        snapshot_month,
        snapshot_date,
        known_since_date,
        day_number,
        cast(null as date) as business_date,
        cast(null as bigint) as purchases,
        cast(null as decimal(18, 2)) as net_sales_amount,
        cast(null as bigint) as days_since_previous_purchase
    from member_months

),

history_accumulated as (

    select
        member_id,
        snapshot_month,
        snapshot_date,
        known_since_date,
        min(business_date) over member_to_date as first_purchase_date,
        max(business_date) over member_to_date as last_purchase_date,
        sum(purchases) over member_to_date as lifetime_purchases,
        count(business_date) over member_to_date as lifetime_purchase_days,
        {%- for window_name, window_days in windows.items() %}
            sum(purchases) over (
                partition by member_id
                order by day_number
                range between {{ window_days - 1 }} preceding and current row
            ) as {{ window_name }}_window_purchases,
        {%- endfor %}
        sum(net_sales_amount) over (
            partition by member_id
            order by day_number
            range between {{ windows['rfm'] - 1 }} preceding and current row
        ) as rfm_window_net_sales_amount,
        count(days_since_previous_purchase) over member_to_date as purchase_interval_count,
        {{ metric_median_window(
            'days_since_previous_purchase',
            'partition by member_id order by day_number range between unbounded preceding and current row'
        ) }} as member_median_interval_days
    from history_events
    window member_to_date as (
        partition by member_id
        order by day_number
        range between unbounded preceding and current row
    )

),

-- the probes: one row per member-month
history as (

    select * from history_accumulated
    where snapshot_month is not null

),

-- Home store and home banner: per member and store (banner), the same kind of stream read over the home
-- window, store and banner rows side by side (home_key_type) so that one pass serves both. Probes are made
-- only for the stores (banners) the member bought from within the home window's reach (first purchase there
-- on or before the snapshot date, last one after the window opens): member-months x stores per member.
home_days as (

    select
        member_id,
        'store' as home_key_type,
        store_id as home_key,
        business_date,
        {{ dbt.datediff(day_number_origin, 'business_date', 'day') }} as day_number, -- noqa: LT05
        sum(net_sales_amount) as net_sales_amount
    from purchases
    where store_id is not null
    group by member_id, store_id, business_date

    union all

    select
        member_id,
        'banner' as home_key_type,
        banner_code as home_key,
        business_date,
        {{ dbt.datediff(day_number_origin, 'business_date', 'day') }} as day_number, -- noqa: LT05
        sum(net_sales_amount) as net_sales_amount
    from purchases
    where banner_code is not null
    group by member_id, banner_code, business_date

),

home_spans as (

    select
        member_id,
        home_key_type,
        home_key,
        min(business_date) as first_purchase_date,
        max(business_date) as last_purchase_date
    from home_days
    group by member_id, home_key_type, home_key

),

home_events as (

    select
        member_id,
        home_key_type,
        home_key,
        cast(null as date) as snapshot_month,
        day_number,
        business_date,
        net_sales_amount
    from home_days

    union all

    select
        member_months.member_id,
        home_spans.home_key_type,
        home_spans.home_key,
        member_months.snapshot_month,
        member_months.day_number,
        cast(null as date) as business_date,
        cast(null as decimal(18, 2)) as net_sales_amount
    from member_months
    inner join home_spans
        on member_months.member_id = home_spans.member_id
            and member_months.snapshot_date >= home_spans.first_purchase_date
            and {{ dbt.dateadd('day', -1 * home_window_days, 'member_months.snapshot_date') }}
            < home_spans.last_purchase_date

),

home_windowed as (

    select
        member_id,
        home_key_type,
        home_key,
        snapshot_month,
        count(business_date) over home_window as purchase_days,
        sum(net_sales_amount) over home_window as net_sales_amount,
        max(business_date) over home_window as last_purchase_date
    from home_events
    window home_window as (
        partition by member_id, home_key_type, home_key
        order by day_number
        range between {{ home_window_days - 1 }} preceding and current row
    )

),

-- most purchase days, then net sales, then the latest purchase, then the code
home_ranked as (

    select
        member_id,
        snapshot_month,
        home_key_type,
        home_key,
        row_number() over (
            partition by member_id, snapshot_month, home_key_type
            order by
                purchase_days desc,
                net_sales_amount desc,
                last_purchase_date desc,
                home_key asc
        ) as home_rank
    from home_windowed
    where
        snapshot_month is not null
        and purchase_days > 0

),

final as (

    select
        history.member_id,
        history.snapshot_month,
        history.snapshot_date,
        history.known_since_date,
        history.first_purchase_date,
        history.last_purchase_date,
        coalesce(history.lifetime_purchases, 0) as lifetime_purchases,
        history.lifetime_purchase_days,
        {%- for window_name in windows %}
            coalesce(history.{{ window_name }}_window_purchases, 0) as {{ window_name }}_window_purchases,
        {%- endfor %}
        cast(coalesce(history.rfm_window_net_sales_amount, 0) as decimal(18, 2)) as rfm_window_net_sales_amount,
        history.purchase_interval_count,
        cast(history.member_median_interval_days as double) as member_median_interval_days,
        home_stores.home_key as recent_store_id,
        home_banners.home_key as recent_banner_code
    from history
    left join home_ranked as home_stores
        on history.member_id = home_stores.member_id
            and history.snapshot_month = home_stores.snapshot_month
            and home_stores.home_key_type = 'store'
            and home_stores.home_rank = 1
    left join home_ranked as home_banners
        on history.member_id = home_banners.member_id
            and history.snapshot_month = home_banners.snapshot_month
            and home_banners.home_key_type = 'banner'
            and home_banners.home_rank = 1

)

select * from final
