{#-
    The consent rule as the privacy tests recompute it, written once for all of them and independently of
    the model that publishes it (int_card_consent_historized): the cards a member holds, and the order that
    makes the first statement the one in force (the most recent; an opt-out wins a tie). Documented in
    macros/privacy/privacy_scan_macros.yml.
-#}

{#- select of (card_no, member_id): every CRM card the identity graph gives to a member -#}
{% macro privacy_member_cards() -%}
    select
        identifier_value as card_no,
        member_id
    from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'card_no'
        and member_id is not null
{%- endmacro %}


{#- order by list for row_number(): rank 1 is the statement in force, from consent events aliased `events` -#}
{% macro privacy_statement_in_force_order(events) -%}
    {{ events }}.changed_at desc,
    case when {{ events }}.consent_status = 'OPT_OUT' then 0 else 1 end
{%- endmacro %}
