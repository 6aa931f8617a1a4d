-- One row per acquisition campaign (campaign_type ACQUISITION): the new members it brought in. A new member
-- is an audience member (resolved to a member_id) whose CRM card was enrolled between the campaign's start
-- and end dates (Asia/Shanghai). Counting by member, not card, so a person who opened two cards counts once.
with

campaigns as (

    select * from {{ ref('stg_marketing__campaigns') }}
    where is_current
        and campaign_type = 'ACQUISITION'

),

audiences as (

    select * from {{ ref('int_campaign_audiences_resolved') }}
    where is_member_resolved

),

members as (

    select * from {{ ref('stg_crm__members') }}
    where is_current

),

enrolled as (

    select
        audiences.campaign_id,
        audiences.member_id,
        audiences.card_no
    from audiences
    inner join campaigns
        on audiences.campaign_id = campaigns.campaign_id
    inner join members
        on audiences.card_no = members.card_no
    where cast({{ utc_to_shanghai_local('members.enrolled_at') }} as date)
        between campaigns.start_date and campaigns.end_date

),

final as (

    select
        campaigns.campaign_id,
        count(distinct enrolled.member_id) as new_member_count,
        count(distinct enrolled.card_no) as new_card_count
    from campaigns
    left join enrolled
        on campaigns.campaign_id = enrolled.campaign_id
    group by campaigns.campaign_id

)

select * from final
