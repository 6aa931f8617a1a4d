-- The member tag table (playbook 001: raw, rule and model tags): one row per member, tag group and tag, as
-- of the as-of date, for every member the warehouse knows then. Built only from the member-value marts and
-- the member 360, so a tag always agrees with the mart it comes from. Tag groups, their kind (raw = a source
-- attribute, rule = a documented rule over the data, model = a statistical model) and whether a member can
-- hold several tags of the group are listed in seed metric_member_tag_groups. History is not kept here: the
-- monthly marts named in the seed's source_model hold it.
with

months as (

    select * from {{ ref('int_metric_months_spined') }}
    where is_latest_snapshot

),

snapshots as (

    select * from {{ ref('int_member_snapshots_enriched') }}

),

members as (

    select * from {{ ref('dim_members') }}

),

rfm as (

    select * from {{ ref('fct_member_rfm_monthly') }}
    where is_latest_snapshot

),

lifecycle as (

    select * from {{ ref('fct_member_lifecycle_monthly') }}
    where is_latest_snapshot

),

aipl as (

    select * from {{ ref('fct_consumer_aipl_monthly') }}
    where is_latest_snapshot
        and member_id is not null

),

high_value as (

    select * from {{ ref('int_member_high_value_flagged') }}

),

tiers as (

    select * from {{ ref('member_tiers') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

tag_groups as (

    select * from {{ ref('metric_member_tag_groups') }}

),

current_snapshots as (

    select snapshots.*
    from snapshots
    inner join months
        on snapshots.snapshot_month = months.snapshot_month

),

-- one name per banner code: stores of one banner may spell it differently (dimension drift); the name most
-- of its stores carry wins, then the smallest, so the tag's key (member, group, code) stays unique
banner_names_counted as (

    select
        banner_code,
        banner_name,
        row_number() over (
            partition by banner_code
            order by count(*) desc, banner_name asc
        ) as name_rank
    from stores
    group by
        banner_code,
        banner_name

),

banners as (

    select
        banner_code,
        banner_name
    from banner_names_counted
    where name_rank = 1

),

current_high_value as (

    select high_value.*
    from high_value
    inner join months
        on high_value.snapshot_month = months.snapshot_month

),

purchase_channels as (

    {%- for channel in ['POS', 'TMALL', 'JD', 'MINIPROGRAM'] %}

        select
            members.member_id,
            '{{ channel }}' as tag_code,
            -- the value says since when
            cast(members.first_{{ channel | lower }}_purchase_date as {{ dbt.type_string() }}) as tag_value
        from members
        inner join current_snapshots
            on members.member_id = current_snapshots.member_id
        inner join months
            on members.first_{{ channel | lower }}_purchase_date <= months.as_of_date
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

tags as (

    select
        current_snapshots.member_id,
        'loyalty_tier' as tag_group,
        current_snapshots.tier_code as tag_code,
        tiers.tier_name_zh as tag_value
    from current_snapshots
    inner join tiers
        on current_snapshots.tier_code = tiers.tier_code

    union all

    select
        members.member_id,
        'enrol_channel' as tag_group,
        members.enrol_channel as tag_code,
        members.enrol_channel as tag_value
    from members
    inner join current_snapshots
        on members.member_id = current_snapshots.member_id
    where current_snapshots.is_enrolled
        and members.enrol_channel is not null

    union all

    select
        member_id,
        'purchase_channel' as tag_group,
        tag_code,
        tag_value
    from purchase_channels

    union all

    select
        member_id,
        'online_reach' as tag_group,
        'wecom' as tag_code,
        '企微好友' as tag_value
    from current_snapshots
    where has_wecom_contact

    union all

    select
        member_id,
        'online_reach' as tag_group,
        'miniprogram' as tag_code,
        '小程序授权手机号' as tag_value
    from current_snapshots
    where has_authorised_miniprogram_phone

    union all

    select
        current_snapshots.member_id,
        'home_banner' as tag_group,
        current_snapshots.home_banner_code as tag_code,
        banners.banner_name as tag_value
    from current_snapshots
    inner join banners
        on current_snapshots.home_banner_code = banners.banner_code

    union all

    select
        member_id,
        'rfm_segment' as tag_group,
        rfm_segment_code as tag_code,
        rfm_segment_name_zh as tag_value
    from rfm

    {%- for letter in ['r', 'f', 'm'] %}

        union all

        select
            member_id,
            'rfm_score' as tag_group,
            '{{ letter | upper }}' as tag_code,
            cast({{ letter }}_score as {{ dbt.type_string() }}) as tag_value
        from rfm
    {%- endfor %}

    union all

    select
        member_id,
        'lifecycle_stage' as tag_group,
        lifecycle_stage_code as tag_code,
        lifecycle_stage_name_zh as tag_value
    from lifecycle

    union all

    select
        member_id,
        'journey_milestone' as tag_group,
        'day_' || cast(journey_milestone_day as {{ dbt.type_string() }}) as tag_code,
        cast(days_since_first_purchase as {{ dbt.type_string() }}) as tag_value
    from lifecycle
    where journey_milestone_day is not null

    union all

    select
        member_id,
        'repurchase_cycle' as tag_group,
        repurchase_cycle_group_code as tag_code,
        repurchase_cycle_group_name_zh as tag_value
    from lifecycle
    where repurchase_cycle_group_code is not null

    union all

    select
        member_id,
        'first_order_entry' as tag_group,
        first_order_entry_group_code as tag_code,
        first_order_entry_group_name_zh as tag_value
    from lifecycle
    where first_order_entry_group_code is not null

    union all

    select
        member_id,
        'aipl_stage' as tag_group,
        aipl_stage_code as tag_code,
        aipl_stage_name_zh as tag_value
    from aipl

    union all

    select
        member_id,
        'high_value' as tag_group,
        case when is_high_value_by_tier then 'by_tier' else 'by_rfm' end as tag_code,
        '高价值会员' as tag_value
    from current_high_value
    where is_high_value

),

final as (

    select
        tags.member_id,
        tags.tag_group,
        tags.tag_code,
        tags.tag_value,
        tag_groups.tag_kind,
        months.as_of_date,
        {{ identity_run_started_at() }} as computed_at
    from tags
    inner join tag_groups
        on tags.tag_group = tag_groups.tag_group
    cross join months

)

select * from final
