-- Today's activation list (grain: activation_date, member_id, trigger_code): each trigger of
-- int_member_activation_triggers_flagged with the channel the member may be contacted on now, chosen in the
-- order WeCom guide (1:1, no send cost) > mini-program subscription message > SMS, among the channels where
-- the member consented at the run instant AND can technically be reached (a guide friendship, an openid, a
-- phone). Staff, test and erased members and members with no consented reachable channel are left out; the
-- lists `omniwh activate` writes are this table split by channel. No masked phone: BI reads this mart in the
-- serving snapshot, and a mask is unique per member; the export reads it from int_member_contacts_resolved.
with

triggers as (

    select * from {{ ref('int_member_activation_triggers_flagged') }}

),

contacts as (

    select * from {{ ref('int_member_contacts_resolved') }}
    where exclusion_reason is null

),

channelled as (

    select
        triggers.activation_date,
        triggers.member_id,
        triggers.trigger_code,
        triggers.trigger_anchor,
        case
            when contacts.has_wecom_consent and contacts.has_wecom_guide then 'WECOM'
            when contacts.has_miniprogram_consent and contacts.has_miniprogram_openid then 'MINIPROGRAM'
            when contacts.has_sms_consent and contacts.has_mobile_number then 'SMS'
        end as channel,
        contacts.guide_staff_id,
        contacts.store_id,
        contacts.store_source,
        contacts.phone_hash,
        contacts.consent_checked_at
    from triggers
    inner join contacts
        on triggers.member_id = contacts.member_id

),

final as (

    select * from channelled
    where channel is not null

)

select * from final
