"""Run every data-quality suite against a built DuckDB warehouse.

    python -m omniwh.quality.run --duckdb data/warehouse.duckdb [--out gx_out] [--suite 'marts.*']

Run it after ``dbt build`` has finished (it opens the file read-only; DuckDB refuses while dbt writes).
Writes, under ``--out`` (replaced on every run):

- ``checkpoint_result.json``: the run's summary, every expectation with its success and observed value;
- ``gx/``: a file-backed GX project holding the suites, one checkpoint per suite, the validation results and
  the Data Docs (``gx/uncommitted/data_docs/local_site/index.html``);
- ``duckdb_tmp/``: DuckDB spill space.

Prints one line per suite (rows, expectations, failed) and every failed expectation; exits 0 when all pass,
1 when an expectation fails or a suite cannot be read, 2 when the warehouse cannot be opened.
No network: GX usage statistics are disabled (GX_ANALYTICS_ENABLED=false) before GX is imported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import fnmatch
import json
import logging
import math
import os
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from omniwh import progress

REPO = Path(__file__).resolve().parents[2]
DEFAULT_EXPECTATIONS = REPO / "expectations"
DEFAULT_CHUNK_ROWS = 1_000_000
SUMMARY_FILE = "checkpoint_result.json"
EXAMPLES = 10  # failing values / rows kept per expectation in the summary
# What GX is asked for on a suite that reads personal data (SuiteSpec.is_personal): counts, no values, no ids.
PERSONAL_RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 0,
    "exclude_unexpected_values": True,
    "include_unexpected_rows": False,
}


def mask_value(value: Any) -> Any:
    """The form a personal value may take in outputs: a phone-like string of 11 digits keeps its first 3
    and last 4 digits (the published `masked_phone` form), anything else becomes `<redacted: N chars>`."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value)
    if len(text) == 11 and text.isdigit():
        return f"{text[:3]}****{text[-4:]}"
    return f"<redacted: {len(text)} chars>"


def _mask_all(value: Any) -> Any:
    """``value`` with every scalar in it masked (lists and dicts keep their shape and keys)."""
    if isinstance(value, dict):
        return {k: _mask_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_all(v) for v in value]
    return mask_value(value)


def _mask_rows(rows: list, personal: set[str]) -> list:
    """Failing rows (id columns next to the value): personal columns masked, the others kept."""
    return [
        {k: (_mask_all(v) if k in personal else v) for k, v in row.items()}
        if isinstance(row, dict)
        else _mask_all(row)
        for row in rows
    ]


def _plain(value: Any) -> Any:
    """JSON-safe copy of GX result values (numpy scalars, timestamps, decimals, tuples)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):  # also numpy.float64, a float subclass
        return None if math.isnan(value) else float(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "tolist"):  # numpy array or scalar, pandas array
        return _plain(value.tolist())
    if hasattr(value, "item"):  # other numpy-like scalars
        return _plain(value.item())
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat()
    if hasattr(value, "model_dump"):  # pydantic (row conditions)
        return _plain(value.model_dump())
    if hasattr(value, "dict"):
        return _plain(value.dict())
    return str(value)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m omniwh.quality.run", description=__doc__.split("\n")[0])
    parser.add_argument("--duckdb", required=True, help="the built warehouse file (opened read-only)")
    parser.add_argument(
        "--out", default="gx_out", help="output folder, replaced on every run (default gx_out)"
    )
    parser.add_argument(
        "--expectations",
        default=str(DEFAULT_EXPECTATIONS),
        help="folder of suite YAML files (default: the repository's expectations/)",
    )
    parser.add_argument(
        "--suite",
        action="append",
        default=[],
        metavar="PATTERN",
        help="run only suites whose name matches this glob (repeatable), e.g. 'marts.*'",
    )
    parser.add_argument(
        "--chunk-rows",
        type=int,
        default=DEFAULT_CHUNK_ROWS,
        help="rows per chunk read into pandas; also the size of sample suites (default 1000000)",
    )
    parser.add_argument(
        "--duckdb-memory-limit",
        default=os.environ.get("OMNI_QUALITY_DUCKDB_MEMORY_LIMIT", "2GB"),
        help="DuckDB memory_limit of the runner's connection (default 2GB)",
    )
    return parser.parse_args(argv)


class _Quiet:
    """Silence GX's progress bars, deprecation warnings and INFO logging for the duration of a run."""

    def __enter__(self):
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore")
        self._level = logging.getLogger("great_expectations").level
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        return self

    def __exit__(self, *exc):
        logging.getLogger("great_expectations").setLevel(self._level)
        self._warnings.__exit__(*exc)
        return False


def _connect(path: Path, out: Path, memory_limit: str):
    import duckdb

    from omniwh.duckdb_plugin import register_udfs

    config = {
        "threads": int(os.environ.get("OMNI_DUCKDB_THREADS", "2")),
        "memory_limit": memory_limit,
        "temp_directory": str(out / "duckdb_tmp"),
        "preserve_insertion_order": False,
    }
    con = duckdb.connect(str(path), read_only=True, config=config)
    register_udfs(con)  # views built on keyed_hash() need omni_keyed_hash() on the reading connection
    return con


def _merge(spec, chunk_results: list, personal: set[str] = frozenset()) -> dict:
    """One summary entry for an expectation validated on one or more chunks. ``personal``: the suite's
    personal columns; values GX reports for them are masked (GX is asked for none, this is the backstop)."""
    entry: dict[str, Any] = {
        "expectation": spec.label(),
        "type": spec.type,
        "kwargs": _plain(spec.kwargs),
        "where": _plain(spec.where),
        "description": spec.description,
        "success": all(r.success for r in chunk_results),
    }
    exceptions = [
        r.exception_info.get("exception_message")
        for r in chunk_results
        if r.exception_info and r.exception_info.get("raised_exception")
    ]
    if exceptions:
        entry["success"] = False
        entry["exception"] = exceptions[0]
    results = [r.result or {} for r in chunk_results]
    if any("observed_value" in r for r in results):
        observed = [_plain(r.get("observed_value")) for r in results]
        entry["observed_value"] = observed[0] if len(observed) == 1 else observed
        if spec.columns() & personal and not _is_number_like(entry["observed_value"]):
            entry["observed_value"] = _mask_all(entry["observed_value"])
    observed_nothing = entry.get("observed_value") in (None, [])
    if observed_nothing and not any("element_count" in r for r in results):
        # GX 1.24 reports no observed value for the distinct-value-set expectations: say what differed
        missing = [v for r in results for v in r.get("partial_missing_list", []) or []]
        extra = [v for r in results for v in r.get("partial_unexpected_list", []) or []]
        entry["observed_value"] = f"{len(missing)} expected values missing, {len(extra)} unexpected values"
        entry["missing_values"] = _plain(missing[:EXAMPLES])
        entry["unexpected_examples"] = _plain(extra[:EXAMPLES])
        if spec.columns() & personal:
            entry["missing_values"] = _mask_all(entry["missing_values"])
            entry["unexpected_examples"] = _mask_all(entry["unexpected_examples"])
    if any("element_count" in r for r in results):
        elements = sum(r.get("element_count", 0) or 0 for r in results)
        unexpected = sum(r.get("unexpected_count", 0) or 0 for r in results)
        missing = sum(r.get("missing_count", 0) or 0 for r in results)
        entry["element_count"] = elements
        entry["missing_count"] = missing
        entry["unexpected_count"] = unexpected
        checked = elements - missing
        entry["unexpected_percent"] = round(100.0 * unexpected / checked, 4) if checked else 0.0
        entry.setdefault("observed_value", f"{unexpected} unexpected of {checked} non-null values")
        values = [v for r in results for v in r.get("partial_unexpected_list", []) or []]
        rows = [v for r in results for v in r.get("partial_unexpected_index_list", []) or []]
        entry["unexpected_examples"] = _plain(values[:EXAMPLES])
        entry["unexpected_rows"] = _plain(rows[:EXAMPLES])
        if spec.columns() & personal:
            entry["unexpected_examples"] = _mask_all(entry["unexpected_examples"])
        entry["unexpected_rows"] = _mask_rows(entry["unexpected_rows"], personal)
    return entry


def _is_number_like(value: Any) -> bool:
    if isinstance(value, list):
        return all(_is_number_like(v) for v in value)
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _run_suite(context, datasource, suite, con, chunk_rows: int, run_time) -> dict:
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    from omniwh.quality import frames
    from omniwh.quality.expectations import all_expectations, build_suite

    started = time.monotonic()
    record: dict[str, Any] = {
        "suite": suite.name,
        "relation": suite.relation,
        "mode": suite.mode,
        "spec_file": str(suite.source_file.relative_to(suite.source_file.parents[1])),
    }
    specs = all_expectations(suite)
    try:
        gx_suite = context.suites.add(build_suite(suite))
        the_plan = frames.plan(con, suite, chunk_rows)
    except Exception as error:  # a missing relation, a bad SQL expression, an unknown expectation
        record.update(
            success=False,
            error=f"{type(error).__name__}: {error}",
            expectations=[],
            expectation_count=len(specs),
            failed_count=len(specs),
        )
        return record
    record.update(rows=the_plan.rows, chunks=the_plan.chunks, rows_validated=the_plan.rows_read)
    asset = datasource.add_dataframe_asset(name=suite.name)
    batch_definition = asset.add_batch_definition_whole_dataframe("whole_dataframe")
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite)
    )
    personal = suite.personal_columns()
    record["personal_columns"] = sorted(personal)
    if personal:  # counts only: no failing value, row or id reaches GX's stored results or Data Docs
        result_format = dict(PERSONAL_RESULT_FORMAT)
    else:
        result_format = {
            "result_format": "SUMMARY",
            "partial_unexpected_count": EXAMPLES,
            "unexpected_index_column_names": list(the_plan.index_columns),
        }
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(name=suite.name, validation_definitions=[validation], result_format=result_format)
    )
    by_id = {expectation.id: index for index, expectation in enumerate(gx_suite.expectations)}
    per_expectation: list[list] = [[] for _ in specs]
    try:
        for chunk, dataframe in frames.read_chunks(con, the_plan):
            label = (
                suite.name
                if the_plan.chunks_read == 1
                else f"{suite.name} chunk {chunk + 1} of {the_plan.chunks}"
            )
            outcome = checkpoint.run(
                batch_parameters={"dataframe": dataframe},
                run_id=RunIdentifier(run_name=label, run_time=run_time),
            )
            del dataframe
            for validation_result in outcome.run_results.values():
                for result in validation_result.results:
                    per_expectation[by_id[result.expectation_config.id]].append(result)
    except Exception as error:  # keep going: the other suites still say something useful
        record.update(
            success=False,
            error=f"{type(error).__name__}: {error}",
            expectations=[],
            expectation_count=len(specs),
            failed_count=len(specs),
        )
        return record
    entries = [_merge(spec, results, personal) for spec, results in zip(specs, per_expectation, strict=True)]
    failed = sum(not e["success"] for e in entries)
    record.update(
        success=failed == 0,
        expectation_count=len(entries),
        failed_count=failed,
        seconds=round(time.monotonic() - started, 2),
        expectations=entries,
    )
    return record


def _print_table(records: list[dict], out=None) -> None:
    out = out or sys.stdout
    width = max([len("suite")] + [len(r["suite"]) for r in records])
    print(f"{'suite':<{width}}  {'rows':>9}  {'validated':<16} {'expectations':>12}  {'failed':>6}", file=out)
    for r in records:
        rows = r.get("rows", "-")
        print(
            f"{r['suite']:<{width}}  {rows:>9}  {r.get('rows_validated', 'error'):<16} "
            f"{r['expectation_count']:>12}  {r['failed_count']:>6}",
            file=out,
        )
    failures = [(r, e) for r in records for e in r.get("expectations", []) if not e["success"]]
    errors = [r for r in records if r.get("error")]
    if failures or errors:
        print("\nFAILED:", file=out)
    for r in errors:
        print(f"  {r['suite']}: suite could not run: {r['error'].splitlines()[0]}", file=out)
    for r, e in failures:
        detail = e.get("exception") or f"observed {json.dumps(e.get('observed_value'), ensure_ascii=False)}"
        examples = e.get("unexpected_rows") or e.get("unexpected_examples")
        if examples:
            detail += f", e.g. {json.dumps(examples[:3], ensure_ascii=False, default=str)}"
        print(f"  {r['suite']}: {e['expectation']}: {detail}", file=out)


def run(args: argparse.Namespace) -> int:
    from omniwh.quality.spec import load_all

    warehouse = Path(args.duckdb)
    out = Path(args.out)
    if not warehouse.exists():
        print(f"no warehouse at {warehouse}: build it first (make build)", file=sys.stderr)
        return 2
    suites = load_all(Path(args.expectations))
    if args.suite:
        suites = [s for s in suites if any(fnmatch.fnmatchcase(s.name, p) for p in args.suite)]
        if not suites:
            print(f"no suite matches {args.suite}", file=sys.stderr)
            return 2
    if (
        out.exists()
        and any(out.iterdir())
        and not (out / SUMMARY_FILE).exists()
        and not (out / "gx").exists()
    ):
        print(f"{out} is not empty and holds no earlier quality run: refusing to replace it", file=sys.stderr)
        return 2
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    try:
        con = _connect(warehouse, out, args.duckdb_memory_limit)
    except Exception as error:  # locked by a writer (dbt still running) or not a DuckDB file
        print(
            f"cannot open {warehouse} read-only ({error}); run the suites after dbt has finished",
            file=sys.stderr,
        )
        return 2

    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    with _Quiet():
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="file", project_root_dir=str(out))
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.enable_analytics(False)  # also saves the variables above into gx/great_expectations.yml
        datasource = context.data_sources.add_pandas("warehouse")
        run_time = dt.datetime.now(dt.UTC)
        records = []
        with progress.bar("GX suites", len(suites)) as advance:
            for suite in suites:
                records.append(_run_suite(context, datasource, suite, con, args.chunk_rows, run_time))
                advance(detail=suite.name)
        context.build_data_docs()
        docs = [site["site_url"] for site in context.get_docs_sites_urls()]
    con.close()

    summary = {
        "success": all(r["success"] for r in records),
        "run_time": run_time.isoformat(),
        "warehouse": str(warehouse.resolve()),
        "chunk_rows": args.chunk_rows,
        "data_docs": docs,
        "statistics": {
            "suites": len(records),
            "failed_suites": sum(not r["success"] for r in records),
            "expectations": sum(r["expectation_count"] for r in records),
            "failed_expectations": sum(r["failed_count"] for r in records),
        },
        "suites": records,
    }
    (out / SUMMARY_FILE).write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _print_table(records)
    stats = summary["statistics"]
    print(
        f"\n{stats['suites']} suites, {stats['expectations']} expectations, "
        f"{stats['failed_expectations']} failed; summary {out / SUMMARY_FILE}"
    )
    print(f"Data Docs: {docs[0] if docs else '-'}")
    return 0 if summary["success"] else 1


def main(argv: list[str] | None = None) -> int:
    return run(_parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
