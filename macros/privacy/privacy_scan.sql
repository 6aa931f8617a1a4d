{#-
    Privacy scan of the published layer (PIPL: marts carry pseudonyms and masked values, never clear personal
    data). Used by tests/privacy/assert_privacy_no_clear_identifiers_in_marts.sql; documented in
    macros/privacy/privacy_scan_macros.yml and docs/data_protection.md.

    privacy_scan_marts() compiles, at execution time, one query that
      1. collects the CLEAR IDENTIFIERS of this warehouse: every distinct value of every column tagged `pii`
         in the staging and intermediate models upstream of the test (only an upstream model can leak into a
         mart), except the columns in `exclude_columns`;
      2. reads EVERY column of EVERY relation in the marts schema(s) (listed from the catalog, so a table
         created outside dbt is scanned too), cast to text, and cuts each distinct value into tokens;
      3. returns one row per (relation, column, kind of match) with the number of distinct offending values,
         never the values themselves, so that a failing test prints and stores nothing personal.
    Kinds of match: `clear_identifier` (a whole value or a token equals a clear identifier; the label names
    the pii column it came from), `mobile_number` (a token is an 11-digit mainland mobile, optionally after
    86) and `formatted_mobile_number` (a value contains a mobile written with spaces or dashes).
    Form and provenance (no false alarm on common words): an identifier of ID FORM (6+ characters of
    [0-9A-Za-z_-]: phones, card numbers, openids, unionids, buyer ids) is matched against every token of every
    column. A FREE-TEXT identifier (a name, a nickname: anything else) is matched only against tokens of text
    columns, never against numbers (an amount of 100 is not the nickname "100"), and not at all when the same
    value is also a value of a non-personal column of an upstream stg_ model (a city 上海, a banner name, a
    channel code SMS: a common word that someone chose as a nickname is still a common word). A purely
    numeric identifier shorter than 6 digits identifies nobody and is ignored.
-#}

{#- Schemas (as built) of the enabled models under models/<folder>/, e.g. folder 'marts' -#}
{% macro privacy_scan_folder_schemas(folder) -%}
    {%- set schemas = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.fqn | length > 2 and node.fqn[1] == folder
                and node.schema not in schemas -%}
            {%- do schemas.append(node.schema) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(schemas | sort) }}
{%- endmacro %}


{#- unique_ids of every node upstream of `node` (breadth-first over depends_on; the DAG is acyclic) -#}
{% macro privacy_scan_ancestors(node) -%}
    {%- set state = namespace(frontier=node.depends_on.nodes | list, seen=[]) -%}
    {#- a path longer than the number of nodes cannot exist, so this many rounds always reach the roots -#}
    {%- for _ in range(graph.nodes | length + 1) if state.frontier | length > 0 -%}
        {%- set next_frontier = [] -%}
        {%- for unique_id in state.frontier if unique_id not in state.seen -%}
            {%- do state.seen.append(unique_id) -%}
            {%- set parent = graph.nodes.get(unique_id) -%}
            {%- if parent is not none -%}
                {%- do next_frontier.extend(parent.depends_on.nodes) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set state.frontier = next_frontier -%}
    {%- endfor -%}
    {{ return(state.seen) }}
{%- endmacro %}


{#- True when a documented column is tagged personal (tag `pii` or meta `pii: true`) -#}
{% macro privacy_scan_is_pii_column(column) -%}
    {%- set meta = column.meta or {} -%}
    {%- set config_meta = (column.config or {}).get('meta') or {} -%}
    {{ return('pii' in (column.tags or []) or meta.get('pii', false) or config_meta.get('pii', false)) }}
{%- endmacro %}


{#- Relation names in `schema` of the target database, from the catalog (tables and views) -#}
{% macro privacy_scan_list_relations(schema) -%}
    {{ return(adapter.dispatch('privacy_scan_list_relations', 'omnichannel_member_warehouse')(schema)) }}
{%- endmacro %}

{% macro default__privacy_scan_list_relations(schema) -%}
    {%- set result = run_query('show tables in ' ~ schema) -%}
    {%- set relations = [] -%}
    {%- for row in result.rows if not row['isTemporary'] -%}
        {%- do relations.append(api.Relation.create(schema=schema, identifier=row['tableName'])) -%}
    {%- endfor -%}
    {{ return(relations) }}
{%- endmacro %}

{% macro duckdb__privacy_scan_list_relations(schema) -%}
    {%- set query -%}
        select table_name
        from information_schema.tables
        where table_catalog = '{{ target.database }}'
            and table_schema = '{{ schema }}'
        order by table_name
    {%- endset -%}
    {%- set relations = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- do relations.append(api.Relation.create(database=target.database, schema=schema, identifier=row[0])) -%}
    {%- endfor -%}
    {{ return(relations) }}
{%- endmacro %}


{#- One row per piece of `expr` split on the regular expression `pattern` (a select-list expression) -#}
{% macro privacy_scan_split_to_rows(expr, pattern) -%}
    {{ return(adapter.dispatch('privacy_scan_split_to_rows', 'omnichannel_member_warehouse')(expr, pattern)) }}
{%- endmacro %}

{% macro default__privacy_scan_split_to_rows(expr, pattern) -%}
    explode(split({{ expr }}, '{{ pattern }}'))
{%- endmacro %}

{% macro duckdb__privacy_scan_split_to_rows(expr, pattern) -%}
    unnest(string_split_regex({{ expr }}, '{{ pattern }}'))
{%- endmacro %}


{#-
    The scan query (see the header). Arguments:
    folder                 model folder whose schemas are scanned ('marts')
    exclude_columns        pii columns whose values are NOT used as clear identifiers, because marts may
                           legitimately hold equal values: masked_phone (masking is the published form),
                           birthday (a calendar date equal to some order date is no leak), raw_record and
                           natural_key (the quarantine list's JSON rows and keys of every table, order ids
                           included)
    min_identifier_length  clear identifiers shorter than this are ignored (a 2-character Chinese name is kept)
    skip_types             column types that cannot hold an identifier (prefix match, upper case)
    fractional_types       numeric types scanned by their integer part only: the fractional digits of an
                           average (215.15739285714) would otherwise look like a mobile number
-#}
{% macro privacy_scan_marts(
    folder='marts',
    exclude_columns=['masked_phone', 'birthday', 'raw_record', 'natural_key'],
    min_identifier_length=2,
    skip_types=['BOOLEAN', 'DATE', 'TIMESTAMP', 'TIME', 'INTERVAL'],
    fractional_types=['DOUBLE', 'FLOAT', 'REAL', 'DECIMAL', 'NUMERIC']
) -%}
    {#- the scan reads the catalog and the data, so it is built only when tests execute; parse, compile,
        docs and the sqlfluff templater get a stand-in with the same columns that creates and reads nothing -#}
    {%- if not (execute and flags.WHICH in ('test', 'build', 'retry')) -%}
        {{ return(
            "select cast(null as " ~ dbt.type_string() ~ ") as relation_name, cast(null as " ~ dbt.type_string()
            ~ ") as column_name, cast(null as " ~ dbt.type_string() ~ ") as match_kind, cast(null as "
            ~ dbt.type_string() ~ ") as identifier_source, 0 as matched_value_count where 1 = 0"
        ) }}
    {%- endif -%}

    {%- do privacy_scan_require_folder_dependencies(folder) -%}

    {#- 1. clear identifiers: pii columns of upstream staging and intermediate models -#}
    {%- set identifier_selects = [] -%}
    {%- for unique_id in privacy_scan_ancestors(model) | sort -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node is not none and node.resource_type == 'model' and node.fqn | length > 2
                and node.fqn[1] in ['staging', 'intermediate'] and node.config.materialized != 'ephemeral' -%}
            {%- for column_name, column in node.columns.items() | sort
                    if column_name not in exclude_columns and privacy_scan_is_pii_column(column) -%}
                {%- do identifier_selects.append(
                    "select cast(" ~ adapter.quote(column_name) ~ " as " ~ dbt.type_string() ~ ") as identifier, '"
                    ~ node.name ~ "." ~ column_name ~ "' as identifier_source from " ~ node.relation_name
                ) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not identifier_selects -%}
        {{ exceptions.raise_compiler_error(model.name ~ ': no pii-tagged column upstream; nothing to scan against') }}
    {%- endif -%}

    {#- 1b. public words: values of the documented non-personal columns of upstream stg_ models -#}
    {%- set public_selects = [] -%}
    {%- for unique_id in privacy_scan_ancestors(model) | sort -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node is not none and node.resource_type == 'model' and node.fqn | length > 2
                and node.fqn[1] == 'staging' and node.name.startswith('stg_')
                and node.config.materialized != 'ephemeral' -%}
            {%- for column_name, column in node.columns.items() | sort
                    if not column_name.startswith('_') and not privacy_scan_is_pii_column(column) -%}
                {%- do public_selects.append(
                    "select cast(" ~ adapter.quote(column_name) ~ " as " ~ dbt.type_string() ~ ") as public_value from "
                    ~ node.relation_name
                ) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not public_selects -%}
        {%- do public_selects.append("select cast(null as " ~ dbt.type_string() ~ ") as public_value") -%}
    {%- endif -%}

    {#- 2. every scannable column of every relation in the scanned schemas -#}
    {%- set value_selects = [] -%}
    {%- for schema in privacy_scan_folder_schemas(folder) -%}
        {%- for relation in privacy_scan_list_relations(schema) -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- set dtype = column.dtype | upper -%}
                {%- set ns = namespace(skip=false, fractional=false) -%}
                {%- for prefix in skip_types if dtype.startswith(prefix) -%}{%- set ns.skip = true -%}{%- endfor -%}
                {%- for prefix in fractional_types if dtype.startswith(prefix) -%}
                    {%- set ns.fractional = true -%}
                {%- endfor -%}
                {%- set value = adapter.quote(column.name) -%}
                {%- set is_text = dtype.startswith('VARCHAR') or dtype.startswith('TEXT') or dtype.startswith('STRING')
                    or dtype.startswith('CHAR') -%}
                {%- if ns.fractional -%}
                    {%- set value = try_cast_or_null('floor(' ~ value ~ ')', 'bigint') -%}
                {%- endif -%}
                {%- if not ns.skip -%}
                    {%- do value_selects.append(
                        "select '" ~ schema ~ "." ~ relation.identifier ~ "' as relation_name, '" ~ column.name
                        ~ "' as column_name, " ~ ('true' if is_text else 'false') ~ " as is_text_column, cast("
                        ~ value ~ " as " ~ dbt.type_string() ~ ") as cell_value from " ~ relation
                    ) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not value_selects -%}
        {{ exceptions.raise_compiler_error(model.name ~ ': no relation found in the ' ~ folder ~ ' schemas') }}
    {%- endif -%}

with

identifier_values as (

    {{ identifier_selects | join('\n    union all\n    ') }}

),

identifiers_formed as (

    select
        identifier,
        min(identifier_source) as identifier_source,
        {{ regexp_full_match('identifier', '[0-9A-Za-z_-]{6,}') }} as is_id_form
    from identifier_values
    where identifier is not null
        and length(identifier) >= {{ min_identifier_length }}
        -- a number of fewer than 6 digits identifies nobody
        and not {{ regexp_full_match('identifier', '[0-9]{1,5}') }}
    group by identifier

),

public_values as (

    {{ public_selects | join('\n    union all\n    ') }}

),

-- free-text identifiers that are also a non-personal value upstream: common words, not identifiers
common_words as (

    select distinct identifiers_formed.identifier
    from identifiers_formed
    inner join public_values
        on identifiers_formed.identifier = public_values.public_value
    where not identifiers_formed.is_id_form

),

clear_identifiers as (

    select
        identifiers_formed.identifier,
        identifiers_formed.identifier_source,
        identifiers_formed.is_id_form
    from identifiers_formed
    left join common_words
        on identifiers_formed.identifier = common_words.identifier
    where common_words.identifier is null

),

mart_values as (

    {{ value_selects | join('\n    union all\n    ') }}

),

distinct_values as (

    select distinct
        relation_name,
        column_name,
        is_text_column,
        cell_value
    from mart_values
    where cell_value is not null

),

-- a value, its pieces between characters that never occur in ids (ids keep `_` and `-`), and its
-- alphanumeric pieces (a phone written as `tel:13812345678` or inside a sentence)
token_rows as (

    select
        relation_name,
        column_name,
        is_text_column,
        cell_value as token
    from distinct_values

    union all

    select
        relation_name,
        column_name,
        is_text_column,
        {{ privacy_scan_split_to_rows('cell_value', '[^0-9A-Za-z_-]+') }} as token
    from distinct_values

    union all

    select
        relation_name,
        column_name,
        is_text_column,
        {{ privacy_scan_split_to_rows('cell_value', '[^0-9A-Za-z]+') }} as token
    from distinct_values

),

tokens as (

    select distinct
        relation_name,
        column_name,
        is_text_column,
        token
    from token_rows
    where token <> ''

),

identifier_matches as (

    select
        tokens.relation_name,
        tokens.column_name,
        'clear_identifier' as match_kind,
        clear_identifiers.identifier_source,
        count(distinct tokens.token) as matched_value_count
    from tokens
    inner join clear_identifiers
        on tokens.token = clear_identifiers.identifier
    -- free-text identifiers (names, nicknames) only in text columns
    where clear_identifiers.is_id_form or tokens.is_text_column
    group by
        tokens.relation_name,
        tokens.column_name,
        clear_identifiers.identifier_source

),

-- a whole alphanumeric token, so that the digits inside a 64-character hex digest never count
mobile_matches as (

    select
        relation_name,
        column_name,
        'mobile_number' as match_kind,
        cast(null as {{ dbt.type_string() }}) as identifier_source,
        count(distinct token) as matched_value_count
    from tokens
    where {{ regexp_full_match('token', '(86)?1[3-9][0-9]{9}') }}
    group by
        relation_name,
        column_name

),

formatted_mobile_matches as (

    select
        relation_name,
        column_name,
        'formatted_mobile_number' as match_kind,
        cast(null as {{ dbt.type_string() }}) as identifier_source,
        count(distinct cell_value) as matched_value_count
    from distinct_values
    where {{ regexp_contains('cell_value', '(^|[^0-9])1[3-9][0-9][ -][0-9]{4}[ -][0-9]{4}([^0-9]|$)') }}
    group by
        relation_name,
        column_name

),

final as (

    select * from identifier_matches
    union all
    select * from mobile_matches
    union all
    select * from formatted_mobile_matches

)

select * from final
{%- endmacro %}


{#- A scan test must run after every model of the folder: it names each one in a depends_on comment. -#}
{% macro privacy_scan_require_folder_dependencies(folder) -%}
    {%- set missing = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.fqn | length > 2 and node.fqn[1] == folder
                and node.unique_id not in model.depends_on.nodes -%}
            {%- do missing.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ' must depend on every ' ~ folder ~ ' model (it scans them after they are built); add a'
            ~ ' depends_on comment with ref() for: ' ~ (missing | sort | join(', '))
        ) }}
    {%- endif -%}
{%- endmacro %}


{#-
    Quasi-identifiers in the published layer: text columns of a relation with a member_id column (other than
    member_id and keyed hashes, `*_hash`) whose value is the member's own: held by one member only while that
    member holds no other value. Such a column (a masked phone `138****5678`, an email) re-identifies members
    against any list carrying it, whatever the key. Result: one row per (relation, column) where more than
    max_share of the members with a value have such a value, among relations with at least min_members
    members; a count, never a value. The key of the rows of a relation with several rows per member (the
    order id of fct_orders: distinct on every row) describes the row, not the member, and is not checked;
    on a relation of one row per member every column is. allowed: {relation: [column, ...]} exempted, each
    with its reason where the test calls the macro.
-#}
{% macro privacy_scan_member_unique_columns(folder='marts', allowed={}, min_members=20, max_share=0.5) -%}
    {%- if not (execute and flags.WHICH in ('test', 'build', 'retry')) -%}
        {{ return(
            "select cast(null as " ~ dbt.type_string() ~ ") as relation_name, cast(null as " ~ dbt.type_string()
            ~ ") as column_name, 0 as members, 0 as members_with_own_value where 1 = 0"
        ) }}
    {%- endif -%}
    {%- do privacy_scan_require_folder_dependencies(folder) -%}
    {%- set checks = [] -%}
    {%- for schema in privacy_scan_folder_schemas(folder) -%}
        {%- for relation in privacy_scan_list_relations(schema) -%}
            {%- set columns = adapter.get_columns_in_relation(relation) -%}
            {%- set names = columns | map(attribute='name') | map('lower') | list -%}
            {%- if 'member_id' in names -%}
                {%- for column in columns
                        if column.name | lower != 'member_id' and not (column.name | lower).endswith('_hash')
                        and (column.name | lower) not in allowed.get(relation.identifier, [])
                        and (column.dtype | upper).startswith(('VARCHAR', 'STRING', 'TEXT')) -%}
                    {%- set value = adapter.quote(column.name) -%}
                    {%- do checks.append(
                        "select '" ~ schema ~ "." ~ relation.identifier ~ "' as relation_name, '" ~ column.name
                        ~ "' as column_name, member_id, cast(" ~ value ~ " as " ~ dbt.type_string()
                        ~ ") as cell_value from " ~ relation ~ " where member_id is not null and " ~ value
                        ~ " is not null"
                    ) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not checks -%}
        {{ return("select cast(null as " ~ dbt.type_string() ~ ") as relation_name, cast(null as "
            ~ dbt.type_string() ~ ") as column_name, 0 as members, 0 as members_with_own_value where 1 = 0") }}
    {%- endif -%}

with

cells as (

    {{ checks | join('\n    union all\n    ') }}

),

pairs as (

    select distinct
        relation_name,
        column_name,
        member_id,
        cell_value
    from cells

),

value_holders as (

    select
        relation_name,
        column_name,
        cell_value,
        count(*) as holder_count
    from pairs
    group by relation_name, column_name, cell_value

),

member_values as (

    select
        relation_name,
        column_name,
        member_id,
        count(*) as value_count
    from pairs
    group by relation_name, column_name, member_id

),

own_values as (

    select
        member_values.relation_name,
        member_values.column_name,
        count(distinct member_values.member_id) as members,
        count(case when member_values.value_count = 1 and value_holders.holder_count = 1 then 1 end)
            as members_with_own_value
    from member_values
    inner join pairs
        on member_values.relation_name = pairs.relation_name
            and member_values.column_name = pairs.column_name
            and member_values.member_id = pairs.member_id
    inner join value_holders
        on pairs.relation_name = value_holders.relation_name
            and pairs.column_name = value_holders.column_name
            and pairs.cell_value = value_holders.cell_value
    group by member_values.relation_name, member_values.column_name

),

-- a key of the rows of a relation with several rows per member (the order id of fct_orders) describes the row
row_keys as (

    select
        relation_name,
        column_name
    from cells
    group by relation_name, column_name
    having count(distinct cell_value) = count(*) and count(distinct member_id) < count(*)

),

final as (

    select
        own_values.relation_name,
        own_values.column_name,
        own_values.members,
        own_values.members_with_own_value
    from own_values
    left join row_keys
        on own_values.relation_name = row_keys.relation_name
            and own_values.column_name = row_keys.column_name
    where row_keys.relation_name is null
        and own_values.members >= {{ min_members }}
        and own_values.members_with_own_value > {{ max_share }} * own_values.members

)

select * from final
{%- endmacro %}
