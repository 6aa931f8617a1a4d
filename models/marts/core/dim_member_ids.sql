{#-
    Every member id ever issued with today's member id (issue 18): closed months are frozen as reported, so
    they keep the member ids of their time; BI joins a closed month's member_id here and groups by
    surviving_member_id to roll it up to today's members.
-#}

with

mapped as (

    select * from {{ ref('int_member_ids_mapped') }}

),

final as (

    select
        member_id,
        surviving_member_id,
        is_current,
        retirement_event_type,
        retired_at,
        hop_count
    from mapped

)

select * from final
