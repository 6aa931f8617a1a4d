-- One row per campaign and touched card: when each touch status was first reached. The source writes one
-- touch row per status reached (SENT, DELIVERED, OPENED, CLICKED), so the funnel is read off the first
-- timestamp of each status.
with

touches as (

    select * from {{ ref('stg_marketing__touches') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'card_no'

),

pivoted as (

    select
        campaign_id,
        card_no,
        min(case when touch_status = 'SENT' then touched_at end) as sent_at,
        min(case when touch_status = 'DELIVERED' then touched_at end) as delivered_at,
        min(case when touch_status = 'OPENED' then touched_at end) as opened_at,
        min(case when touch_status = 'CLICKED' then touched_at end) as clicked_at,
        min(touched_at) as first_touched_at
    from touches
    group by campaign_id, card_no

),

final as (

    select
        pivoted.campaign_id,
        pivoted.card_no,
        identifiers.member_id,
        -- A status implies the ones before it (an open is only possible after a delivery), so a missing
        -- earlier row, e.g. a DELIVERED row lost in transit, does not drop the member from the funnel.
        coalesce(pivoted.sent_at, pivoted.delivered_at, pivoted.opened_at, pivoted.clicked_at) as sent_at,
        coalesce(pivoted.delivered_at, pivoted.opened_at, pivoted.clicked_at) as delivered_at,
        coalesce(pivoted.opened_at, pivoted.clicked_at) as opened_at,
        pivoted.clicked_at,
        pivoted.first_touched_at,
        coalesce(pivoted.delivered_at, pivoted.opened_at, pivoted.clicked_at) is not null as is_reached,
        coalesce(pivoted.opened_at, pivoted.clicked_at) is not null as is_opened,
        pivoted.clicked_at is not null as is_clicked
    from pivoted
    left join identifiers
        on pivoted.card_no = identifiers.identifier_value

)

select * from final
