-- epoch_ms_to_utc() and epoch_s_to_utc() against seeds/macro_fixtures/epoch_cases.csv (bigint input; the
-- result must be a timestamp without zone).
with

cases as (

    select
        case_name,
        unit,
        cast(input as bigint) as epoch_value,
        cast(expected_utc as timestamp) as expected_utc
    from {{ ref('epoch_cases') }}

),

actuals as (

    select
        case_name,
        unit,
        epoch_value,
        expected_utc,
        case
            when unit = 'ms' then {{ epoch_ms_to_utc('epoch_value') }}
            when unit = 's' then {{ epoch_s_to_utc('epoch_value') }}
        end as actual_utc,
        lower(typeof({{ epoch_ms_to_utc('epoch_value') }})) as ms_result_type,
        lower(typeof({{ epoch_s_to_utc('epoch_value') }})) as s_result_type
    from cases

),

final as (

    select *
    from actuals
    where
        actual_utc is distinct from expected_utc
        or ms_result_type <> 'timestamp'
        or s_result_type <> 'timestamp'

)

select * from final
