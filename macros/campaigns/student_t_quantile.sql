{#
    Two-sided critical value of Student's t with `df` degrees of freedom, from the matching standard normal
    quantile `z` (1.959964 for 95 %), by the Cornish-Fisher expansion of Abramowitz & Stegun 26.7.5 (four
    correction terms). Plain arithmetic, so it runs on any engine without a statistics library.
    Accuracy at z = 1.959964: |error| < 0.001 for df >= 4, < 1e-5 for df >= 10, < 1e-7 for df >= 30.
    Below df = 3 the expansion drifts (-0.03 at df = 2), so the macro returns NULL there: an interval
    from fewer than three degrees of freedom is not worth reporting.
#}
{% macro student_t_quantile(z, df) -%}
    {{ return(adapter.dispatch('student_t_quantile', 'omnichannel_member_warehouse')(z, df)) }}
{%- endmacro %}

{% macro default__student_t_quantile(z, df) -%}
    case
        when ({{ df }}) >= 3 then
            ({{ z }})
            + (power({{ z }}, 3) + ({{ z }})) / 4.0 / ({{ df }})
            + (5 * power({{ z }}, 5) + 16 * power({{ z }}, 3) + 3 * ({{ z }}))
                / 96.0 / power({{ df }}, 2)
            + (3 * power({{ z }}, 7) + 19 * power({{ z }}, 5) + 17 * power({{ z }}, 3) - 15 * ({{ z }}))
                / 384.0 / power({{ df }}, 3)
            + (
                79 * power({{ z }}, 9) + 776 * power({{ z }}, 7) + 1482 * power({{ z }}, 5)
                - 1920 * power({{ z }}, 3) - 945 * ({{ z }})
            ) / 92160.0 / power({{ df }}, 4)
    end
{%- endmacro %}


{#
    Welch-Satterthwaite degrees of freedom for the difference of two means with unequal variances:
    (v1/n1 + v2/n2)^2 / ((v1/n1)^2/(n1-1) + (v2/n2)^2/(n2-1)), v = sample variance, n = group size.
    NULL when a group has fewer than two members or both variances are zero (nothing to estimate).
#}
{% macro welch_degrees_of_freedom(variance_1, n_1, variance_2, n_2) -%}
    {{ return(adapter.dispatch('welch_degrees_of_freedom', 'omnichannel_member_warehouse')(variance_1, n_1, variance_2, n_2)) }}
{%- endmacro %}

{% macro default__welch_degrees_of_freedom(variance_1, n_1, variance_2, n_2) -%}
    case
        when ({{ n_1 }}) >= 2 and ({{ n_2 }}) >= 2
            and (({{ variance_1 }}) > 0 or ({{ variance_2 }}) > 0)
            then
                power(({{ variance_1 }}) / ({{ n_1 }}) + ({{ variance_2 }}) / ({{ n_2 }}), 2)
                / (
                    power(({{ variance_1 }}) / ({{ n_1 }}), 2) / (({{ n_1 }}) - 1)
                    + power(({{ variance_2 }}) / ({{ n_2 }}), 2) / (({{ n_2 }}) - 1)
                )
    end
{%- endmacro %}
