"""Right to erasure on the incremental warehouse: no trace after a daily run, none after a re-delivery.

Since the base models of the large landing tables and the order chain are incremental, an erasure request must
reach rows landed long before the run (the erasure sweep of macros/incremental/landed_rows.sql), and the
never-rebuilt identity ledger must not keep the person. On tiny data (own landing copy, own project copy,
temporary DuckDB files):

1. the session's tiny data (up to UNTIL), built once for the session (fixture built_tiny: a full build),
   copied with its landing folder;
2. a daily load is appended (`omniwh append`) together with a membership binding that joins a real person's
   Tmall/JD buyer account to their card member: the incremental run merges the two members, so the person
   has orders on several channels and a merge in `int_member_ids_ledger`;
3. the person is erased by member id (`python -m omniwh.erasure add --member-id`), then
   `dbt seed --select erasure_requests` and an incremental `dbt build` (no --full-refresh);
4. no column of any table or view of any schema, and no file dbt wrote, holds any of the person's
   identifiers (as landed, normalised, masked, as keyed pseudonym), any of their member ids, or their name
   (the scan of pytests/test_erasure.py);
5. every incremental model, the order marts, the member 360 and the erased-row counts equal a full refresh of
   the same landing files and erasure list in a new DuckDB file;
6. the person's raw rows are delivered again in a later load, the day is built incrementally: still no trace,
   and the re-delivered rows are counted as erased.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_erasure import (
    ERASURE_LIST,
    mask,
    needles_for,
    scan_files,
    scan_warehouse,
    write_landed_parquet,
)
from test_incremental import _frozen_models
from warehouse_helpers import copy_project, dbt_env, relation_differences

from omniwh.generator import append
from omniwh.generator.ownership import record

DBT = str(Path(sys.executable).with_name("dbt"))
REPO = Path(__file__).resolve().parents[1]
UNTIL = dt.date(2025, 4, 30)
DAY1 = UNTIL + dt.timedelta(days=1)
DAY2 = UNTIL + dt.timedelta(days=2)
# never rebuilt (a history of runs): compared by the scan, not against a full refresh
NOT_COMPARED = {"int_member_ids_ledger", "int_member_ids_registered"}  # registered_at, run_id
ALSO_COMPARED = [
    "marts.fct_orders",
    "marts.fct_order_lines",
    "marts.dim_members",
    "intermediate.int_rows_erased",
    "intermediate.int_identifiers_resolved",
]


def _env(folder: Path, landing: Path) -> dict:
    # the demo key: the scan computes pseudonyms with it
    return dbt_env(folder, landing, folder / "warehouse.duckdb", key=None)


def _dbt(env: dict, project: Path, *args: str) -> None:
    cmd = [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=project)
    if done.returncode != 0:
        failed = "\n".join(
            line for line in done.stdout.splitlines() if "Failure in " in line or "Error in " in line
        )
        raise AssertionError(
            f"dbt {' '.join(args)} failed:\n{failed}\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
        )


def _query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def pick_split_person(db: Path, truth: Path) -> dict:
    """A real person the warehouse holds as two members: a lone Tmall/JD buyer with orders, and a member with
    exactly the person's other identifiers, a phone among them and till tickets."""
    rows = _query(
        db,
        f"""
        with truth_ids as (
            select
                replace(identifier_type, 'buyer_id', 'buyer_key') as identifier_type,
                identifier_value,
                person_id
            from read_parquet('{truth}/identifiers.parquet')
            where not is_shared and not is_placeholder
        ),
        people as (select * from read_parquet('{truth}/people.parquet')),
        resolved as (
            select truth_ids.*, ids.member_id
            from truth_ids
            left join intermediate.int_identifiers_resolved as ids
                on truth_ids.identifier_type = ids.identifier_type
                and truth_ids.identifier_value = ids.identifier_value
                and not ids.is_quarantined
        ),
        member_sizes as (
            select member_id, count(*) as identifiers
            from intermediate.int_identifiers_resolved where member_id is not null group by member_id
        ),
        member_channels as (
            select member_id, list(distinct channel) as channels
            from marts.fct_orders where member_id is not null group by member_id
        ),
        per_person as (
            select
                resolved.person_id,
                count(distinct resolved.member_id) as members,
                count(*) filter (where resolved.member_id is null) as unresolved,
                count(*) filter (where resolved.identifier_type = 'buyer_key') as buyers,
                count(*) filter (where resolved.identifier_type = 'phone') as phones,
                count(*) filter (where resolved.identifier_type = 'card_no') as cards,
                max(resolved.member_id) filter (where resolved.identifier_type = 'buyer_key') as buyer_member,
                max(resolved.member_id) filter (where resolved.identifier_type = 'card_no') as card_member,
                count(*) filter (where resolved.identifier_type <> 'buyer_key') as other_identifiers
            from resolved
            group by resolved.person_id
        )
        select per_person.person_id, per_person.buyer_member, per_person.card_member
        from per_person
        inner join people on per_person.person_id = people.person_id
        inner join member_sizes as buyer_size on per_person.buyer_member = buyer_size.member_id
        inner join member_sizes as card_size on per_person.card_member = card_size.member_id
        inner join member_channels as buyer_channels on per_person.buyer_member = buyer_channels.member_id
        inner join member_channels as card_channels on per_person.card_member = card_channels.member_id
        where per_person.members = 2 and per_person.unresolved = 0 and per_person.buyers = 1
            and per_person.phones = 1 and per_person.cards = 1
            and buyer_size.identifiers = 1 and card_size.identifiers = per_person.other_identifiers
            and list_contains(card_channels.channels, 'POS')
            and not people.is_staff and not people.is_test and not people.is_family_shared_phone
        order by per_person.other_identifiers desc, per_person.person_id
        """,
    )
    all_masks = [
        mask(p)
        for (p,) in _query(
            db,
            f"select phone from read_parquet('{truth}/people.parquet') union all "
            f"select new_phone from read_parquet('{truth}/people.parquet') where new_phone is not null",
        )
    ]
    names = [n for (n,) in _query(db, f"select true_name from read_parquet('{truth}/people.parquet')")]
    for person_id, buyer_member, card_member in rows:
        identifiers = {
            (t, v)
            for t, v in _query(
                db,
                "select identifier_type, identifier_value from intermediate.int_identifiers_resolved "
                "where member_id in (?, ?)",
                [buyer_member, card_member],
            )
        }
        phones = {v for t, v in identifiers if t == "phone"}
        if any(all_masks.count(mask(p)) != 1 for p in phones):
            continue  # a masked phone shared with someone else would be a false trace
        (name,) = _query(
            db,
            f"select true_name from read_parquet('{truth}/people.parquet') where person_id = ?",
            [person_id],
        )[0]
        return {
            "person_id": person_id,
            "member_ids": {buyer_member, card_member},
            "identifiers": identifiers,
            "phones": phones,
            "buyer_key": next(v for t, v in identifiers if t == "buyer_key"),
            "name": name if names.count(name) == 1 else None,
        }
    raise AssertionError("no person split into a lone buyer and a card member in the tiny data")


def _write_parquet(
    landing: Path, table: str, business_date: str, load: dt.date, rows: list[dict], tag: str
) -> None:
    write_landed_parquet(landing, table, business_date, f"{load:%Y%m%d}", rows, tag)
    _claim_as_demo_data(landing)


def _claim_as_demo_data(landing: Path) -> None:
    """The test's own landed files are synthetic: list them in the generator's marker, so that the build
    accepts the public demo key the scan computes pseudonyms with (real data needs a real key)."""
    record(landing)


def _bind(landing: Path, person: dict, load: dt.date) -> None:
    """The platform reports that the person's buyer account joined the brand membership with their phone."""
    platform, buyer_id = person["buyer_key"].split(":", 1)
    bound = dt.datetime.combine(load, dt.time(3, 0))
    row = {
        "platform": platform,
        "buyer_id": buyer_id,
        "phone": next(iter(person["phones"])),
        "bound_at": bound,
        "unbound_at": None,
        "updated_at": bound,
        "extracted_at": bound + dt.timedelta(hours=16),
    }
    _write_parquet(landing, "ecommerce/membership_bindings", f"{load:%Y-%m-%d}", load, [row], "bound")


def _redeliver(landing: Path, person: dict, load: dt.date) -> dict[str, int]:
    """The person's CRM card rows, till tickets and platform orders sent again in the load of ``load``: same
    content, a new extract time, a new file in the partition each row was first landed in (the contract puts
    a fact row in the partition of its business date)."""
    card = next(v for t, v in person["identifiers"] if t == "card_no")
    platform, buyer_id = person["buyer_key"].split(":", 1)
    extracted = dt.datetime.combine(load, dt.time(16, 20))
    con = duckdb.connect()
    counts = {}
    try:
        for table, where, params in (
            ("crm/members", "card_no = ?", [card]),
            ("ecommerce/orders", "platform = ? and buyer_id = ?", [platform, buyer_id]),
        ):
            cursor = con.execute(
                f"select * exclude (dt), cast(dt as varchar) as landed_dt "
                f"from read_parquet('{landing}/{table}/*/*.parquet', hive_partitioning = true, "
                f"union_by_name = true) where {where}",
                params,
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, r, strict=True), extracted_at=extracted) for r in cursor.fetchall()]
            assert rows, table
            for partition in sorted({r["landed_dt"] for r in rows}):
                batch = [r for r in rows if r["landed_dt"] == partition]
                _write_parquet(landing, table, partition, load, batch, "redelivered")
            counts[table] = len(rows)
        cursor = con.execute(
            f"select * exclude (filename, dt), cast(dt as varchar) as landed_dt "
            f"from read_csv('{landing}/pos/transactions/*/*.csv', hive_partitioning = true, "
            "union_by_name = true, filename = true, all_varchar = true, header = true) "
            "where trim(card_no) = ?",
            [card],
        )
        names = [d[0] for d in cursor.description]
        tickets = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()
    assert tickets, "the person has till tickets"
    columns = [n for n in names if n != "landed_dt"]
    for partition in sorted({t["landed_dt"] for t in tickets}):
        folder = landing / "pos" / "transactions" / f"dt={partition}"
        with open(
            folder / f"part-{load:%Y%m%d}-redelivered.csv", "w", encoding="utf-8", newline=""
        ) as handle:
            handle.write(",".join(columns) + "\n")
            for ticket in (t for t in tickets if t["landed_dt"] == partition):
                ticket["extracted_at"] = f"{load:%Y-%m-%d} 16:30:00"
                values = [
                    "" if ticket[c] is None else '"' + str(ticket[c]).replace('"', '""') + '"'
                    for c in columns
                ]
                handle.write(",".join(values) + "\n")
    counts["pos/transactions"] = len(tickets)
    _claim_as_demo_data(landing)
    return counts


def _incremental_relations(target: Path) -> list[str]:
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    models = sorted(
        f"{node['schema']}.{node['name']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"].get("materialized") == "incremental"
        and node["name"] not in NOT_COMPARED
    )
    return models + ALSO_COMPARED


def _ledger_rows(db: Path, member_ids: set[str]) -> int:
    ids = sorted(member_ids)
    marks = ", ".join("?" for _ in ids)
    return _query(
        db,
        f"select count(*) from intermediate.int_member_ids_ledger "
        f"where retired_member_id in ({marks}) or surviving_member_id in ({marks})",
        ids + ids,
    )[0][0]


def _erased_counts(db: Path) -> dict[str, int]:
    return dict(
        _query(
            db,
            "select source_table, erased_row_count + anonymised_row_count from intermediate.int_rows_erased",
        )
    )


@pytest.fixture(scope="module")
def scenario(tiny, built_tiny, tmp_path_factory):
    assert tiny["until"] == UNTIL.isoformat()
    root = tmp_path_factory.mktemp("erasure_incremental")
    project = copy_project(root)
    # 1. full build: the session's tiny warehouse (demo key), copied with its own landing (daily loads land)
    incremental = root / "incremental"
    built = built_tiny.copy_to(incremental, landing=True)
    landing, truth, db = built.landing, Path(tiny["truth"]), built.db
    env = _env(incremental, landing)
    person = pick_split_person(db, truth)

    # 2. a daily load, with the binding that merges the person's two members; incremental run
    append(DAY1.isoformat(), "tiny", 42, str(landing), quiet=True)
    _bind(landing, person, DAY1)
    _dbt(env, project, "run")
    card = next(v for t, v in person["identifiers"] if t == "card_no")
    (merged,) = _query(
        db,
        "select distinct member_id from intermediate.int_identifiers_resolved "
        "where (identifier_type, identifier_value) in (('card_no', ?), ('buyer_key', ?))",
        [card, person["buyer_key"]],
    )[0]
    person["merged_from"] = set(person["member_ids"])
    person["member_ids"].add(merged)
    person["member_id"] = merged
    channels = {
        c
        for (c,) in _query(db, "select distinct channel from marts.fct_orders where member_id = ?", [merged])
    }
    ledger_before = _ledger_rows(db, person["member_ids"])
    needles = needles_for(person, landing) | person["member_ids"]
    hits_before = scan_warehouse(db, needles)
    erased_before = _erased_counts(db)

    # 3. erasure request, then an incremental build of everything (with the data tests)
    add = [sys.executable, "-m", "omniwh.erasure", "add", "--member-id", merged, "--duckdb", str(db)]
    add += ["--list", str(project / ERASURE_LIST), "--requested-on", DAY1.isoformat()]
    added = subprocess.run(add, env=env, capture_output=True, text=True, cwd=project)
    assert added.returncode == 0, added.stderr
    _dbt(env, project, "seed", "--select", "erasure_requests")
    _dbt(env, project, "build", "--exclude-resource-type", "unit_test")
    hits_after = scan_warehouse(db, needles) + scan_files(
        [incremental / "target", incremental / "logs"], needles
    )
    erased_after = _erased_counts(db)
    ledger_after = _ledger_rows(db, person["member_ids"])

    # 4. a full refresh of the same landing files and list, in a new file
    full = root / "full_refresh"
    full_env = _env(full, landing)
    _dbt(full_env, project, "seed")
    _dbt(full_env, project, "run", "--full-refresh")
    relations = _incremental_relations(incremental / "target")
    # monthly snapshots keep closed months as reported (issue 18): their open months are compared; that the
    # person left the closed months too is what the scans of the warehouse check
    first_open = _query(
        db, "select min(snapshot_month) from intermediate.int_metric_months_spined where not is_closed_month"
    )[0][0]
    open_months = {
        rel: f"{column} >= date '{first_open.isoformat()}'"
        for rel, (column, _) in _frozen_models(incremental / "target").items()
    }
    differences = relation_differences(db, full / "warehouse.duckdb", relations, where=open_months)

    # 5. the person's raw rows delivered again in the next load; incremental build
    append(DAY2.isoformat(), "tiny", 42, str(landing), quiet=True)
    redelivered = _redeliver(landing, person, DAY2)
    _dbt(env, project, "build", "--exclude-resource-type", "unit_test")
    hits_redelivered = scan_warehouse(db, needles) + scan_files(
        [incremental / "target", incremental / "logs"], needles
    )
    return {
        "person": person,
        "channels": channels,
        "ledger_before": ledger_before,
        "ledger_after": ledger_after,
        "hits_before": hits_before,
        "hits_after": hits_after,
        "hits_redelivered": hits_redelivered,
        "erased_before": erased_before,
        "erased_after": erased_after,
        "erased_redelivered": _erased_counts(db),
        "redelivered": redelivered,
        "differences": differences,
    }


def test_the_person_has_orders_on_several_channels_and_a_ledger_merge(scenario):
    # figures for DECISIONS.md (pytest -s): what the erasure touched
    print(
        f"\nchannels {sorted(scenario['channels'])}; identifiers {len(scenario['person']['identifiers'])}; "
        f"relations holding the person before {len(scenario['hits_before'])}; "
        f"ledger rows before {scenario['ledger_before']} after {scenario['ledger_after']}; "
        f"erased/anonymised rows {dict(sorted((k, v) for k, v in scenario['erased_after'].items() if v))}; "
        f"re-delivered {scenario['redelivered']}; relations compared {len(scenario['differences'])}"
    )
    assert len(scenario["channels"]) >= 2, scenario["channels"]
    # two members before the binding, one after: the survivor keeps one of the two ids
    person = scenario["person"]
    assert len(person["merged_from"]) == 2 and person["member_id"] in person["merged_from"]
    # the merge is in the never-rebuilt ledger, and the scan sees the person all over the warehouse
    assert scenario["ledger_before"] >= 1
    assert len(scenario["hits_before"]) >= 10, scenario["hits_before"]
    assert any(rel == "intermediate.int_member_ids_ledger" for rel, _, _ in scenario["hits_before"])


def test_no_trace_after_the_incremental_erasure_build(scenario):
    assert scenario["hits_after"] == []
    assert scenario["ledger_after"] == 0
    assert all(n == 0 for n in scenario["erased_before"].values())
    assert scenario["erased_after"]["pos__transactions"] > 0 and scenario["erased_after"]["crm__members"] > 0


def test_incremental_erasure_equals_a_full_refresh(scenario):
    differences = scenario["differences"]
    assert (
        "staging.base_pos__transactions" in differences and "intermediate.int_orders_resolved" in differences
    )
    differing = {rel: diff for rel, diff in differences.items() if diff[1] or diff[2]}
    assert differing == {}, f"(rows, only incremental, only full refresh): {differing}"


def test_redelivered_raw_rows_do_not_bring_the_person_back(scenario):
    assert scenario["hits_redelivered"] == []
    after, again = scenario["erased_after"], scenario["erased_redelivered"]
    # the re-delivered rows were read and erased again: the erased counts grow by exactly those rows
    for table, rows in scenario["redelivered"].items():
        name = table.replace("/", "__")
        assert again[name] == after[name] + rows, (table, after[name], again[name], rows)
