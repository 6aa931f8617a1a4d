-- Today's reasons to contact a member (grain: member_id, trigger_code; the as-of date only). Every trigger
-- is an event of the day, so a member is listed once per trigger and not again tomorrow:
--   journey_day_<N>         day N (seed metric_journey_milestones) after enrolment or after the first
--                           purchase is today (playbook 001; both anchors on one day give one row)
--   entering_at_risk        the rule-based lifecycle stage turns at_risk today (no purchase for
--                           lifecycle_at_risk_after_days + 1 days)
--   entering_sleeping       today the days since the last purchase pass repurchase_cycle_sleeping_multiple
--                           times the member's own repurchase interval (playbook 002: 沉睡)
--   high_value_fading       12-month CLV percentile >= activation_high_value_min_percentile and P(alive)
--                           fell below clv_at_risk_p_alive_below today
--   dormant_win_back        the stage turns dormant today (lifecycle_dormant_after_days + 1 days without a
--                           purchase) and the 12-month CLV percentile >= activation_win_back_min_percentile
with

clv as (

    select * from {{ ref('int_member_clv_valued') }}

),

members as (

    select * from {{ ref('int_members_golden') }}

),

milestones as (

    select * from {{ ref('metric_journey_milestones') }}

),

lifecycle as (

    select * from {{ ref('int_member_lifecycle_staged') }}

),

as_of as (

    select
        snapshot_month,
        as_of_date
    from {{ ref('int_metric_months_spined') }}
    where is_latest_snapshot

),

anchors as (

    select
        member_id,
        'first_purchase' as trigger_anchor,
        first_purchase_date as anchor_date
    from clv

    union all

    select
        member_id,
        'enrolment' as trigger_anchor,
        enrol_date as anchor_date
    from members
    where enrol_date is not null

),

journeys as (

    select
        anchors.member_id,
        'journey_day_' || cast(milestones.milestone_day as {{ dbt.type_string() }}) as trigger_code,
        -- one row when both anchors fall on the day: the first purchase is named (it drives the message)
        case
            when max(case when anchors.trigger_anchor = 'first_purchase' then 1 else 0 end) = 1
                then 'first_purchase'
            else 'enrolment'
        end as trigger_anchor
    from anchors
    cross join milestones
    cross join as_of
    where as_of.as_of_date = cast(
            {{ dbt.dateadd('day', 'milestones.milestone_day', 'anchors.anchor_date') }}
            as date
        )
    group by anchors.member_id, milestones.milestone_day

),

recency as (

    select
        clv.member_id,
        cast(
            {{ dbt.datediff('clv.last_purchase_date', 'as_of.as_of_date', 'day') }}
            as integer
        ) as days_since_last_purchase,
        clv.clv_12m_percentile,
        clv.p_alive,
        clv.p_alive_previous_day,
        lifecycle.repurchase_interval_days
    from clv
    cross join as_of
    left join lifecycle
        on clv.member_id = lifecycle.member_id
            and as_of.snapshot_month = lifecycle.snapshot_month

),

states as (

    select
        member_id,
        'entering_at_risk' as trigger_code,
        'last_purchase' as trigger_anchor
    from recency
    where days_since_last_purchase = {{ var('lifecycle_at_risk_after_days') }} + 1

    union all

    select
        member_id,
        'entering_sleeping' as trigger_code,
        'last_purchase' as trigger_anchor
    from recency
    where days_since_last_purchase
        > {{ var('repurchase_cycle_sleeping_multiple') }} * repurchase_interval_days
        and days_since_last_purchase - 1
        <= {{ var('repurchase_cycle_sleeping_multiple') }} * repurchase_interval_days

    union all

    select
        member_id,
        'high_value_fading' as trigger_code,
        'p_alive' as trigger_anchor
    from recency
    where clv_12m_percentile >= {{ var('activation_high_value_min_percentile') }}
        and p_alive < {{ var('clv_at_risk_p_alive_below') }}
        and p_alive_previous_day >= {{ var('clv_at_risk_p_alive_below') }}

    union all

    select
        member_id,
        'dormant_win_back' as trigger_code,
        'last_purchase' as trigger_anchor
    from recency
    where days_since_last_purchase = {{ var('lifecycle_dormant_after_days') }} + 1
        and clv_12m_percentile >= {{ var('activation_win_back_min_percentile') }}

),

final as (

    select
        journeys.member_id,
        journeys.trigger_code,
        journeys.trigger_anchor,
        as_of.as_of_date as activation_date
    from journeys
    cross join as_of

    union all

    select
        states.member_id,
        states.trigger_code,
        states.trigger_anchor,
        as_of.as_of_date as activation_date
    from states
    cross join as_of

)

select * from final
