"""Turn suite specs into GX ExpectationSuite objects (import only after GX_ANALYTICS_ENABLED is set)."""

from __future__ import annotations

import great_expectations as gx
from great_expectations.expectations.row_conditions import AndCondition, Column, Condition

from omniwh.quality.spec import ExpectationSpec, SpecError, SuiteSpec


def _class_name(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _condition(where: dict) -> Condition:
    conditions = []
    for column, value in where.items():
        if isinstance(value, list):
            conditions.append(Column(column).is_in(value))
        else:
            conditions.append(Column(column) == value)
    return conditions[0] if len(conditions) == 1 else AndCondition(conditions=conditions)


def build_expectation(spec: ExpectationSpec):
    expectation_class = getattr(gx.expectations, _class_name(spec.type), None)
    if expectation_class is None:
        raise SpecError(f"GX has no expectation {spec.type!r}")
    kwargs = dict(spec.kwargs)
    if spec.where:
        kwargs["row_condition"] = _condition(spec.where)
    if spec.description:
        kwargs["description"] = spec.description
    return expectation_class(**kwargs)


def reference_expectations(suite: SuiteSpec) -> list[ExpectationSpec]:
    """One in-set expectation per reference, on the flag column of the references frame."""
    specs = []
    for reference in suite.references:
        kwargs: dict = {"column": "is_found", "value_set": [True]}
        if reference.mostly is not None:
            kwargs["mostly"] = reference.mostly
        share = "Every" if reference.mostly is None else f"At least {reference.mostly:.1%} of the distinct"
        description = (
            f"{share} `{reference.column}` of `{suite.relation}` exists in "
            f"`{reference.parent_relation}.{reference.parent_column}` (referential integrity)."
        )
        if reference.description:
            description += " " + reference.description
        specs.append(
            ExpectationSpec(
                type="expect_column_values_to_be_in_set",
                kwargs=kwargs,
                where={"reference": reference.label},
                description=description,
            )
        )
    return specs


def all_expectations(suite: SuiteSpec) -> list[ExpectationSpec]:
    return [*reference_expectations(suite), *suite.expectations]


def build_suite(suite: SuiteSpec) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name=suite.name,
        expectations=[build_expectation(spec) for spec in all_expectations(suite)],
        meta={"relation": suite.relation, "mode": suite.mode, "spec_file": suite.source_file.name},
        notes=suite.description,
    )
