"""Suite specifications: the YAML files under ``expectations/`` turned into plain data.

One YAML file describes one relation (``relation: marts.fct_orders``, ``key: [order_id]``) and a list of
suites over it. A suite reads one frame, in one of four modes:

- ``rows`` (default): the relation's needed columns, every row; large relations are read in chunks that
  partition the rows by a hash of ``key`` (so duplicates of a key always land in the same chunk and
  uniqueness stays exact);
- ``sample``: the first of those chunks only, i.e. a deterministic hash sample of about ``--chunk-rows`` rows;
  for distributional expectations (shares, means) whose answer does not need every row;
- ``sql``: the result of a query: aggregates (net sales per month) read whole, or a row-level query with a
  ``key`` (per order, orders against their lines), chunked by that key like ``rows``;
- ``references``: generated from a ``references:`` map; one row per distinct child value with a flag saying
  whether the parent has it.

Expectations are GX expectation types in snake case with their keyword arguments, or the shorthands of
``SHORTHANDS`` under ``columns:``. See ``expectations/README.md`` for the file format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Shorthand name -> (GX expectation type, how a non-mapping argument maps to keyword arguments).
SHORTHANDS: dict[str, tuple[str, Any]] = {
    "not_null": ("expect_column_values_to_not_be_null", lambda value: {"mostly": value}),
    "unique": ("expect_column_values_to_be_unique", lambda value: {"mostly": value}),
    "regex": ("expect_column_values_to_match_regex", lambda value: {"regex": value}),
    "in_set": ("expect_column_values_to_be_in_set", lambda value: {"value_set": list(value)}),
    "between": ("expect_column_values_to_be_between", lambda value: _bounds(value)),
    "mean": ("expect_column_mean_to_be_between", lambda value: _bounds(value)),
    "non_null_share": (
        "expect_column_proportion_of_non_null_values_to_be_between",
        lambda value: _bounds(value),
    ),
}

# Keyword arguments of GX expectations that name frame columns.
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_COLUMN_LIST_KWARGS = ("column_list",)
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_MODES = ("rows", "sample", "sql", "references")

# Personal data in failing values. A suite that reads a column whose name matches PERSONAL_COLUMN (the
# names of pytests/test_privacy_manifest.py plus the published stand-ins of a phone, `masked_phone` and
# `phone_hash`, which hold a clear phone exactly when their check fails), a derived column whose expression
# names one, or a column listed under `pii_columns:` is a personal suite: the runner asks GX for counts only
# (no unexpected values, rows or ids) and masks any value it still receives. See expectations/README.md.
PERSONAL_COLUMN = re.compile(
    r"""^(?:
        (?:[a-z0-9]+_)*phone | phone_hash
      | (?:member|staff|customer|receiver|contact|user)_name | name | nickname
      | birthday | birth_date | date_of_birth
      | (?:[a-z0-9]+_)*(?:unionid|openid|buyer_id|buyer_key|external_userid|card_no)
      | (?:[a-z0-9]+_)*identifier_value | left_value | right_value
      | natural_key | raw_record
    )$""",
    re.VERBOSE,
)
NOT_PERSONAL = {"store_phone"}  # a store's business line, not a natural person's number
# Expectations whose observed value is itself a set of column values: not allowed on personal columns.
VALUE_REPORTING_TYPES = re.compile(
    r"^expect_column_(?:distinct_values_|min_|max_|median_|most_common_value|unique_value_count)"
)


def is_personal_column(name: str) -> bool:
    name = name.lower()
    if name in NOT_PERSONAL or name.startswith(("is_", "has_")):
        return False
    return bool(PERSONAL_COLUMN.match(name))


class SpecError(ValueError):
    """A suite file that does not follow the format of expectations/README.md."""


def _bounds(value: Any) -> dict:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise SpecError(f"expected [min, max] (null for an open end), got {value!r}")
    kwargs = {}
    if value[0] is not None:
        kwargs["min_value"] = value[0]
    if value[1] is not None:
        kwargs["max_value"] = value[1]
    return kwargs


@dataclass(frozen=True)
class Reference:
    """Every non-null ``column`` of the suite's relation must exist in ``parent_relation.parent_column``."""

    column: str
    parent_relation: str
    parent_column: str
    mostly: float | None = None  # share of distinct child values that must be found; None = all
    description: str | None = None

    @property
    def label(self) -> str:
        return f"{self.column} -> {self.parent_relation}.{self.parent_column}"


@dataclass(frozen=True)
class ExpectationSpec:
    """One GX expectation: its snake-case type, keyword arguments, optional row filter and description."""

    type: str
    kwargs: dict
    where: dict | None = None
    description: str | None = None

    def columns(self) -> set[str]:
        names = {self.kwargs[k] for k in _COLUMN_KWARGS if k in self.kwargs}
        for k in _COLUMN_LIST_KWARGS:
            names.update(self.kwargs.get(k, []))
        names.update((self.where or {}).keys())
        return names

    def label(self) -> str:
        shown = [f"{k}={self.kwargs[k]}" for k in (*_COLUMN_KWARGS, *_COLUMN_LIST_KWARGS) if k in self.kwargs]
        if self.where:
            shown.append("where " + " and ".join(f"{k}={v!r}" for k, v in self.where.items()))
        return f"{self.type}({', '.join(shown)})"


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    mode: str
    source_file: Path
    relation: str | None
    key: tuple[str, ...]
    where: str | None = None
    sql: str | None = None
    derived: dict[str, str] = field(default_factory=dict)
    expectations: tuple[ExpectationSpec, ...] = ()
    references: tuple[Reference, ...] = ()
    description: str | None = None
    pii_columns: tuple[str, ...] = ()  # extra personal columns the name rule does not catch

    def personal_columns(self) -> set[str]:
        """Columns of this suite's frame that hold (or, failing, may hold) personal data."""
        named = (
            (set() if self.mode == "references" else set(self.key))
            | set(self.derived)
            | {r.column for r in self.references}
        )
        for expectation in self.expectations:
            named |= expectation.columns()
        personal = {c for c in named if is_personal_column(c) or c in self.pii_columns}
        for derived_name, expression in self.derived.items():
            tokens = set(re.findall(r"[a-z_][a-z0-9_]*", expression.lower()))
            if any(is_personal_column(t) or t in self.pii_columns for t in tokens):
                personal.add(derived_name)
        if any(is_personal_column(r.column) or r.column in self.pii_columns for r in self.references):
            personal.add("value")  # the references frame's column of child values
        return personal

    @property
    def is_personal(self) -> bool:
        return bool(self.personal_columns())

    def needed_columns(self) -> list[str]:
        """Relation columns to read (rows/sample modes): the key, then every column an expectation names."""
        wanted: list[str] = list(self.key)
        for expectation in self.expectations:
            for name in sorted(expectation.columns()):
                if name not in wanted and name not in self.derived:
                    wanted.append(name)
        return wanted


def _expectation(raw: Any, where_from: str, column: str | None = None) -> ExpectationSpec:
    """Normalise one list item: a shorthand (``not_null``, ``{regex: ...}``) or ``{expect_...: {kwargs}}``."""
    if isinstance(raw, str):
        name, argument = raw, None
    elif isinstance(raw, dict) and len(raw) == 1:
        ((name, argument),) = raw.items()
    else:
        raise SpecError(f"{where_from}: an expectation is a name or a one-key mapping, got {raw!r}")
    if name in SHORTHANDS:
        if column is None:
            raise SpecError(f"{where_from}: shorthand {name!r} is only allowed under columns:")
        gx_type, positional = SHORTHANDS[name]
        if argument is None:
            kwargs = {}
        elif isinstance(argument, dict):
            kwargs = dict(argument)
        else:
            kwargs = positional(argument)
    elif name.startswith("expect_"):
        gx_type = name
        kwargs = dict(argument or {})
    else:
        raise SpecError(f"{where_from}: unknown expectation {name!r} (shorthands: {', '.join(SHORTHANDS)})")
    if column is not None:
        kwargs.setdefault("column", column)
    where = kwargs.pop("where", None)
    description = kwargs.pop("description", None)
    if where is not None and not isinstance(where, dict):
        raise SpecError(f"{where_from}: where must map column -> value (or list of values), got {where!r}")
    return ExpectationSpec(type=gx_type, kwargs=kwargs, where=where, description=description)


_UNIQUENESS = (
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
    "expect_multicolumn_values_to_be_unique",
)


def _check_uniqueness_partition(expectation: ExpectationSpec, key: tuple[str, ...], where_from: str) -> None:
    """Chunks partition rows by the key, so duplicates are only guaranteed to meet in one chunk when the
    uniqueness columns include every key column. Anything else needs its own suite keyed by those columns."""
    if expectation.type not in _UNIQUENESS:
        return
    columns = set(expectation.kwargs.get("column_list") or [expectation.kwargs.get("column")])
    if not set(key) <= columns:
        raise SpecError(
            f"{where_from}: {expectation.label()} does not include the key {list(key)}; chunks are split by "
            f"the key, so check this uniqueness in a suite whose key is {sorted(columns)}"
        )


def _reference(column: str, target: Any, where_from: str) -> Reference:
    """``col: schema.table.column`` or ``col: {to: schema.table.column, mostly: 0.99, description: …}``."""
    options = dict(target) if isinstance(target, dict) else {"to": target}
    parts = str(options.pop("to", "")).split(".")
    mostly = options.pop("mostly", None)
    description = options.pop("description", None)
    if len(parts) != 3 or options:
        raise SpecError(f"{where_from}: reference {column}: expected schema.table.column, got {target!r}")
    return Reference(column, f"{parts[0]}.{parts[1]}", parts[2], mostly, description)


def _suite(
    raw: dict, path: Path, relation: str | None, key: tuple[str, ...], pii_columns: tuple[str, ...] = ()
) -> SuiteSpec:
    name = raw.get("name") or relation
    where_from = f"{path.name}: suite {name}"
    if not name:
        raise SpecError(f"{path.name}: a suite needs a name when the file has no relation")
    unknown = set(raw) - {
        "name",
        "mode",
        "where",
        "sql",
        "derived",
        "columns",
        "expectations",
        "references",
        "description",
        "key",
        "pii_columns",
    }
    if unknown:
        raise SpecError(f"{where_from}: unknown keys {sorted(unknown)}")
    references = tuple(_reference(c, t, where_from) for c, t in (raw.get("references") or {}).items())
    mode = raw.get("mode") or ("sql" if raw.get("sql") else "references" if references else "rows")
    # A query's columns are its own: sql suites never inherit the relation's key.
    suite_key = raw.get("key", [] if mode == "sql" else key)
    suite_key = tuple([suite_key] if isinstance(suite_key, str) else suite_key)
    if mode not in _MODES:
        raise SpecError(f"{where_from}: mode must be one of {_MODES}, got {mode!r}")
    if mode == "sql" and not raw.get("sql"):
        raise SpecError(f"{where_from}: mode sql needs sql:")
    if mode in ("rows", "sample", "references") and not relation:
        raise SpecError(f"{where_from}: mode {mode} needs the file's relation:")
    if mode in ("rows", "sample") and not suite_key:
        raise SpecError(
            f"{where_from}: mode {mode} needs a key (chunking and the ids shown for failing rows)"
        )
    derived = dict(raw.get("derived") or {})
    for derived_name in derived:
        if not _IDENTIFIER.match(derived_name):
            raise SpecError(f"{where_from}: derived column name {derived_name!r} is not a plain identifier")
    expectations: list[ExpectationSpec] = []
    for column, items in (raw.get("columns") or {}).items():
        for item in items or []:
            expectations.append(_expectation(item, f"{where_from}: column {column}", column=column))
    for item in raw.get("expectations") or []:
        expectations.append(_expectation(item, where_from))
    if not expectations and not references:
        raise SpecError(f"{where_from}: no expectations")
    if suite_key and mode != "references":
        for expectation in expectations:
            _check_uniqueness_partition(expectation, suite_key, where_from)
    pii_columns = tuple(raw.get("pii_columns") or ()) + pii_columns
    for expectation in expectations:
        for column in expectation.columns():
            if VALUE_REPORTING_TYPES.match(expectation.type) and (
                is_personal_column(column) or column in pii_columns
            ):
                raise SpecError(
                    f"{where_from}: {expectation.label()} reports column values as its observed value; "
                    f"{column} holds personal data"
                )
    return SuiteSpec(
        name=name,
        mode=mode,
        source_file=path,
        relation=relation,
        key=suite_key,
        where=raw.get("where"),
        sql=raw.get("sql"),
        derived=derived,
        expectations=tuple(expectations),
        references=references,
        description=raw.get("description"),
        pii_columns=pii_columns,
    )


def load_file(path: Path) -> list[SuiteSpec]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict) or "suites" not in document:
        raise SpecError(f"{path}: expected a mapping with relation:, key: and suites:")
    relation = document.get("relation")
    key = document.get("key") or []
    key = tuple([key] if isinstance(key, str) else key)
    pii_columns = tuple(document.get("pii_columns") or ())
    return [_suite(raw, path, relation, key, pii_columns) for raw in document["suites"]]


def load_all(directory: Path) -> list[SuiteSpec]:
    """Every suite of every ``*.yml`` under ``directory``, in path order; suite names must be unique."""
    suites: list[SuiteSpec] = []
    for path in sorted(directory.rglob("*.yml")):
        suites.extend(load_file(path))
    seen: dict[str, Path] = {}
    for suite in suites:
        if suite.name in seen:
            raise SpecError(f"suite {suite.name} is defined in {seen[suite.name]} and {suite.source_file}")
        seen[suite.name] = suite.source_file
    return suites
