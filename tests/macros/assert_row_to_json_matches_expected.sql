-- row_to_json() on a row with one column of each kind the quarantine payloads carry.
with

sample_row as (

    select
        1 as member_id,
        'a "quoted" 名字' as note,
        cast(null as varchar) as missing,
        cast(12.5 as decimal(18, 2)) as amount,
        cast('2025-03-01' as date) as order_date,
        cast('2025-03-01 10:00:00' as timestamp) as ordered_at,
        true as is_member

),

actual as (

    select {{ row_to_json('sample_row') }} as payload
    from sample_row

),

expected as (

    select
        '{"member_id":1,"note":"a \"quoted\" 名字","missing":null,"amount":12.50,'
        || '"order_date":"2025-03-01","ordered_at":"2025-03-01 10:00:00","is_member":true}' as payload

),

final as (

    select
        actual.payload as actual_payload,
        expected.payload as expected_payload
    from actual
    cross join expected
    where
        actual.payload is distinct from expected.payload
        or lower(typeof(actual.payload)) <> 'varchar'

)

select * from final
