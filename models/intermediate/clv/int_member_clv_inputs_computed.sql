-- The BG/NBD and Gamma-Gamma inputs of every member with a purchase, computed in SQL at member grain (the
-- step the Python libraries are slow at on a million members). A transaction is a purchase DAY: several
-- orders of one member on one day count as one purchase (the convention of the CDNOW papers; a basket split
-- over two tills is not a second visit). Each member has two rows: observed on the as-of date and on the day
-- before, so the scoring model can tell whose P(alive) crossed a threshold today.
with

purchases as (

    select * from {{ ref('int_member_purchases_sequenced') }}

),

as_of as (

    select as_of_date from {{ ref('int_metric_months_spined') }}
    where is_latest_snapshot

),

observation_dates as (

    select
        'as_of_date' as observation,
        as_of_date as observed_date
    from as_of

    union all

    select
        'previous_day' as observation,
        cast({{ dbt.dateadd('day', -1, 'as_of_date') }} as date) as observed_date
    from as_of

),

purchase_days as (

    select
        member_id,
        business_date,
        sum(net_sales_amount) as day_net_sales_amount
    from purchases
    group by member_id, business_date

),

observed as (

    select
        observation_dates.observation,
        observation_dates.observed_date,
        purchase_days.member_id,
        min(purchase_days.business_date) as first_purchase_date,
        max(purchase_days.business_date) as last_purchase_date,
        count(*) as purchase_days,
        sum(purchase_days.day_net_sales_amount) as net_sales_amount
    from observation_dates
    inner join purchase_days
        on observation_dates.observed_date >= purchase_days.business_date
    group by
        observation_dates.observation,
        observation_dates.observed_date,
        purchase_days.member_id

),

-- the first purchase day is the start of the clock and not a repeat: its spend is left out of the mean
-- repeat spend, as in the Gamma-Gamma paper
first_day_spend as (

    select
        observed.observation,
        observed.member_id,
        purchase_days.day_net_sales_amount as first_day_net_sales_amount
    from observed
    inner join purchase_days
        on observed.member_id = purchase_days.member_id
            and observed.first_purchase_date = purchase_days.business_date

),

final as (

    select
        observed.member_id,
        observed.observation,
        observed.observed_date,
        observed.first_purchase_date,
        observed.last_purchase_date,
        cast(observed.purchase_days - 1 as integer) as frequency,
        cast(
            {{ dbt.datediff('observed.first_purchase_date', 'observed.last_purchase_date', 'day') }}
            as integer
        ) as recency_days,
        cast(
            {{ dbt.datediff('observed.first_purchase_date', 'observed.observed_date', 'day') }}
            as integer
        ) as age_days,
        case
            when observed.purchase_days > 1
                then cast(
                        (observed.net_sales_amount - first_day_spend.first_day_net_sales_amount)
                        / (observed.purchase_days - 1) as decimal(18, 4)
                    )
        end as repeat_mean_spend_amount
    from observed
    inner join first_day_spend
        on observed.observation = first_day_spend.observation
            and observed.member_id = first_day_spend.member_id

)

select * from final
