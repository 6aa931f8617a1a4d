{#-
    Incremental base models: read only the landing files of the last loads, deduplicate them exactly against
    the rows already landed, replace what changed. See DECISIONS.md, "Incremental runs and backfills".

    A base model keeps EVERY landed row with its _quarantine_reason. In an incremental run:
    1. landing_source() reads only the files whose load date (`part-<YYYYMMDD>` in the name, docs/
       landing_contract.md) is on or after the window start's day minus one (the window: the latest
       _extracted_at of the table minus incremental_lookback_days, or var backfill_from), plus the files of
       rows that a recent erasure request now matches (erasure sweep, below). Files named otherwise are always
       read. Selecting files by name lets DuckDB open only those files: with union_by_name every file of a glob
       is opened to read its header, which costs more than reading a day's rows.
    2. landed_rows_with_previous() adds to the re-read rows the rows already in the table for the same natural
       keys (from other files), with their row-level issue, so that duplicate_row (same content as an earlier
       copy) and superseded_version (an older version of the key) are decided over all copies and versions of
       the key, exactly as a full build decides them.
    3. The replace_landed_rows strategy deletes every row of those keys and the key-less rows of the re-read
       files, and inserts the batch.

    Erasure sweep: a request on the erasure list (seed erasure_requests) with requested_on on or after the
    window's first day makes the run re-read every file holding a row whose stored identifier matches it
    (keyed hashes of the table's distinct identifier values; only on those days), so the rows are dropped or
    anonymised as in a full build, and the order models recompute the orders that carried them.
-#}

{#- The window start as a literal timestamp text, computed before the model's query. -#}
{% macro landing_window_start() -%}
    {{ return(incremental_window_start_literal('_extracted_at')) }}
{%- endmacro %}


{#- 'YYYY-MM-DD' of the first day whose requests and load files an incremental run handles. -#}
{% macro landing_window_first_day(window_start) -%}
    {%- set query -%}
        select cast(cast({{ dbt.dateadd('day', -1, "cast('" ~ window_start ~ "' as timestamp)") }} as date)
            as {{ dbt.type_string() }})
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
{%- endmacro %}


{#-
    The source relation of a base model: the whole landing glob in a full build, only the files of the
    incremental window (and of the erasure sweep) in an incremental run.
    erasure_identifiers: {identifier type: stored column of this model holding it, normalised as the
    erasure list hashes it}, e.g. {'card_no': 'card_no', 'phone': 'phone'}; none for tables without personal
    identifiers.
-#}
{% macro landing_source(source_name, table_name, erasure_identifiers=none) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set rendered = relation | string -%}
    {%- set glob_match = modules.re.search("^(read_\\w+)\\('([^']*\\*[^']*)'(.*)$", rendered.strip(), modules.re.S) -%}
    {%- if not (execute and is_incremental()) or glob_match is none -%}
        {#- full build, or a unit test (the source is a fixture) -#}
        {{ return(relation) }}
    {%- endif -%}
    {%- set reader, pattern, options = glob_match.group(1), glob_match.group(2), glob_match.group(3) -%}
    {%- set first_day = landing_window_first_day(landing_window_start()) -%}
    {%- set swept = erasure_matched('_source_file', erasure_identifiers, first_day) -%}
    {%- set query -%}
        with landed as (
            select
                file,
                regexp_extract(file, '/part-([0-9]{8})[^/]*$', 1) as load_day
            from glob({{ sql_string_literal(pattern) }})
        )
        select file from landed
        where load_day = '' or load_day >= '{{ first_day | replace('-', '') }}'
        {%- if swept %}
            or exists (
                select 1 from ({{ swept }}) as swept
                where suffix(landed.file, '/' || swept._source_file)
            )
        {%- endif %}
        order by file
    {%- endset -%}
    {%- set files = run_query(query).columns[0].values() -%}
    {%- set nothing_new = files | length == 0 -%}
    {%- if nothing_new -%}
        {#- nothing new: one file gives the columns, no row is read -#}
        {%- set latest = run_query(
            "select max(file) from glob(" ~ sql_string_literal(pattern) ~ ")"
        ).columns[0].values()[0] -%}
        {%- if latest is none -%}
            {{ exceptions.raise_compiler_error(
                "landing table " ~ source_name ~ "." ~ table_name ~ " (model " ~ this.identifier ~ "): no file matches "
                ~ pattern ~ "; check OMNI_LANDING_PATH (now '" ~ env_var('OMNI_LANDING_PATH', 'unset')
                ~ "') and run the preflight: python -m omniwh.landing_check --landing <path>"
            ) }}
        {%- endif -%}
        {%- set files = [latest] -%}
    {%- endif -%}
    {#-
        File names become SQL text here: each must have the documented name (omniwh/landing_check.py,
        SAFE_FILE_NAME, which the preflight enforces) and is quoted as a literal anyway; a name with glob
        characters would also be expanded by the reader, so anything else stops the run.
    -#}
    {%- set quoted = [] -%}
    {%- for file in files -%}
        {%- if not modules.re.fullmatch("[^'*?\\[\\]{}]*/part-[0-9]{8}([-_][A-Za-z0-9_-]*)?\\.(csv|parquet)", file) -%}
            {{ exceptions.raise_compiler_error(
                "landing file " ~ (file | tojson) ~ " does not have the documented name part-<YYYYMMDD>[-<suffix>]."
                ~ "<csv|parquet>: run the preflight (python -m omniwh.landing_check), which moves it to _rejected/"
            ) }}
        {%- endif -%}
        {%- do quoted.append(sql_string_literal(file)) -%}
    {%- endfor -%}
    {%- if nothing_new -%}
        {{ return("(select * from " ~ reader ~ "([" ~ quoted[0] ~ "]" ~ options ~ " where 1 = 0)") }}
    {%- endif -%}
    {{ return(reader ~ "([" ~ quoted | join(', ') ~ "]" ~ options) }}
{%- endmacro %}


{#-
    SQL listing `select_column` (distinct) of every row of this model holding an identifier that an erasure
    request dated on or after first_day matches; none when no such request exists (the usual day).
    erasure_identifiers: {identifier type: column of this model holding it, normalised as the list hashes it}.
-#}
{% macro erasure_matched(select_column, erasure_identifiers, first_day) -%}
    {%- if not erasure_identifiers -%}{{ return(none) }}{%- endif -%}
    {%- set requests = ref('erasure_requests') -%}
    {%- set recent -%}
        select count(*) from {{ requests }} where requested_on >= cast('{{ first_day }}' as date)
    {%- endset -%}
    {%- if run_query(recent).columns[0].values()[0] == 0 -%}{{ return(none) }}{%- endif -%}
    {%- set parts = [] -%}
    {%- for identifier_type, column in erasure_identifiers.items() -%}
        {%- set part -%}
            select distinct previous.{{ select_column }}
            from {{ this }} as previous
            where previous.{{ column }} in (
                    select distinct_values.identifier_value
                    from (
                        select distinct {{ column }} as identifier_value
                        from {{ this }}
                        where {{ column }} is not null
                    ) as distinct_values
                    inner join {{ requests }} as erasure_requests
                        on erasure_requests.identifier_type = '{{ identifier_type }}'
                        and erasure_requests.requested_on >= cast('{{ first_day }}' as date)
                        and erasure_requests.identifier_hash
                        = {{ erasure_hash("'" ~ identifier_type ~ "'", 'distinct_values.identifier_value') }}
                )
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endfor -%}
    {{ return(parts | join('\nunion\n')) }}
{%- endmacro %}


{#-
    Keys of this incremental model whose stored identifiers a recent erasure request matches (erasure
    sweep of the order models), as SQL selecting one column; a query returning no row on the usual day.
    Only in an incremental run.
-#}
{% macro erasure_swept_keys(key, erasure_identifiers, window_column='_last_extracted_at') -%}
    {%- if this is string -%}
        {#- a dbt unit test: `this` is a fixture, there is no table to sweep -#}
        {{ return("select " ~ key ~ " from " ~ this ~ " where 1 = 0") }}
    {%- endif -%}
    {%- set first_day = landing_window_first_day(incremental_window_start_literal(window_column)) -%}
    {%- set matched = erasure_matched(key, erasure_identifiers, first_day) -%}
    {%- if matched -%}
        {{ return(matched) }}
    {%- endif -%}
    {{ return("select " ~ key ~ " from " ~ this ~ " where 1 = 0") }}
{%- endmacro %}


{#-
    The re-read rows of a base model (the CTE `new_rows`, after its row checks, with `_row_issue`) plus the
    rows already in the table for the same natural keys that come from files not re-read, with their stored
    row-level issue back in `_row_issue` (duplicate_row and superseded_version are recomputed over all of
    them). Only in an incremental run.
-#}
{% macro landed_rows_with_previous(new_rows, key_columns) -%}
    {{ return(adapter.dispatch('landed_rows_with_previous', 'omnichannel_member_warehouse')(new_rows, key_columns)) }}
{%- endmacro %}

{% macro duckdb__landed_rows_with_previous(new_rows, key_columns) -%}
    select * from {{ new_rows }}
    -- by name: the stored rows carry the final columns, the re-read rows the columns of the row checks
    union all by name
    select
        previous.* exclude (_quarantine_reason),
        case
            when previous._quarantine_reason in ('duplicate_row', 'superseded_version') then null
            else previous._quarantine_reason
        end as _row_issue
    from {{ this }} as previous
    where exists (
            select 1 from {{ new_rows }} as landed
            where
            {%- for key in key_columns %}
                landed.{{ key }} = previous.{{ key }}{{ ' and' if not loop.last }}
            {%- endfor %}
        )
        and not exists (
            select 1 from {{ new_rows }} as landed
            where landed._source_file = previous._source_file
        )
{%- endmacro %}

{% macro default__landed_rows_with_previous(new_rows, key_columns) -%}
    {{ exceptions.raise_compiler_error(
        "Incremental base models read the landing files through dbt-duckdb; on " ~ target.type
        ~ " build them with --full-refresh, or give the sources real tables and port this macro.") }}
{%- endmacro %}


{#-
    Incremental strategy `replace_landed_rows` (base models; unique_key = the natural key columns): deletes
    every row of each key in the batch and every row of the re-read files that hold a row without a complete
    key (missing_key, erased tombstones); inserts the batch.
-#}
{% macro get_incremental_replace_landed_rows_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set keys = arg_dict['unique_key'] -%}
    {%- set keys = [keys] if keys is string else keys -%}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set key_missing -%}
        ({% for key in keys %}{{ key }} is null{{ ' or ' if not loop.last }}{% endfor %})
    {%- endset %}

    delete from {{ target }}
    where exists (
            select 1 from {{ source }} as batch
            where
            {%- for key in keys %}
                batch.{{ key }} = {{ target }}.{{ key }}{{ ' and' if not loop.last }}
            {%- endfor %}
        )
        -- files with a key-less row in the batch are re-read files (rows kept from the table always have
        -- their key): all their rows go, so a row an erasure turned into a key-less tombstone leaves no copy
        or _source_file in (select _source_file from {{ source }} where {{ key_missing }});

    insert into {{ target }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }}
    from {{ source }}
{%- endmacro %}
