"""Bad input never corrupts the warehouse: every kind is cleaned or quarantined with a queryable reason.

A copy of the session's tiny landing data gets one fixture per kind of bad input
(pytests/fixtures/bad_input/cases.yml: duplicates, re-sent files, NULL and blank keys, malformed and full-
width phones, invalid, future and 1970 dates, negative sales, refunds of unknown tickets, unknown stores and
coupons, U+FFFD, oversize text, schema drift both ways, empty, corrupt, GBK and broken CSV files, wrong
Parquet types; and by class (issue 13): values beyond their type or plausibility, epochs out of range,
unsigned ids above 2^63, fractional and void quantities, clocks years ahead, damaged opt-outs, dimension
ties, duplicate columns, files outside the layout, privacy-scan false alarms, ...), each under its own
marker id. The landing preflight runs (twice: the second run must
change nothing), then ONE `dbt build` into a temporary DuckDB file, and the test asserts per kind the exact
count of its rows in the row quarantine, the file quarantine, the staged models, the order and reference
checks and every mart.

It also shows what a failing model does to a build: in a copy of the project where one intermediate model
raises an error, `dbt run` leaves every table built earlier intact and skips the model's descendants.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from warehouse_helpers import dbt_env

from omniwh.duckdb_plugin import register_udfs
from omniwh.landing_check import load_contract

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "pytests" / "fixtures" / "bad_input"
DBT = str(Path(sys.executable).with_name("dbt"))
CATALOGUE = yaml.safe_load((FIXTURES / "cases.yml").read_text(encoding="utf-8"))
CASES = CATALOGUE["cases"]
MARKER = re.compile(r"BADIN[0-9]{2}")

ARROW_TYPES = {
    "text": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}
OVERRIDE_TYPES = {
    "string": pa.string(),
    "timestamp_tz": pa.timestamp("us", tz="UTC"),
    "double": pa.float64(),
    "uint64": pa.uint64(),
}
# the project files dbt needs, for the copy in which a model is made to fail
PROJECT_PARTS = (
    "models",
    "macros",
    "seeds",
    "tests",
    "analyses",
    "snapshots",
    "dbt_project.yml",
    "profiles.yml",
)


# ---------------------------------------------------------------------------------------------- fixture files
def _value(value):
    if isinstance(value, dict) and "repeat" in value:
        return str(value["repeat"]) * int(value["times"])
    return value


def _columns(spec: dict, contract_columns: list[str]) -> list[str]:
    dropped = set(spec.get("drop_columns", []))
    return [c for c in contract_columns if c not in dropped] + list(spec.get("extra_columns", {}))


def _rows(spec: dict, table: str) -> list[dict]:
    defaults = CATALOGUE["table_defaults"].get(table, {})
    extra = spec.get("extra_columns", {})
    return [{**defaults, **extra, **{k: _value(v) for k, v in row.items()}} for row in spec.get("rows", [])]


def _csv_bytes(spec: dict, table: str, contract) -> bytes:
    if "text" in spec:
        text = spec["text"]
    else:
        columns = _columns(spec, list(contract.columns))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in _rows(spec, table):
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
        text = buffer.getvalue()
    data = text.encode(spec.get("encoding", "utf-8"))
    return codecs.BOM_UTF8 + data if spec.get("bom") else data


def _arrow_value(value, data_type: pa.DataType):
    if value is None:
        return None
    if pa.types.is_timestamp(data_type) and isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value)
        return parsed.replace(tzinfo=dt.UTC) if data_type.tz else parsed
    if pa.types.is_date(data_type) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _parquet_table(spec: dict, table: str, contract) -> pa.Table:
    columns = _columns(spec, list(contract.columns))
    rows = _rows(spec, table)
    arrays, fields = [], []
    for column in columns:
        if column in spec.get("types", {}):
            data_type = OVERRIDE_TYPES[spec["types"][column]]
        elif column in contract.columns:
            data_type = ARROW_TYPES[contract.columns[column]]
        else:
            data_type = pa.string()
        arrays.append(pa.array([_arrow_value(row.get(column), data_type) for row in rows], type=data_type))
        fields.append(pa.field(column, data_type))
    # a column written twice (pyarrow allows duplicate names; readers differ in what they make of them)
    for column in spec.get("duplicate_columns", []):
        index = columns.index(column)
        arrays.append(arrays[index])
        fields.append(fields[index])
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def inject(landing: Path) -> list[Path]:
    """Write every fixture file of the catalogue into ``landing``; returns the paths written."""
    contracts = {f"{system}/{table}": c for (system, table), c in load_contract(REPO).items()}
    written = []
    for case in CASES:
        for spec in case["files"]:
            target = landing / spec["path"]
            table = "/".join(spec["path"].split("/")[:2])
            contract = contracts.get(table)
            target.parent.mkdir(parents=True, exist_ok=True)
            assert not target.exists(), f"{case['id']}: {spec['path']} would overwrite a landing file"
            if contract is None:
                # a file outside the documented layout (landing root, unknown system): literal bytes
                target.write_text(spec["text"], encoding="utf-8")
            elif spec.get("empty"):
                target.write_bytes(b"")
            elif "truncated_copy_of" in spec:
                source = sorted((landing / spec["truncated_copy_of"]).glob("dt=*/*.parquet"))[0]
                data = source.read_bytes()
                target.write_bytes(data[: len(data) // 2])
            elif contract.file_format == "csv":
                target.write_bytes(_csv_bytes(spec, table, contract))
            else:
                pq.write_table(_parquet_table(spec, table, contract), target)
            written.append(target)
    return written


# ---------------------------------------------------------------------------------------------- running
def _run(cmd: list[str], env: dict, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=cwd)


def _dbt(env: dict, *args: str, project: Path = REPO) -> subprocess.CompletedProcess:
    return _run([DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)], env, cwd=project)


def _connect(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db), read_only=True)
    register_udfs(con)
    return con


def _relations(con, schema: str, prefix: str = "") -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? and table_name like ? "
        "order by 1",
        [schema, prefix + "%"],
    ).fetchall()
    return [r[0] for r in rows]


def _marker_counts(con, schema: str, relation: str, column_sql: str) -> dict[str, int]:
    rows = con.execute(
        f"""
        select regexp_extract(upper({column_sql}), 'BADIN[0-9]{{2}}') as marker, count(*)
        from "{schema}"."{relation}"
        where upper({column_sql}) like '%BADIN%'
        group by 1
        """
    ).fetchall()
    return {marker: n for marker, n in rows if marker}


def _all_columns_text(con, schema: str, relation: str) -> str:
    columns = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, relation],
        ).fetchall()
    ]
    return "concat_ws('|', " + ", ".join(f'cast("{c}" as varchar)' for c in columns) + ")"


def _grouped(con, sql: str) -> dict[str, dict]:
    """{marker: {key...: count}} from rows (marker, key1[, key2], count)."""
    out: dict[str, dict] = defaultdict(dict)
    for row in con.execute(sql).fetchall():
        marker, *keys, count = row
        if not marker:
            continue
        node = out[marker]
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = count
    return out


def observe(db: Path) -> dict[str, dict]:
    """Everything the build did with the fixtures, per marker, in the shape of the catalogue's `expect`."""
    con = _connect(db)
    try:
        observed: dict[str, dict] = defaultdict(lambda: defaultdict(dict))
        marker_of = "regexp_extract(upper({}), 'BADIN[0-9]{{2}}')"
        for marker, counts in _grouped(
            con,
            f"""
            select coalesce(nullif({marker_of.format("natural_key")}, ''), {marker_of.format("source_file")}),
                source_table, quarantine_reason, count(*)
            from intermediate.int_rows_quarantined
            where upper(natural_key) like '%BADIN%' or upper(source_file) like '%BADIN%'
            group by all
            """,
        ).items():
            observed[marker]["row_quarantine"] = counts
        for marker, counts in _grouped(
            con,
            f"""
            select {marker_of.format("file_path")}, quarantine_reason, count(*)
            from intermediate.int_files_quarantined group by all
            """,
        ).items():
            observed[marker]["file_quarantine"] = counts
        for marker, counts in _grouped(
            con,
            f"""
            select {marker_of.format("file_path")}, check_name, count(*)
            from staging.stg_landing__file_checks group by all
            """,
        ).items():
            observed[marker]["file_checks"] = counts
        ids = "concat_ws('|', quarantined_record_id, source_record_id, order_id, referenced_ticket_id)"
        for marker, counts in _grouped(
            con,
            f"""
            select {marker_of.format(ids)}, quarantine_reason, count(*)
            from intermediate.int_orders_quarantined group by all
            """,
        ).items():
            observed[marker]["orders_quarantine"] = counts
        for marker, counts in _grouped(
            con,
            f"""
            select {marker_of.format("concat_ws('|', natural_key, referenced_value)")},
                reference_issue, count(*)
            from intermediate.int_references_checked group by all
            """,
        ).items():
            observed[marker]["references"] = counts
        for view in _relations(con, "staging", "stg_"):
            columns = {r[0] for r in con.execute(f"describe staging.{view}").fetchall()}
            if "_source_file" not in columns:
                continue
            for marker, n in _marker_counts(con, "staging", view, "_source_file").items():
                observed[marker]["staged"][view] = n
        for mart in _relations(con, "marts"):
            every_column = _all_columns_text(con, "marts", mart)
            for marker, n in _marker_counts(con, "marts", mart, every_column).items():
                observed[marker]["marts"][mart] = n
        return {marker: {k: dict(v) for k, v in blocks.items() if v} for marker, blocks in observed.items()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def bad_input(tiny, tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_input")
    landing = root / "landing"
    shutil.copytree(tiny["landing"], landing)
    written = inject(landing)
    db = root / "warehouse.duckdb"
    env = dbt_env(root, landing, db)

    check = [sys.executable, "-m", "omniwh.landing_check", "--landing", str(landing)]
    check += ["--project-dir", str(REPO)]
    first = _run(check, env)
    manifest = landing / "_rejected" / "manifest.parquet"
    first_rows = pq.read_table(manifest).num_rows if manifest.exists() else None
    second = _run(check, env)
    second_rows = pq.read_table(manifest).num_rows if manifest.exists() else None

    # unit tests need built relations (incremental models mock `this`); make test runs them on its warehouse
    build = _dbt(env, "build", "--exclude-resource-type", "unit_test")
    run_results = json.loads((root / "target" / "run_results.json").read_text())
    return {
        "root": root,
        "landing": landing,
        "db": db,
        "env": env,
        "written": written,
        "preflight": (first, second),
        "manifest_rows": (first_rows, second_rows),
        "build": build,
        "run_results": run_results,
        "observed": observe(db) if db.exists() else {},
    }


# ---------------------------------------------------------------------------------------------- expectations
def _expected(case: dict) -> dict:
    expect = {}
    for block, value in (case.get("expect") or {}).items():
        if block == "staged":
            expect[block] = {m: (v["count"] if isinstance(v, dict) else v) for m, v in value.items()}
        else:
            expect[block] = value
    return expect


def test_catalogue_covers_at_least_eighty_kinds():
    ids = [case["id"] for case in CASES]
    kinds = [case["kind"] for case in CASES]
    assert len(ids) == len(set(ids)) and len(kinds) == len(set(kinds))
    assert len(kinds) >= 80
    for case in CASES:
        assert MARKER.fullmatch(case["id"]), case["id"]
        for spec in case["files"]:
            assert case["id"].lower() in spec["path"], f"{case['id']}: file name must carry the marker"


def test_preflight_ran_and_is_idempotent(bad_input):
    first, second = bad_input["preflight"]
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    first_rows, second_rows = bad_input["manifest_rows"]
    assert first_rows and first_rows == second_rows, "a second run must not append to the manifest"
    assert "0 rejected, 0 new manifest rows" in second.stdout


def test_preflight_flags_only_fixture_files(bad_input):
    manifest = pq.read_table(bad_input["landing"] / "_rejected" / "manifest.parquet").to_pylist()
    assert all("badin" in row["file_path"] for row in manifest), [r["file_path"] for r in manifest]
    expected_rejected = sum(sum((c.get("expect") or {}).get("file_quarantine", {}).values()) for c in CASES)
    rejected = [row for row in manifest if row["action"] == "rejected"]
    assert len(rejected) == expected_rejected
    for row in rejected:
        assert not (bad_input["landing"] / row["file_path"]).exists(), "a rejected file stayed in the glob"
        assert (bad_input["landing"] / row["rejected_path"]).exists()


def test_build_succeeds_with_all_bad_input(bad_input):
    build = bad_input["build"]
    failed = [
        (r["unique_id"], r["status"], (r.get("message") or "")[:300])
        for r in bad_input["run_results"]["results"]
        if r["status"] in ("error", "fail", "runtime error", "skipped")
    ]
    assert build.returncode == 0 and not failed, f"{failed}\n{build.stdout[-4000:]}"


@pytest.mark.parametrize("case", CASES, ids=[f"{c['id']}-{c['kind']}" for c in CASES])
def test_each_kind_lands_exactly_where_expected(bad_input, case):
    observed = bad_input["observed"].get(case["id"], {})
    assert observed == _expected(case)


CLEANED_CASES = [
    case
    for case in CASES
    if any(isinstance(v, dict) for v in (case.get("expect") or {}).get("staged", {}).values())
]


@pytest.mark.parametrize("case", CLEANED_CASES, ids=lambda c: c["id"])
def test_cleaned_rows_carry_the_cleaned_values(bad_input, case):
    con = _connect(bad_input["db"])
    try:
        for model, spec in case["expect"]["staged"].items():
            if not isinstance(spec, dict):
                continue
            n = con.execute(
                f"select count(*) from staging.{model} where _source_file ilike ? and ({spec['where']})",
                [f"%{case['id'].lower()}%"],
            ).fetchone()[0]
            assert n == spec["count"], f"{model}: {n} rows satisfy {spec['where']}"
    finally:
        con.close()


def test_full_width_fixture_phone_is_nobodys(tiny):
    # the cleaned phone of BADIN06 must be a new number, or the fixture would link a real person
    truth = pq.read_table(tiny["truth"] / "identifiers.parquet").to_pylist()
    assert "13912340006" not in {r["identifier_value"] for r in truth}


# ---------------------------------------------------------------------------------------------- failing model
def _descendants(manifest: dict, node: str) -> set[str]:
    out, todo = set(), [node]
    while todo:
        for child in manifest["child_map"].get(todo.pop(), []):
            if child.startswith("model.") and child not in out:
                out.add(child)
                todo.append(child)
    return out


def _fingerprint(con, relation: str) -> tuple:
    return con.execute(f"select count(*), bit_xor(hash(t)) from {relation} as t").fetchone()


def test_failing_model_keeps_earlier_tables_and_skips_descendants(bad_input, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, project / part)
        elif source.exists():
            shutil.copy2(source, project / part)
    failing = project / "models" / "intermediate" / "orders" / "int_orders_unioned.sql"
    sql = failing.read_text(encoding="utf-8")
    assert sql.rstrip().endswith("select * from final")
    failing.write_text(
        sql.rstrip()[: -len("select * from final")]
        + "select * from final where error('forced failure of pytests/test_bad_input.py') is null\n",
        encoding="utf-8",
    )

    watched = [
        "staging.base_pos__transactions",  # upstream, not rebuilt
        "intermediate.int_pos_refunds_matched",  # upstream, rebuilt in the same run before the failure
        "intermediate.int_orders_unioned",  # the failing model's previous table
        "marts.fct_orders",  # downstream, skipped
        "marts.fct_order_lines",
        "marts.dim_members",
    ]
    con = _connect(bad_input["db"])
    before = {relation: _fingerprint(con, relation) for relation in watched}
    con.close()

    env = dbt_env(tmp_path, bad_input["landing"], bad_input["db"], target="target_failing")
    run = _dbt(env, "run", "--select", "int_pos_refunds_matched", "int_orders_unioned+", project=project)
    assert run.returncode != 0, "the forced failure did not fail the run"
    run_results = json.loads((tmp_path / "target_failing" / "run_results.json").read_text())
    results = {r["unique_id"]: r for r in run_results["results"]}
    manifest = json.loads((tmp_path / "target_failing" / "manifest.json").read_text())
    failing_id = "model.omnichannel_member_warehouse.int_orders_unioned"
    assert results[failing_id]["status"] == "error"
    assert "forced failure" in results[failing_id]["message"]
    assert results["model.omnichannel_member_warehouse.int_pos_refunds_matched"]["status"] == "success"
    descendants = _descendants(manifest, failing_id)
    assert len(descendants) >= 10
    statuses = {results[d]["status"] for d in descendants if d in results}
    assert statuses == {"skipped"}, {d: results[d]["status"] for d in descendants if d in results}
    assert descendants <= set(results), "a descendant was neither run nor skipped"

    con = _connect(bad_input["db"])
    after = {relation: _fingerprint(con, relation) for relation in watched}
    con.close()
    assert after == before


# ---------------------------------------------------------------------------------------------- consent
# cards of cases BADIN60-66 (pytests/fixtures/bad_input/cases.yml): each is a member in the audience of the
# SMS campaign BADIN60-CMP with a valid opt-in; BADIN61-65 then send a damaged opt-out, BADIN66 a damaged
# opt-out followed by a valid opt-in
CONSENT_CAMPAIGN = "BADIN60-CMP"
DAMAGED_OPT_OUT_CARDS = [f"BADIN{n}C0001" for n in range(61, 66)]
TARGETABLE_CARDS = ["BADIN60C0001", "BADIN66C0001"]


def _consent_by_card(con) -> dict[str, tuple]:
    rows = con.execute(
        """
        select resolved.identifier_value, targets.is_targetable, targets.exclusion_reason,
            members.sms_consent_status, spans.consent_status, spans.consent_source
        from intermediate.int_identifiers_resolved as resolved
        inner join marts.fct_campaign_target_list as targets
            on resolved.member_id = targets.member_id
        inner join marts.dim_members as members
            on resolved.member_id = members.member_id
        left join intermediate.int_card_consent_historized as spans
            on resolved.identifier_value = spans.card_no
            and spans.consent_channel = 'SMS'
            and spans.is_current
        where resolved.identifier_type = 'card_no'
            and resolved.identifier_value like 'BADIN6_C0001'
            and targets.campaign_id = ?
        """,
        [CONSENT_CAMPAIGN],
    ).fetchall()
    return {card: rest for card, *rest in rows}


def test_damaged_opt_out_keeps_the_member_out_of_every_target_list(bad_input):
    con = _connect(bad_input["db"])
    try:
        consent = _consent_by_card(con)
        # the rule lives in int_card_consent_historized, which every list reads (target list, dim_members,
        # the activation list): there the damaged opt-out is an OPT_OUT span from a quarantined row
        assert set(consent) == set(DAMAGED_OPT_OUT_CARDS + TARGETABLE_CARDS), consent
        for card in DAMAGED_OPT_OUT_CARDS:
            blocked = [False, "opted_out_at_send", "OPT_OUT", "OPT_OUT", "QUARANTINED_ROW"]
            assert consent[card] == blocked, card
        for card in TARGETABLE_CARDS:
            assert consent[card][:4] == [True, None, "OPT_IN", "OPT_IN"], card
        # an opt-out on an unknown channel blocks every channel of the card
        channels = con.execute(
            """
            select consent_channel, consent_status from intermediate.int_card_consent_historized
            where card_no = 'BADIN64C0001' and is_current order by 1
            """
        ).fetchall()
        every_channel = con.execute(
            "select distinct channel from staging.stg_crm__consent_events order by 1"
        ).fetchall()
        assert channels == [(channel, "OPT_OUT") for (channel,) in every_channel]
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------- future
def test_future_dated_extract_changes_no_monthly_mart(bad_input, tiny):
    # BADIN58 stamps a sale and its extract in 2091: quarantined, it must not move the as-of date, which the
    # tiny landing data (generated until tiny["until"]) puts on one of its last days
    con = _connect(bad_input["db"])
    try:
        as_of = con.execute("select max(as_of_date) from intermediate.int_metric_months_spined").fetchone()[0]
        until = dt.date.fromisoformat(tiny["until"])
        assert until - dt.timedelta(days=3) <= as_of <= until
        as_of_month = as_of.replace(day=1)
        month_columns = con.execute(
            """
            select table_name, column_name from information_schema.columns
            where table_schema = 'marts' and column_name like '%month%' and data_type in ('DATE', 'TIMESTAMP')
            order by 1, 2
            """
        ).fetchall()
        assert len({table for table, _ in month_columns}) >= 5, month_columns
        for table, column in month_columns:
            latest = con.execute(f'select max("{column}") from marts."{table}"').fetchone()[0]
            if isinstance(latest, dt.datetime):
                latest = latest.date()
            assert latest is None or latest <= as_of_month, (table, column, latest, as_of)
    finally:
        con.close()
