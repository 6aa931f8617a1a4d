-- Predictive value per member as of the as-of date (grain: member_id): the BG/NBD and Gamma-Gamma scores of
-- int_member_clv_scored, the 12-month CLV and its percentile, and the "at risk (model)" flag (P(alive) below
-- var clv_at_risk_p_alive_below). Defined once here: the mart fct_member_clv and the activation triggers read it.
with

inputs as (

    select * from {{ ref('int_member_clv_inputs_computed') }}
    where observation = 'as_of_date'

),

scores as (

    select * from {{ ref('int_member_clv_scored') }}

),

fitted as (

    select * from {{ ref('int_clv_parameters_fitted') }}

),

scored as (

    select
        inputs.member_id,
        inputs.observed_date as as_of_date,
        inputs.first_purchase_date,
        inputs.last_purchase_date,
        inputs.frequency,
        inputs.recency_days,
        inputs.age_days,
        today.p_alive,
        previous_day.p_alive as p_alive_previous_day,
        today.expected_purchases_90d,
        today.expected_purchases_180d,
        today.expected_purchases_365d,
        today.expected_spend_per_purchase_amount,
        today.expected_purchases_365d * today.expected_spend_per_purchase_amount as clv_12m_exact
    from inputs
    inner join scores as today
        on inputs.member_id = today.member_id
            and today.observation = 'as_of_date'
    left join scores as previous_day
        on inputs.member_id = previous_day.member_id
            and previous_day.observation = 'previous_day'

),

final as (

    select
        scored.member_id,
        scored.as_of_date,
        scored.first_purchase_date,
        scored.last_purchase_date,
        scored.frequency,
        scored.recency_days,
        scored.age_days,
        fitted.fit_status,
        scored.p_alive,
        scored.p_alive_previous_day,
        scored.expected_purchases_90d,
        scored.expected_purchases_180d,
        scored.expected_purchases_365d,
        cast(round(scored.expected_spend_per_purchase_amount, 2) as decimal(18, 2))
            as expected_spend_per_purchase_amount,
        cast(round(scored.clv_12m_exact, 2) as decimal(18, 2)) as clv_12m_amount,
        -- the scores are all NULL or none is (one fit): the rank runs over every member
        case
            when scored.clv_12m_exact is not null
                then 100.0 * percent_rank() over (order by scored.clv_12m_exact)
        end as clv_12m_percentile,
        coalesce(scored.p_alive < {{ var('clv_at_risk_p_alive_below') }}, false) as is_at_risk_model
    from scored
    cross join fitted

)

select * from final
