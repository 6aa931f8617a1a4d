-- The base_ model skeleton macros (macros/staging/) on hand-made rows: every row returned is a failure.
with

fingerprint_rows as (

    select
        'plain' as case_name,
        'a' as first_value,
        cast(12 as integer) as second_value,
        md5('1:a|2:12') as expected_value
    union all
    select
        'null_is_a_dash' as case_name,
        'a' as first_value,
        cast(null as integer) as second_value,
        md5('1:a|-') as expected_value
    union all
    select
        'empty_text_is_not_null' as case_name,
        '' as first_value,
        cast(null as integer) as second_value,
        md5('0:|-') as expected_value
    union all
    select
        'separator_inside_a_value' as case_name,
        'a|b' as first_value,
        cast(1 as integer) as second_value,
        md5('3:a|b|1:1') as expected_value

),

fingerprint_cases as (

    select
        'row_fingerprint_' || case_name as case_name,
        {{ row_fingerprint(['first_value', 'second_value']) }} as actual_value,
        expected_value
    from fingerprint_rows
    union all
    -- the length prefix keeps ('a|b', 'c') and ('a', 'b|c') apart
    select
        'row_fingerprint_unambiguous' as case_name,
        cast(
            {{ row_fingerprint(["'a|b'", "'c'"]) }} = {{ row_fingerprint(["'a'", "'b|c'"]) }}
            as varchar
        ) as actual_value,
        'false' as expected_value

),

quarantine_rows as (

    -- one natural key per letter; expected reasons without versions, latest by extract, latest by update
    select
        hand_made.row_id,
        hand_made.key_id,
        hand_made._row_issue,
        hand_made._row_fingerprint,
        hand_made._source_file,
        hand_made.updated_at,
        hand_made.expected_copies,
        hand_made.expected_by_extract,
        hand_made.expected_by_update,
        cast(hand_made.extracted_on as timestamp) as _extracted_at
    from (
        values
        ('r1', 'K1', null, 'A', '2025-01-01', 'a', 1, null, 'superseded_version', 'superseded_version'),
        -- a re-send of r1: same content, later extract
        ('r2', 'K1', null, 'A', '2025-01-02', 'a', 1, 'duplicate_row', 'duplicate_row', 'duplicate_row'),
        ('r3', 'K1', null, 'B', '2025-01-03', 'a', 2, null, null, null),
        -- a row with an issue keeps it and is no copy of anything (r3 stays the first copy of B)
        ('r4', 'K1', 'invalid_code', 'B', '2024-12-31', 'a', 2, 'invalid_code', 'invalid_code', 'invalid_code'),
        -- same extract: the first file is the copy kept
        ('r5', 'K2', null, 'C', '2025-01-01', 'b', 1, 'duplicate_row', 'duplicate_row', 'duplicate_row'),
        ('r6', 'K2', null, 'C', '2025-01-01', 'a', 1, null, null, null),
        -- an old version (earlier update) extracted last: superseded by update time, latest by extract time
        ('r7', 'K3', null, 'D', '2025-01-01', 'a', 2, null, 'superseded_version', null),
        ('r8', 'K3', null, 'E', '2025-01-02', 'a', 1, null, null, 'superseded_version')
    ) as hand_made (
        row_id, key_id, _row_issue, _row_fingerprint, extracted_on, _source_file, updated_at,
        expected_copies, expected_by_extract, expected_by_update
    )

),

copies_quarantined as (

    {{ quarantine_duplicates('quarantine_rows', ['key_id']) }}

),

latest_by_extract_quarantined as (

    {{ quarantine_duplicates('quarantine_rows', ['key_id'], latest_version_by=['_extracted_at']) }}

),

latest_by_update_quarantined as (

    {{ quarantine_duplicates('quarantine_rows', ['key_id'], latest_version_by=['updated_at', '_extracted_at']) }}

),

quarantine_cases as (

    select
        'quarantine_duplicates_copies_' || row_id as case_name,
        _quarantine_reason as actual_value,
        expected_copies as expected_value
    from copies_quarantined
    union all
    select
        'quarantine_duplicates_latest_by_extract_' || row_id as case_name,
        _quarantine_reason as actual_value,
        expected_by_extract as expected_value
    from latest_by_extract_quarantined
    union all
    select
        'quarantine_duplicates_latest_by_update_' || row_id as case_name,
        _quarantine_reason as actual_value,
        expected_by_update as expected_value
    from latest_by_update_quarantined
    union all
    -- every row comes out once per call
    select
        'quarantine_duplicates_row_count' as case_name,
        cast(count(*) as varchar) as actual_value,
        '24' as expected_value
    from (
        select row_id from copies_quarantined
        union all
        select row_id from latest_by_extract_quarantined
        union all
        select row_id from latest_by_update_quarantined
    ) as all_rows

),

version_rows as (

    -- a dimension's rows after quarantine: expected valid_from / valid_to / is_current
    select
        hand_made.row_id,
        hand_made.key_id,
        hand_made._quarantine_reason,
        hand_made._row_fingerprint,
        hand_made.expected_interval,
        cast(hand_made.updated_on as timestamp) as updated_at,
        cast(hand_made.extracted_on as timestamp) as _extracted_at
    from (
        values
        ('v1', 'K1', null, 'A', '2025-01-01', '2025-01-05', '2025-01-01 00:00:00 / 2025-01-03 00:00:00 / false'),
        ('v2', 'K1', null, 'B', '2025-01-03', '2025-01-04', '2025-01-03 00:00:00 / null / true'),
        -- quarantined rows are no version and do not cut the interval of v1
        ('v3', 'K1', 'duplicate_row', 'C', '2025-01-02', '2025-01-05', 'null / null / null'),
        -- the same update time: ordered by extract time
        ('v4', 'K2', null, 'D', '2025-01-01', '2025-01-01', '2025-01-01 00:00:00 / 2025-01-01 00:00:00 / false'),
        ('v5', 'K2', null, 'E', '2025-01-01', '2025-01-02', '2025-01-01 00:00:00 / null / true')
    ) as hand_made (
        row_id, key_id, _quarantine_reason, _row_fingerprint, updated_on, extracted_on, expected_interval
    )

),

versions_intervals as (

    {{ validity_intervals('version_rows', ['key_id']) }}

),

interval_cases as (

    select
        'validity_intervals_' || row_id as case_name,
        coalesce(cast(valid_from as varchar), 'null')
        || ' / ' || coalesce(cast(valid_to as varchar), 'null')
        || ' / ' || coalesce(cast(is_current as varchar), 'null') as actual_value,
        expected_interval as expected_value
    from versions_intervals
    union all
    select
        'validity_intervals_row_count' as case_name,
        cast(count(*) as varchar) as actual_value,
        '5' as expected_value
    from versions_intervals

),

final as (

    select *
    from fingerprint_cases
    where actual_value is distinct from expected_value
    union all
    select *
    from quarantine_cases
    where actual_value is distinct from expected_value
    union all
    select *
    from interval_cases
    where actual_value is distinct from expected_value

)

select * from final
