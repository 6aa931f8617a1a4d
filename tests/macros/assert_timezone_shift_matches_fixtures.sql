-- shanghai_local_to_utc() and utc_to_shanghai_local() against seeds/macro_fixtures/timezone_cases.csv, in
-- both directions, from timestamps and from text.
with

cases as (

    select
        case_name,
        cast(shanghai_local as timestamp) as shanghai_local,
        cast(utc as timestamp) as utc,
        shanghai_local as shanghai_local_text
    from {{ ref('timezone_cases') }}

),

actuals as (

    select
        case_name,
        shanghai_local,
        utc,
        {{ shanghai_local_to_utc('shanghai_local') }} as actual_utc,
        {{ shanghai_local_to_utc('shanghai_local_text') }} as actual_utc_from_text,
        {{ utc_to_shanghai_local('utc') }} as actual_shanghai_local
    from cases

),

final as (

    select *
    from actuals
    where
        actual_utc is distinct from utc
        or actual_utc_from_text is distinct from utc
        or actual_shanghai_local is distinct from shanghai_local
        or lower(typeof(actual_utc)) <> 'timestamp'
        or lower(typeof(actual_shanghai_local)) <> 'timestamp'

)

select * from final
