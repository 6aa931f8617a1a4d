{#-
    Every base_ model must be listed in int_rows_quarantined, or its quarantined rows would silently vanish
    from the quarantine list (and its stg_ model's row-conservation test would fail without saying why).
    Returns one row per base_ model that int_rows_quarantined does not read.
-#}

-- depends_on: {{ ref('int_rows_quarantined') }}

{%- set missing = [] -%}
{%- if execute -%}
    {%- set union_parents = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', 'int_rows_quarantined')
        | map(attribute='depends_on.nodes')
        | first -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.name.startswith('base_')
            and node.unique_id not in union_parents -%}
            {%- do missing.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

candidates as (

    select cast(null as {{ dbt.type_string() }}) as model_name
    {% for model_name in missing %}
        union all
        select '{{ model_name }}' as model_name
    {% endfor %}

)

select model_name as base_model_missing_from_quarantine
from candidates
where model_name is not null
