"""Privacy by default, checked on the dbt project itself (no warehouse needed).

One `dbt compile` of the consent tests in tests/privacy/ (against an empty scratch DuckDB file) writes the
manifest and their compiled SQL. Then:

- every column of a source, model or seed whose NAME says it holds personal data (phone, name, nickname,
  birthday, unionid, openid, buyer id / key, external_userid, card number, identifier values, raw quarantined
  rows) is tagged `pii` AND carries `meta: {pii: true}`, and the two markers always go together;
- no model under models/marts/ has a column that is pii-tagged or named like personal data;
- no data test that reads a node holding pii columns can store its failing rows (store_failures resolved to
  false, explicitly, so that `dbt test --store-failures` cannot turn it on either);
- the consent tests return exactly the planted violations on a crafted warehouse (member-level opt-outs on a
  sibling card, ties, opt-outs after the send, channels not governed by CRM consent, cards outside the
  identity graph), so they can fail and fail for the right reasons.

See docs/data_protection.md for the policy these checks enforce.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warehouse_helpers import dbt_env

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
PROJECT = "omnichannel_member_warehouse"
CONSENT_TESTS = [
    "assert_privacy_consent_violations_flagged",
    "assert_privacy_no_send_to_opted_out_member",
    "assert_privacy_member_consent_is_latest_statement",
]

# Column names that hold personal data. Matched on the whole name, lower case.
PERSONAL_COLUMN = re.compile(
    r"""^(?:
        (?:[a-z0-9]+_)*phone                                   # phone, member_phone, staff phone, ...
      | (?:member|staff|customer|receiver|contact|user)_name | name | nickname
      | birthday | birth_date | date_of_birth
      | (?:[a-z0-9]+_)*(?:unionid|openid|buyer_id|buyer_key|external_userid|card_no)
      | (?:[a-z0-9]+_)*identifier_value | left_value | right_value   # identity graph and operator rules
      | natural_key | raw_record                               # the quarantine list's keys and raw rows
    )$""",
    re.VERBOSE,
)
# Names the pattern matches that are not personal data, with the reason.
NOT_PERSONAL = {
    "masked_phone": "masked `138****5678`: the published form of a phone, never an identifier",
    "store_phone": "a store's business line printed on its door, not a natural person's number",
}


def is_personal_column(name: str) -> bool:
    name = name.lower()
    if name in NOT_PERSONAL or name.startswith(("is_", "has_")):
        return False
    return bool(PERSONAL_COLUMN.match(name))


def _pii_markers(column: dict) -> tuple[bool, bool]:
    config = column.get("config") or {}
    tagged = "pii" in (column.get("tags") or []) or "pii" in (config.get("tags") or [])
    meta = column.get("meta") or {}
    flagged = bool(meta.get("pii")) or bool((config.get("meta") or {}).get("pii"))
    return tagged, flagged


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy_manifest")
    env = dbt_env(root, None, root / "scratch.duckdb")  # compile only: no landing data read
    cmd = [
        DBT,
        "compile",
        "--select",
        *CONSENT_TESTS,
        "--project-dir",
        str(REPO),
        "--profiles-dir",
        str(REPO),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, f"dbt compile failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"
    manifest = json.loads((root / "target" / "manifest.json").read_text(encoding="utf-8"))
    sql = {
        name: (root / "target" / "compiled" / PROJECT / "tests" / "privacy" / f"{name}.sql").read_text()
        for name in CONSENT_TESTS
    }
    return {"manifest": manifest, "sql": sql}


def _relations(manifest: dict):
    """Every node that has documented columns: sources, models, seeds, snapshots."""
    for node in manifest["sources"].values():
        yield node
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed", "snapshot"):
            yield node


def _is_mart(node: dict) -> bool:
    return node["resource_type"] == "model" and len(node["fqn"]) > 2 and node["fqn"][1] == "marts"


def _pii_columns(node: dict) -> set[str]:
    return {name for name, column in node["columns"].items() if any(_pii_markers(column))}


# ---------------------------------------------------------------- the classifier itself


@pytest.mark.parametrize(
    "name",
    [
        "phone",
        "member_phone",
        "staff_phone",
        "member_name",
        "staff_name",
        "nickname",
        "birthday",
        "unionid",
        "openid",
        "buyer_id",
        "buyer_key",
        "external_userid",
        "card_no",
        "primary_card_no",
        "identifier_value",
        "anchor_identifier_value",
        "via_identifier_value",
        "left_value",
        "natural_key",
        "raw_record",
    ],
)
def test_personal_names_are_recognised(name):
    assert is_personal_column(name)


@pytest.mark.parametrize(
    "name",
    [
        "masked_phone",
        "phone_hash",
        "phone_issue",
        "phone_count",
        "phone_authorised_at",
        "store_phone",
        "store_phone_digits",
        "has_authorised_miniprogram_phone",
        "store_name",
        "campaign_name",
        "banner_name",
        "tier_name",
        "card_no_count",
        "unionid_count",
        "birth_year",
        "birth_month",
        "member_id",
        "consumer_id",
        "identifier_type",
        "staff_id",
    ],
)
def test_other_names_are_not(name):
    assert not is_personal_column(name)


# ---------------------------------------------------------------- tags


def test_every_personal_column_is_tagged_pii_with_meta(compiled):
    untagged = []
    for node in _relations(compiled["manifest"]):
        for name, column in node["columns"].items():
            if is_personal_column(name) and _pii_markers(column) != (True, True):
                untagged.append(f"{node['original_file_path']}: {node['name']}.{name} {_pii_markers(column)}")
    assert not untagged, (
        "personal columns need `config: {tags: ['pii'], meta: {pii: true}}` (tags, meta):\n"
        + "\n".join(sorted(untagged))
    )


def test_pii_tag_and_meta_go_together(compiled):
    half = [
        f"{node['name']}.{name}"
        for node in _relations(compiled["manifest"])
        for name, column in node["columns"].items()
        if len(set(_pii_markers(column))) == 2
    ]
    assert not half, f"tag `pii` without meta pii (or the reverse): {sorted(half)}"


def test_tags_are_in_use(compiled):
    """The checks above are only meaningful if the project does tag its personal columns."""
    tagged = [
        (node["name"], name) for node in _relations(compiled["manifest"]) for name in _pii_columns(node)
    ]
    assert len(tagged) >= 50, f"only {len(tagged)} pii columns in the whole project?"
    assert any(
        node["resource_type"] == "source" and _pii_columns(node) for node in _relations(compiled["manifest"])
    )


def test_no_mart_has_a_personal_column(compiled):
    marts = [node for node in compiled["manifest"]["nodes"].values() if _is_mart(node)]
    assert marts, "no model under models/marts/ found"
    offending = []
    for node in marts:
        for name, column in node["columns"].items():
            if any(_pii_markers(column)) or is_personal_column(name):
                offending.append(f"{node['name']}.{name}")
    assert not offending, f"marts must carry only masked values and keyed hashes: {sorted(offending)}"


# ---------------------------------------------------------------- the hash key stays out of Jinja

_KEY_IN_JINJA = re.compile(r"""env_var\(\s*['"](?:DBT_ENV_SECRET_)?OMNI_HASH_KEY""")


def test_no_sql_or_config_reads_the_hash_key(compiled):
    """dbt writes every env_var() value into its manifest and partial-parse state, and rendered SQL into
    target/: the key must only ever be read by the Python UDF (omniwh/duckdb_plugin.py)."""
    manifest = compiled["manifest"]
    texts = {uid: node.get("raw_code") or "" for uid, node in manifest["nodes"].items()}
    texts.update({uid: macro.get("macro_sql") or "" for uid, macro in manifest["macros"].items()})
    for name in ("dbt_project.yml", "profiles.yml"):
        texts[name] = (REPO / name).read_text(encoding="utf-8")
    texts.update(
        {str(p.relative_to(REPO)): p.read_text(encoding="utf-8") for p in REPO.glob("models/**/*.yml")}
    )
    assert any("keyed_hash(" in text for text in texts.values())
    offending = sorted(uid for uid, text in texts.items() if _KEY_IN_JINJA.search(text))
    assert not offending, f"OMNI_HASH_KEY read through Jinja in {offending}"
    assert "OMNI_HASH_KEY" not in json.dumps(manifest["metadata"].get("env", {}))


# ---------------------------------------------------------------- stored test failures


def test_no_test_over_personal_data_stores_failures(compiled):
    manifest = compiled["manifest"]
    holders = {
        unique_id: _pii_columns(node)
        for unique_id, node in {**manifest["nodes"], **manifest["sources"]}.items()
        if node["resource_type"] in ("model", "seed", "snapshot", "source") and _pii_columns(node)
    }
    over_pii, storing = [], []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        column = node.get("column_name")
        attached = node.get("attached_node")
        on_pii_column = attached in holders and column in holders[attached]
        reads_pii_node = any(parent in holders for parent in node["depends_on"]["nodes"])
        if not (on_pii_column or reads_pii_node):
            continue
        over_pii.append(node["name"])
        config = node["config"]
        # `false` explicitly (not unset): should_store_failures() only falls back to the --store-failures
        # flag when the config is None, and store_failures_as would override both.
        never_stored = config.get("store_failures") is False
        never_stored = never_stored and config.get("store_failures_as") in (None, "ephemeral")
        if not never_stored:
            storing.append(
                f"{node['name']}: store_failures={config.get('store_failures')!r}, "
                f"store_failures_as={config.get('store_failures_as')!r}"
            )
    assert len(over_pii) >= 20, f"only {len(over_pii)} tests read personal data: is the pii tagging lost?"
    assert not storing, "tests over personal data must not store failing rows:\n" + "\n".join(sorted(storing))


# ---------------------------------------------------------------- consent tests on a crafted warehouse

# Times are UTC. Member M1 holds cards A1 and A2; everyone else one card; Q1 is quarantined (no member).
_CONSENT_EVENTS = [
    # card, channel, status, changed_at
    ("A1", "SMS", "OPT_IN", "2025-03-01 00:00:00"),
    ("A2", "SMS", "OPT_OUT", "2025-03-05 00:00:00"),  # M1 opts out on the other card: member-level violation
    ("B1", "SMS", "OPT_OUT", "2025-03-01 00:00:00"),
    ("B1", "SMS", "OPT_IN", "2025-03-06 00:00:00"),  # opted back in before the send: fine
    ("C1", "SMS", "OPT_IN", "2025-03-01 00:00:00"),
    ("C1", "SMS", "OPT_OUT", "2025-03-20 00:00:00"),  # opt-out after the send: fine then, not now
    ("D1", "SMS", "OPT_IN", "2025-03-08 00:00:00"),
    ("D1", "SMS", "OPT_OUT", "2025-03-08 00:00:00"),  # tie: the opt-out wins
    ("E1", "SMS", "OPT_OUT", "2025-03-01 00:00:00"),  # opted out of SMS, sent on Tmall (not CRM-governed)
    ("Q1", "SMS", "OPT_OUT", "2025-03-01 00:00:00"),  # quarantined card: judged on its own statements
    ("H1", "SMS", "OPT_OUT", "2025-03-01 00:00:00"),  # holdout card touched anyway: still a violation
    ("G1", "WECOM", "OPT_IN", "2025-03-01 00:00:00"),  # no SMS statement at all (NO_RECORD), WeCom in
]
_SENDS = [
    # campaign, card, first touch (UTC)
    ("C1", "A1", "2025-03-10 02:00:00"),
    ("C1", "B1", "2025-03-10 02:00:00"),
    ("C1", "C1", "2025-03-10 02:00:00"),
    ("C1", "D1", "2025-03-10 02:00:00"),
    ("C1", "Q1", "2025-03-10 02:00:00"),
    ("C1", "H1", "2025-03-10 02:00:00"),
    ("C1", "G1", "2025-03-10 02:00:00"),
    ("C2", "E1", "2025-03-10 02:00:00"),
]
_HOLDOUT = {"H1"}
_MEMBERS = {"A1": "M1", "A2": "M1", "B1": "M2", "C1": "M3", "D1": "M4", "E1": "M5", "H1": "M6", "G1": "M7"}
# What the campaign model flags today (card level): the member-level violation of A1 is missing.
_FLAGGED = {("C1", "D1"), ("C1", "Q1"), ("C1", "H1")}
# What dim_members publishes: M1 as OPT_IN on SMS is wrong (latest statement: opt-out on A2); M7 as OPT_IN on
# SMS is wrong (no statement); M2 OPT_IN is right; M4 NULL is harmless.
_PUBLISHED_SMS = {
    "M1": "OPT_IN",
    "M2": "OPT_IN",
    "M3": "OPT_OUT",
    "M4": None,
    "M5": "OPT_OUT",
    "M6": "OPT_OUT",
    "M7": "OPT_IN",
}


def _crafted_warehouse(database: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"attach ':memory:' as {database}")
    for schema in ("staging", "intermediate", "seeds", "marts"):
        con.execute(f"create schema {database}.{schema}")
    con.execute(
        f"create table {database}.staging.stg_crm__consent_events "
        "(card_no varchar, channel varchar, consent_status varchar, changed_at timestamp)"
    )
    con.executemany(
        f"insert into {database}.staging.stg_crm__consent_events values (?, ?, ?, ?)", _CONSENT_EVENTS
    )
    con.execute(
        f"create table {database}.staging.stg_marketing__touches "
        "(touch_id varchar, campaign_id varchar, card_no varchar, touch_status varchar, touched_at timestamp)"
    )
    for i, (campaign, card, at) in enumerate(_SENDS):
        con.execute(
            f"insert into {database}.staging.stg_marketing__touches values (?, ?, ?, 'SENT', ?), "
            "(?, ?, ?, 'DELIVERED', ?::timestamp + interval 1 minute)",
            [f"T{i}s", campaign, card, at, f"T{i}d", campaign, card, at],
        )
    con.execute(
        f"create table {database}.staging.stg_marketing__audiences "
        "(campaign_id varchar, card_no varchar, is_holdout boolean)"
    )
    con.executemany(
        f"insert into {database}.staging.stg_marketing__audiences values (?, ?, ?)",
        [(campaign, card, card in _HOLDOUT) for campaign, card, _ in _SENDS],
    )
    con.execute(
        f"create table {database}.staging.stg_marketing__campaigns as select * from "
        "(values ('C1', 'SMS', true), ('C2', 'TMALL', true)) as c(campaign_id, channel, is_current)"
    )
    con.execute(
        f"create table {database}.seeds.campaign_channel_consent as select * from (values "
        "('SMS', 'SMS'), ('WECOM', 'WECOM'), ('MINIPROGRAM', 'MINIPROGRAM'), ('TMALL', null)) "
        "as s(campaign_channel, consent_channel)"
    )
    con.execute(
        f"create table {database}.intermediate.int_identifiers_resolved "
        "(identifier_type varchar, identifier_value varchar, member_id varchar)"
    )
    con.executemany(
        f"insert into {database}.intermediate.int_identifiers_resolved values ('card_no', ?, ?)",
        [*_MEMBERS.items(), ("Q1", None)],
    )
    con.execute(
        f"create table {database}.intermediate.int_campaign_touches_consent_checked "
        "(campaign_id varchar, card_no varchar, consent_status_at_send varchar, is_consent_violation boolean)"
    )
    con.executemany(
        f"insert into {database}.intermediate.int_campaign_touches_consent_checked values (?, ?, ?, ?)",
        [
            (c, card, "OPT_OUT" if (c, card) in _FLAGGED else "OPT_IN", (c, card) in _FLAGGED)
            for c, card, _ in _SENDS
        ],
    )
    con.execute(
        f"create table {database}.marts.dim_members (member_id varchar, sms_consent_status varchar, "
        "wecom_consent_status varchar, miniprogram_consent_status varchar, email_consent_status varchar)"
    )
    con.executemany(
        f"insert into {database}.marts.dim_members values (?, ?, null, null, null)",
        list(_PUBLISHED_SMS.items()),
    )
    return con


def _run_compiled(compiled: dict, name: str) -> list[dict]:
    sql = compiled["sql"][name]
    database = re.search(r'from "([^"]+)"\."staging"', sql).group(1)
    con = _crafted_warehouse(database)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def test_consent_violations_flagged_catches_a_missed_member_level_opt_out(compiled):
    rows = _run_compiled(compiled, "assert_privacy_consent_violations_flagged")
    assert [(r["campaign_id"], r["card_no"]) for r in rows] == [("C1", "A1")]
    assert rows[0]["card_consent_status_at_send"] == "OPT_IN"
    assert rows[0]["member_consent_status_at_send"] == "OPT_OUT"


def test_no_send_to_opted_out_member_lists_every_violation(compiled):
    rows = _run_compiled(compiled, "assert_privacy_no_send_to_opted_out_member")
    got = {r["card_no"]: r for r in rows}
    assert set(got) == {"A1", "D1", "Q1", "H1"}
    assert got["A1"]["is_member_statement_on_other_card"] is True
    assert got["H1"]["is_holdout"] is True
    assert got["Q1"]["member_id"] is None and got["Q1"]["member_consent_status_at_send"] == "OPT_OUT"


def test_member_consent_published_as_opt_in_only_on_a_latest_opt_in(compiled):
    rows = _run_compiled(compiled, "assert_privacy_member_consent_is_latest_statement")
    got = {(r["member_id"], r["channel"]): r["latest_consent_status"] for r in rows}
    assert got == {("M1", "SMS"): "OPT_OUT", ("M7", "SMS"): "NO_RECORD"}
