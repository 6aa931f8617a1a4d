{#- Closed months frozen (macros/incremental/month_freeze.sql): an incremental run recomputes the open months and
    the month before the first of them, which the marts compare the open month with. -#}
{{ config(**month_snapshot_config(member_column="case when consumer_kind = 'member' then consumer_id end")) }}
-- AIPL stage per consumer and snapshot month: members (whether or not they hold a card) and consumers the
-- identity graph has not stitched to a member (int_consumer_signals_unioned). Windows end on the snapshot
-- date and include it; the highest stage reached wins:
--   L  loyalty    at least aipl_loyal_min_purchases purchases in the purchase window, or a high tier
--                 (the tiers listed in seed metric_high_value_rules) on the snapshot date
--   P  purchase   a purchase in the purchase window (aipl_purchase_window_days)
--   I  interest   an interest signal (view, add to cart, favourite, click) in aipl_interest_window_days
--   A  awareness  an awareness signal (ad exposure, search, campaign message delivered/opened) in
--                 aipl_awareness_window_days
-- Consumers with none of these in the month are not in the month's AIPL pool and have no row.
{%- set signal_lookback_days = [var('aipl_awareness_window_days'), var('aipl_interest_window_days')] | max %}

with

months as (

    select * from {{ ref('int_metric_months_spined') }}
    where {{ recomputed_months('snapshot_month', lookback_months=1) }}

),

member_snapshots as (

    select * from {{ ref('int_member_snapshots_enriched') }}
    where {{ recomputed_months('snapshot_month', lookback_months=1) }}

),

signals as (

    select * from {{ ref('int_consumer_signals_unioned') }}

),

high_value_rules as (

    select * from {{ ref('metric_high_value_rules') }}

),

high_tiers as (

    select rule_value as tier_code
    from high_value_rules
    where rule_type = 'tier'

),

-- each window is (window_opens_after, snapshot_date]
signal_windows as (

    select
        snapshot_month,
        snapshot_date,
        {{ dbt.dateadd('day', -1 * var('aipl_awareness_window_days'), 'snapshot_date') }}
            as awareness_window_opens_after,
        {{ dbt.dateadd('day', -1 * var('aipl_interest_window_days'), 'snapshot_date') }}
            as interest_window_opens_after,
        {{ dbt.dateadd('day', -1 * signal_lookback_days, 'snapshot_date') }} as lookback_opens_after
    from months

),

signal_months as (

    select
        signals.consumer_id,
        signal_windows.snapshot_month,
        max(signals.consumer_kind) as consumer_kind,
        max(signals.member_id) as member_id,
        max(
            case
                when signals.aipl_stage_code = 'A'
                    and signals.business_date > signal_windows.awareness_window_opens_after
                    then 1
                else 0
            end
        ) = 1 as has_awareness_signal,
        max(
            case
                when signals.aipl_stage_code = 'I'
                    and signals.business_date > signal_windows.interest_window_opens_after
                    then 1
                else 0
            end
        ) = 1 as has_interest_signal
    from signals
    inner join signal_windows
        on signals.business_date <= signal_windows.snapshot_date
            and signals.business_date > signal_windows.lookback_opens_after
    group by signals.consumer_id, signal_windows.snapshot_month

),

member_months as (

    select
        member_snapshots.member_id as consumer_id,
        member_snapshots.snapshot_month,
        member_snapshots.aipl_window_purchases,
        member_snapshots.tier_code,
        high_tiers.tier_code is not null as is_high_tier,
        member_snapshots.home_banner_code
    from member_snapshots
    left join high_tiers
        on member_snapshots.tier_code = high_tiers.tier_code

),

combined as (

    select
        coalesce(member_months.consumer_id, signal_months.consumer_id) as consumer_id,
        coalesce(member_months.snapshot_month, signal_months.snapshot_month) as snapshot_month,
        case
            when member_months.consumer_id is not null then 'member'
            else signal_months.consumer_kind
        end as consumer_kind,
        coalesce(signal_months.has_awareness_signal, false) as has_awareness_signal,
        coalesce(signal_months.has_interest_signal, false) as has_interest_signal,
        coalesce(member_months.aipl_window_purchases, 0) as aipl_window_purchases,
        coalesce(member_months.is_high_tier, false) as is_high_tier,
        member_months.home_banner_code
    from member_months
    full outer join signal_months
        on member_months.consumer_id = signal_months.consumer_id
            and member_months.snapshot_month = signal_months.snapshot_month

),

staged as (

    select
        *,
        case
            when aipl_window_purchases >= {{ var('aipl_loyal_min_purchases') }} or is_high_tier then 'L'
            when aipl_window_purchases >= 1 then 'P'
            when has_interest_signal then 'I'
            when has_awareness_signal then 'A'
        end as aipl_stage_code
    from combined

),

final as (

    select
        staged.consumer_id,
        staged.snapshot_month,
        months.snapshot_date,
        staged.consumer_kind,
        staged.aipl_stage_code,
        staged.has_awareness_signal,
        staged.has_interest_signal,
        staged.aipl_window_purchases,
        staged.is_high_tier,
        staged.home_banner_code
    from staged
    inner join months
        on staged.snapshot_month = months.snapshot_month
    where staged.aipl_stage_code is not null

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=1) }}
