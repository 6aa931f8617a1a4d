{#-
    dbt seeds load an empty or all-blank CSV field as NULL, so fixtures spell the characters a CSV cannot
    carry visibly as tokens: <empty> (the empty string), <tab>, <nbsp> (U+00A0 no-break space),
    <ideographic_space> (U+3000), <zwsp> <zwnj> <zwj> (U+200B-U+200D), <wj> (U+2060 word joiner), <bom> (U+FEFF)
    and <shy> (U+00AD soft hyphen). pytests/test_phone_normalisation.py decodes the same tokens. This decodes a fixture column back to the text the macro under test sees.
-#}
{% macro decode_fixture_text(expr) -%}
    {%- set state = namespace(decoded=expr) -%}
    {%- for token, code_point in [
        ('<tab>', 9), ('<nbsp>', 160), ('<ideographic_space>', 12288), ('<zwsp>', 8203), ('<zwnj>', 8204),
        ('<zwj>', 8205), ('<wj>', 8288), ('<bom>', 65279), ('<shy>', 173),
    ] -%}
        {%- set state.decoded = "replace(" ~ state.decoded ~ ", '" ~ token ~ "', chr(" ~ code_point ~ "))" -%}
    {%- endfor -%}
    replace({{ state.decoded }}, '<empty>', '')
{%- endmacro %}
