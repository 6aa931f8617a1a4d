{#-
    One step of following staff and test persons through declared links (int_identity_guard_decisions): the
    identifiers one declared link away from those of the CTE `previous`, with the first root they lead back to.
-#}
{% macro identity_follow_declared_links(previous) -%}
    select
        declared_neighbours.neighbour_type as identifier_type,
        declared_neighbours.neighbour_value as identifier_value,
        min({{ previous }}.guard_detail) as guard_detail
    from declared_neighbours
    inner join {{ previous }}
        on declared_neighbours.identifier_type = {{ previous }}.identifier_type
            and declared_neighbours.identifier_value = {{ previous }}.identifier_value
    group by declared_neighbours.neighbour_type, declared_neighbours.neighbour_value
{%- endmacro %}
