-- A member holds at most one tag of a tag group that seed metric_member_tag_groups declares single-valued.
with

tags as (

    select * from {{ ref('fct_member_tags') }}

),

tag_groups as (

    select * from {{ ref('metric_member_tag_groups') }}

),

violations as (

    select
        tags.member_id,
        tags.tag_group,
        count(*) as tag_count
    from tags
    inner join tag_groups
        on tags.tag_group = tag_groups.tag_group
    where not tag_groups.is_multi_valued
    group by tags.member_id, tags.tag_group
    having count(*) > 1

)

select * from violations
