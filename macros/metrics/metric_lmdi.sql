{#-
    Log-mean Divisia index (LMDI-I, additive form) building blocks. For V = X1 * X2 * ... * Xk with every
    factor positive in both periods, the effect of factor Xi on the change V1 - V0 is
    L(V1, V0) * ln(Xi1 / Xi0), with the logarithmic mean L(a, b) = (a - b) / (ln a - ln b), L(a, a) = a,
    and the effects add up exactly to V1 - V0. Zeros are the caller's business (see DECISIONS.md,
    "Metric definitions"): both macros return NULL unless every argument is > 0.
-#}
{% macro metric_log_mean(value_a, value_b) -%}
    {{ return(adapter.dispatch('metric_log_mean', 'omnichannel_member_warehouse')(value_a, value_b)) }}
{%- endmacro %}

{% macro default__metric_log_mean(value_a, value_b) -%}
    case
        when not (cast({{ value_a }} as double) > 0 and cast({{ value_b }} as double) > 0) then null
        when cast({{ value_a }} as double) = cast({{ value_b }} as double) then cast({{ value_a }} as double)
        else (cast({{ value_a }} as double) - cast({{ value_b }} as double))
            / (ln(cast({{ value_a }} as double)) - ln(cast({{ value_b }} as double)))
    end
{%- endmacro %}

{% macro metric_lmdi_effect(total_current, total_base, factor_current, factor_base) -%}
    {{ return(adapter.dispatch('metric_lmdi_effect', 'omnichannel_member_warehouse')(total_current, total_base, factor_current, factor_base)) }}
{%- endmacro %}

{% macro default__metric_lmdi_effect(total_current, total_base, factor_current, factor_base) -%}
    case
        when cast({{ factor_current }} as double) > 0 and cast({{ factor_base }} as double) > 0
            then {{ metric_log_mean(total_current, total_base) }}
                * ln(cast({{ factor_current }} as double) / cast({{ factor_base }} as double))
    end
{%- endmacro %}
