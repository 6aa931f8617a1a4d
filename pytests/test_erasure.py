"""Right to erasure end to end: an erased person leaves no trace, and re-ingesting the raw files keeps it so.

On the session's tiny landing data (read only) and a copy of the project: build the warehouse, pick a real
person of the generator's truth with identifiers in several systems, erase them by member id
(`python -m omniwh.erasure add --member-id ...`, which expands the member to every identifier the warehouse
resolved to it and appends keyed hashes to the erasure seed), rebuild, and scan every column of every table
and view of every schema of the DuckDB file, and every file dbt wrote (target/, logs/), for any of the
person's identifiers: as landed (raw phone formats), normalised, masked (`138****5678`), as keyed-hash
pseudonyms, and their member id. Then build again on the same raw files: still nothing. Store sales must be
unchanged (transactions are anonymised, not dropped), and the erased rows must be exactly those an
independent count over the raw files finds, counted in int_rows_erased and listed in no quarantine.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from warehouse_helpers import copy_project

from omniwh.duckdb_plugin import keyed_hash_hex, register_udfs, resolve_hash_key
from omniwh.erasure import ErasureError, erasure_digest, normalise, normalise_phone

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
ERASURE_LIST = Path("seeds/privacy/erasure_requests.csv")

# What each landing table does with an erased person's row, written independently of the dbt models as the
# oracle of the erased/anonymised counts: {table: (action, [(identifier type, raw columns)])}.
ERASURE_SPEC = {
    "pos/transactions": ("anonymised", [("card_no", ["card_no"]), ("phone", ["member_phone"])]),
    "ecommerce/orders": ("anonymised", [("buyer_key", ["platform", "buyer_id"])]),
    "ecommerce/membership_bindings": (
        "dropped",
        [("buyer_key", ["platform", "buyer_id"]), ("phone", ["phone"])],
    ),
    "behaviour/platform_events": ("dropped", [("buyer_key", ["platform", "buyer_id"])]),
    "miniprogram/users": (
        "dropped",
        [("openid", ["openid"]), ("unionid", ["unionid"]), ("phone", ["phone"])],
    ),
    "miniprogram/orders": ("anonymised", [("openid", ["openid"])]),
    "miniprogram/events": ("dropped", [("openid", ["openid"])]),
    "wecom/external_contacts": (
        "dropped",
        [("external_userid", ["external_userid"]), ("unionid", ["unionid"])],
    ),
    "wecom/staff": ("anonymised", [("phone", ["phone"])]),
    "crm/members": ("dropped", [("card_no", ["card_no"]), ("phone", ["phone"])]),
    "crm/points_ledger": ("dropped", [("card_no", ["card_no"])]),
    "crm/tier_changes": ("dropped", [("card_no", ["card_no"])]),
    "crm/consent_events": ("dropped", [("card_no", ["card_no"])]),
    "marketing/audiences": ("dropped", [("card_no", ["card_no"])]),
    "marketing/touches": ("dropped", [("card_no", ["card_no"])]),
    "marketing/coupons_issued": ("dropped", [("card_no", ["card_no"])]),
}
CSV_TABLES = {"pos/transactions", "pos/transaction_lines", "stores/store_master"}


def _dbt_build(env: dict, project: Path) -> None:
    # unit tests need built relations (incremental models mock `this`); make test runs them on its warehouse
    cmd = [
        DBT,
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=project)
    if done.returncode != 0:
        raise AssertionError(f"dbt build failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")


def _connect(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db), read_only=True)
    register_udfs(con, {})  # the demo key, as the build (its env drops OMNI_HASH_KEY)
    return con


def _phone_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalise_phone(value)
    except ErasureError:
        return None


def _reader(landing: Path, table: str) -> str:
    if table in CSV_TABLES:
        return (
            f"read_csv('{landing}/{table}/*/*.csv', hive_partitioning = true, union_by_name = true, "
            "all_varchar = true, header = true)"
        )
    return f"read_parquet('{landing}/{table}/*/*.parquet', hive_partitioning = true, union_by_name = true)"


def _landing_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.create_function("normalise_phone", _phone_or_none, ["VARCHAR"], "VARCHAR", null_handling="special")
    return con


def _normalised_sql(identifier_type: str, columns: list[str]) -> str:
    if identifier_type == "phone":
        return f"normalise_phone(cast({columns[0]} as varchar))"
    if identifier_type == "buyer_key":
        return "upper(trim(platform)) || ':' || trim(buyer_id)"
    return f"nullif(trim(cast({columns[0]} as varchar)), '')"


def raw_rows_of(landing: Path, identifiers: set[tuple[str, str]]) -> dict[str, int]:
    """Oracle: raw landed rows per table carrying any of ``identifiers`` (type, normalised value)."""
    con = _landing_connection()
    con.execute("create temp table erased (identifier_type varchar, identifier_value varchar)")
    con.executemany("insert into erased values (?, ?)", sorted(identifiers))
    counts = {}
    for table, (_, specs) in ERASURE_SPEC.items():
        matches = " or ".join(
            f"{_normalised_sql(t, cols)} in "
            f"(select identifier_value from erased where identifier_type = '{t}')"
            for t, cols in specs
        )
        counts[table] = con.execute(
            f"select count(*) from {_reader(landing, table)} where {matches}"
        ).fetchone()[0]
    con.close()
    return counts


def raw_phone_forms(landing: Path, phones: set[str]) -> set[str]:
    """Every distinct landed text of a phone column that normalises to one of ``phones``."""
    con = _landing_connection()
    forms = set()
    for table, column in (
        ("pos/transactions", "member_phone"),
        ("crm/members", "phone"),
        ("miniprogram/users", "phone"),
        ("ecommerce/membership_bindings", "phone"),
    ):
        for (value,) in con.execute(f"select distinct {column} from {_reader(landing, table)}").fetchall():
            if value is not None and _phone_or_none(value) in phones:
                forms.add(value.strip())
    con.close()
    return forms


def mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[7:]}"


def pick_person(db: Path, truth: Path, landing: Path) -> dict:
    """A real, ordinary person whose member holds exactly their identifiers, in as many systems as we can."""
    con = _connect(db)
    # the truth names a platform buyer `buyer_id`, the warehouse `buyer_key` (same platform:id value)
    con.execute(
        "create temp table truth_ids as select * replace "
        "(replace(identifier_type, 'buyer_id', 'buyer_key') as identifier_type) "
        f"from read_parquet('{truth}/identifiers.parquet')"
    )
    con.execute(f"create temp table people as select * from read_parquet('{truth}/people.parquet')")
    candidates = con.execute(
        """
        with person_ids as (
            select truth_ids.person_id, truth_ids.identifier_type, truth_ids.identifier_value,
                resolved.member_id
            from truth_ids
            left join intermediate.int_identifiers_resolved as resolved
                on truth_ids.identifier_type = resolved.identifier_type
                and truth_ids.identifier_value = resolved.identifier_value
                and not resolved.is_quarantined
            where not truth_ids.is_shared and not truth_ids.is_placeholder
        ),
        per_person as (
            select person_id, count(*) as identifiers, count(distinct identifier_type) as types,
                count(distinct member_id) as members, count(*) filter (where member_id is null) as unresolved,
                min(member_id) as member_id,
                count(distinct case when identifier_type = 'buyer_key'
                    then split_part(identifier_value, ':', 1) end) as platforms
            from person_ids group by person_id
        ),
        member_sizes as (
            select member_id, count(*) as identifiers
            from intermediate.int_identifiers_resolved where member_id is not null group by member_id
        )
        select per_person.person_id, per_person.member_id
        from per_person
        inner join member_sizes on per_person.member_id = member_sizes.member_id
        inner join people on per_person.person_id = people.person_id
        where per_person.members = 1 and per_person.unresolved = 0
            and member_sizes.identifiers = per_person.identifiers and per_person.types >= 3
            and not people.is_staff and not people.is_test and not people.is_family_shared_phone
        -- most identifier types first, then a Tmall AND a JD buyer (issue 14's whole-person erasure)
        order by per_person.types desc, per_person.platforms desc, per_person.identifiers desc,
            per_person.person_id
        """
    ).fetchall()
    all_masks = [
        mask(p)
        for (p,) in con.execute(
            "select phone from people union all select new_phone from people where new_phone is not null"
        ).fetchall()
    ]
    names = [n for (n,) in con.execute("select true_name from people").fetchall()]
    for person_id, member_id in candidates:
        identifiers = {
            (t, v)
            for t, v in con.execute(
                "select identifier_type, identifier_value from intermediate.int_identifiers_resolved "
                "where member_id = ?",
                [member_id],
            ).fetchall()
        }
        phones = {v for t, v in identifiers if t == "phone"}
        if any(all_masks.count(mask(p)) != 1 for p in phones):
            continue  # a masked phone shared with someone else would be a false trace
        if raw_rows_of(landing, identifiers)["pos/transactions"] == 0:
            continue  # we want till tickets to anonymise
        name = con.execute("select true_name from people where person_id = ?", [person_id]).fetchone()[0]
        con.close()
        return {
            "person_id": person_id,
            "member_id": member_id,
            "identifiers": identifiers,
            "phones": phones,
            "name": name if names.count(name) == 1 else None,
        }
    con.close()
    raise AssertionError("no suitable person in the truth")


def needles_for(person: dict, landing: Path) -> set[str]:
    key, _ = resolve_hash_key({})
    values = {v for _, v in person["identifiers"]}
    needles = set(values)
    needles |= {keyed_hash_hex(v, key) for v in values}  # pseudonyms as the marts would carry them
    needles |= {mask(p) for p in person["phones"]}
    needles |= raw_phone_forms(landing, person["phones"])
    # a buyer key's platform-scoped id without its prefix, as landed in buyer_id
    needles |= {v.split(":", 1)[1] for t, v in person["identifiers"] if t == "buyer_key"}
    needles.add(person["member_id"])
    if person["name"]:
        needles.add(person["name"])
    return needles


def scan_warehouse(db: Path, needles: set[str]) -> list[tuple[str, str, int]]:
    """(relation, needle kind, rows) for every table and view of every schema holding any needle."""
    pattern = "|".join(re.escape(n) for n in sorted(needles))
    con = _connect(db)
    hits = []
    try:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2"
        ).fetchall()
        assert len(relations) > 100
        for schema, name in relations:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchall()
            ]
            text = "concat_ws('|', " + ", ".join(f'cast("{c}" as varchar)' for c in columns) + ")"
            n = con.execute(
                f'select count(*) from "{schema}"."{name}" where regexp_matches({text}, ?)', [pattern]
            ).fetchone()[0]
            if n:
                hits.append((f"{schema}.{name}", "row", n))
    finally:
        con.close()
    return hits


def scan_files(folders: list[Path], needles: set[str]) -> list[tuple[str, str]]:
    encoded = [(n, n.encode("utf-8")) for n in needles]
    hits = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                hits.extend((str(path), n) for n, raw in encoded if raw in data)
    return hits


def _metrics(db: Path) -> dict:
    con = _connect(db)
    try:
        return {
            "orders": con.execute(
                "select channel, count(*), sum(net_sales_amount) from marts.fct_orders group by 1 order by 1"
            ).fetchall(),
            "members": con.execute("select count(*) from marts.dim_members").fetchone()[0],
            "erased": dict(
                con.execute(
                    "select source_table, erased_row_count + anonymised_row_count "
                    "from intermediate.int_rows_erased"
                ).fetchall()
            ),
            "actions": dict(
                con.execute(
                    "select source_table, case when erased_row_count > 0 then 'dropped' "
                    "when anonymised_row_count > 0 then 'anonymised' end from intermediate.int_rows_erased"
                ).fetchall()
            ),
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def erasure(tiny, built_tiny, tmp_path_factory):
    root = tmp_path_factory.mktemp("erasure")
    project = copy_project(root)
    # the session's tiny warehouse, built under the public demo key (the one this test computes pseudonyms
    # with), copied with the target/ and logs/ its build wrote; it reads the shared landing, never writes it
    built = built_tiny.copy_to(root)
    landing, truth, db = built.landing, Path(tiny["truth"]), built.db
    env = built.env()

    before = _metrics(db)
    person = pick_person(db, truth, landing)
    needles = needles_for(person, landing)
    hits_before = scan_warehouse(db, needles)
    oracle = raw_rows_of(landing, person["identifiers"])

    # by ONE identifier, the phone: the tool resolves it to the member and all of the member's identifiers
    add = [sys.executable, "-m", "omniwh.erasure", "add", "--phone", sorted(person["phones"])[0]]
    add += ["--duckdb", str(db), "--list", str(ERASURE_LIST), "--requested-on", "2025-05-01"]
    added = subprocess.run(add, env=env, capture_output=True, text=True, cwd=project)
    assert added.returncode == 0, added.stderr
    erasure_list = (project / ERASURE_LIST).read_text(encoding="utf-8")
    again = subprocess.run(add, env=env, capture_output=True, text=True, cwd=project)
    list_after_again = (project / ERASURE_LIST).read_text(encoding="utf-8")

    # target/ and logs/ keep what the build before the erasure wrote: the scan covers them as well
    _dbt_build(env, project)
    after = _metrics(db)
    hits_after = scan_warehouse(db, needles) + scan_files([root / "target", root / "logs"], needles)

    _dbt_build(env, project)  # the same raw files ingested again
    after_reingest = _metrics(db)
    hits_reingest = scan_warehouse(db, needles) + scan_files([root / "target", root / "logs"], needles)
    return {
        "person": person,
        "needles": needles,
        "hits_before": hits_before,
        "oracle": oracle,
        "added": added,
        "again": again,
        "erasure_list": erasure_list,
        "list_after_again": list_after_again,
        "before": before,
        "after": after,
        "after_reingest": after_reingest,
        "hits_after": hits_after,
        "hits_reingest": hits_reingest,
    }


def test_the_person_is_in_several_systems_and_visible_before_erasure(erasure):
    person = erasure["person"]
    assert len({t for t, _ in person["identifiers"]}) >= 3
    # card, mini-program account, platform buyer, WeCom contact: all erased by a request naming a phone (on
    # tiny data the person picked has a Tmall buyer; none with Tmall AND JD passed the picker's other filters)
    kinds = {t for t, _ in person["identifiers"]}
    assert {"card_no", "openid", "buyer_key", "external_userid", "phone"} <= kinds, kinds
    # the scan can see the person: without erasure they are all over the warehouse
    assert len(erasure["hits_before"]) >= 10, erasure["hits_before"]
    assert erasure["oracle"]["pos/transactions"] > 0 and erasure["oracle"]["crm/members"] > 0


def test_erasure_list_holds_only_keyed_hashes(erasure):
    rows = list(csv.DictReader(erasure["erasure_list"].splitlines()))
    assert len(rows) == len(erasure["person"]["identifiers"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", row["identifier_hash"]) for row in rows)
    assert not [n for n in erasure["needles"] if n in erasure["erasure_list"]]
    key, _ = resolve_hash_key({})
    expected = {(t, erasure_digest(t, normalise(t, v), key)) for t, v in erasure["person"]["identifiers"]}
    assert {(row["identifier_type"], row["identifier_hash"]) for row in rows} == expected


def test_the_tool_prints_what_the_phone_matched_per_identifier_type(erasure):
    out = erasure["added"].stdout
    assert "matched 1 member(s)" in out, out
    counts = {}
    for t, _ in erasure["person"]["identifiers"]:
        counts[t] = counts.get(t, 0) + 1
    for identifier_type, n in counts.items():
        assert f"{n} {identifier_type}" in out, out
    assert not [n for n in erasure["needles"] if n in out + erasure["added"].stderr]  # counts only


def test_adding_the_same_person_again_adds_nothing(erasure):
    assert erasure["again"].returncode == 0
    assert "nothing new" in erasure["again"].stdout
    assert erasure["list_after_again"] == erasure["erasure_list"]


def test_no_trace_after_rebuild(erasure):
    assert erasure["hits_after"] == []


def test_no_trace_after_reingesting_the_same_raw_files(erasure):
    assert erasure["hits_reingest"] == []
    assert erasure["after_reingest"] == erasure["after"]


def test_store_sales_are_unchanged(erasure):
    # the person's tickets and orders are anonymised, not dropped: every channel keeps its orders and money
    assert erasure["after"]["orders"] == erasure["before"]["orders"]


def test_the_member_is_gone_and_nobody_else(erasure):
    assert erasure["after"]["members"] == erasure["before"]["members"] - 1


def test_erased_rows_match_an_independent_count_of_the_raw_files(erasure):
    oracle = {table.replace("/", "__"): n for table, n in erasure["oracle"].items()}
    counted = {table: n for table, n in erasure["after"]["erased"].items() if n}
    assert counted == {table: n for table, n in oracle.items() if n}
    for table, action in erasure["after"]["actions"].items():
        if action:
            assert action == ERASURE_SPEC[table.replace("__", "/", 1)][0]
    assert all(n == 0 for n in erasure["before"]["erased"].values())


def test_sql_and_python_erasure_hashes_agree():
    # the dbt macro erasure_hash() and omniwh.erasure compute the same digest for the same identifier
    con = duckdb.connect()
    register_udfs(con, {})
    key, _ = resolve_hash_key({})
    for identifier_type, value in (
        ("phone", "13812345678"),
        ("buyer_key", "TMALL:t_abc"),
        ("card_no", "0012"),
    ):
        sql = con.execute(
            "select omni_keyed_hash('erasure|' || ? || '|' || ?)", [identifier_type, value]
        ).fetchone()[0]
        assert sql == erasure_digest(identifier_type, value, key)
    con.close()


@pytest.mark.parametrize(
    ("identifier_type", "raw", "normalised"),
    [
        ("phone", "+86 138 1234 5678", "13812345678"),
        ("phone", "１３８１２３４５６７８", "13812345678"),
        ("phone", "0086-13812345678", "13812345678"),
        ("card_no", " 100012345678 ", "100012345678"),
        ("buyer_key", "tmall: t_abc ", "TMALL:t_abc"),
        ("openid", "oAbC", "oAbC"),
    ],
)
def test_identifiers_are_normalised_as_staging_stores_them(identifier_type, raw, normalised):
    assert normalise(identifier_type, raw) == normalised


@pytest.mark.parametrize(
    ("identifier_type", "raw"),
    [("phone", "13800000000"), ("phone", "021-62345678"), ("buyer_key", "TAOBAO:x"), ("card_no", "  ")],
)
def test_identifiers_staging_never_stores_are_refused(identifier_type, raw):
    with pytest.raises(ErasureError):
        normalise(identifier_type, raw)


def test_parquet_oracle_reads_the_contract_columns(tiny):
    # guard for the oracle above: the columns it reads exist in the landed files
    landing = Path(tiny["landing"])
    for table, (_, specs) in ERASURE_SPEC.items():
        if table in CSV_TABLES:
            continue
        names = pq.read_schema(sorted((landing / table).glob("*/*.parquet"))[0]).names
        assert {c for _, cols in specs for c in cols} <= set(names), table
