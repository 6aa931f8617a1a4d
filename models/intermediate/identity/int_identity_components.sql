{#-
    Connected components of the guarded identity graph, from the implementation identity_cc_engine() picks:
    int_identity_components_scipy (dbt Python model, DuckDB) or int_identity_components_sql (iterative SQL
    rounds, any engine). Both return the same rows; downstream models only ever read this one.
-#}
-- a view: it only renames which implementation is read, there is nothing to store twice
{{ config(materialized='view') }}

with

components as (

    select * from {{ ref('int_identity_components_' ~ identity_cc_engine()) }}

),

final as (

    select
        node_key,
        component_key
    from components

)

select * from final
