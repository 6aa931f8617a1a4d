-- Every audience recipient is in the campaign's target list, targetable or with a reason: per campaign, the
-- list has one row per member with an audience card plus one per audience card that belongs to no member
-- (int_campaign_audiences_resolved), and nobody else. Returns the campaigns where the counts differ.
with

audiences as (

    select * from {{ ref('int_campaign_audiences_resolved') }}

),

target_list as (

    select * from {{ ref('fct_campaign_target_list') }}

),

expected as (

    select
        campaign_id,
        count(distinct member_id) + count(case when member_id is null then 1 end) as recipient_count
    from audiences
    group by campaign_id

),

listed as (

    select
        campaign_id,
        count(*) as recipient_count
    from target_list
    group by campaign_id

),

final as (

    select
        coalesce(expected.campaign_id, listed.campaign_id) as campaign_id,
        expected.recipient_count as expected_recipient_count,
        listed.recipient_count as listed_recipient_count
    from expected
    full outer join listed
        on expected.campaign_id = listed.campaign_id
    where coalesce(expected.recipient_count, -1) <> coalesce(listed.recipient_count, -1)

)

select * from final
