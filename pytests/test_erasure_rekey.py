"""Rotating the hash key does not bring erased people back: `python -m omniwh.erasure rekey`.

The erasure list holds keyed hashes only, so under a new OMNI_HASH_KEY its entries match nothing. `rekey`
recovers each listed identifier from the landing files (and `_rejected/`) under the old key and rewrites the
list under the new one; it refuses to write while an entry cannot be recovered.

- On a hand-made landing folder (fast): identifiers are found in Parquet and CSV files, split buyer keys, raw
  phone formats, a rejected GB18030 CSV DuckDB cannot read; an unreadable file is counted; an entry found
  nowhere makes it refuse (nothing written) unless `--allow-unresolved`, which keeps that entry unchanged; a
  second run is harmless; keys are taken from environment variables only and never printed.
- End to end on the session's tiny landing data: a person is erased under the old key, the list is re-keyed,
  and the staging layer (where erasure is applied) is built with the new key: the person is absent. The same
  build with the list NOT re-keyed has the person back, which is what the test would see if rekey did nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warehouse_helpers import dbt_env

from omniwh.duckdb_plugin import register_udfs
from omniwh.erasure import EXIT_UNRESOLVED, add_to_list, erasure_digest, main, normalise, read_list

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
PROJECT_PARTS = ("models", "macros", "seeds", "tests", "analyses", "dbt_project.yml", "profiles.yml")
ERASURE_LIST = Path("seeds/privacy/erasure_requests.csv")
OLD_KEY = "old-key-" + secrets.token_hex(16)
NEW_KEY = "new-key-" + secrets.token_hex(16)


def _parquet(path: Path, columns: dict[str, list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)


@pytest.fixture
def hand_made(tmp_path):
    """A landing folder with one person's identifiers spread over files, and a list of five entries."""
    landing = tmp_path / "landing"
    _parquet(
        landing / "crm/members/dt=2025-01-01/part-20250101.parquet",
        {"card_no": ["100000000001", "100000000009"], "phone": ["+86 138 0013 8001", None]},
    )
    _parquet(
        landing / "ecommerce/orders/dt=2025-01-01/part-20250101.parquet",
        {"order_id": ["T1"], "platform": ["tmall"], "buyer_id": [" t_abc "]},
    )
    rejected_csv = landing / "_rejected/pos/transactions/dt=2025-01-02/part-20250102.csv"
    rejected_csv.parent.mkdir(parents=True)
    # a GBK export: DuckDB refuses it (not UTF-8), the preflight moved it out of the glob
    rejected_csv.write_bytes("ticket_id,card_no,member_phone,cashier\nK1,100000000002,,张三\n".encode("gbk"))
    broken = landing / "_rejected/crm/members/dt=2025-01-03/part-20250103.parquet"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"PAR1 this is not a parquet file")
    erasure_list = tmp_path / "erasure_requests.csv"
    people = [
        ("card_no", "100000000001"),
        ("phone", "13800138001"),
        ("buyer_key", "TMALL:t_abc"),
        ("card_no", "100000000002"),  # only in the rejected CSV
        ("openid", "o-nowhere"),  # in no file: cannot be re-keyed
    ]
    add_to_list(erasure_list, people, OLD_KEY.encode(), "ER-20250501-abcdef", dt.date(2025, 5, 1))
    env = {"OMNI_HASH_KEY_OLD": OLD_KEY, "OMNI_HASH_KEY": NEW_KEY}
    args = ["rekey", "--list", str(erasure_list), "--landing", str(landing), "--project-dir", str(REPO)]
    return {"list": erasure_list, "env": env, "args": args, "people": people}


def _secrets_in(text: str, hand_made: dict, hashes: list[str]) -> list[str]:
    needles = [OLD_KEY, NEW_KEY, *hashes]
    needles += [value for _, value in hand_made["people"]] + ["13800138001", "t_abc"]
    return [n for n in needles if n in text]


def test_rekey_refuses_while_an_entry_cannot_be_found(hand_made, capsys):
    before = hand_made["list"].read_text(encoding="utf-8")
    code = main(hand_made["args"], hand_made["env"])
    out = capsys.readouterr()
    assert code == EXIT_UNRESOLVED
    assert "refused" in out.err and "unresolved 1 openid" in out.out
    assert hand_made["list"].read_text(encoding="utf-8") == before  # nothing written
    hashes = [row["identifier_hash"] for row in read_list(hand_made["list"])]
    assert _secrets_in(out.out + out.err, hand_made, hashes) == []


def test_rekey_rewrites_every_found_entry_under_the_new_key(hand_made, capsys):
    before = read_list(hand_made["list"])
    code = main([*hand_made["args"], "--allow-unresolved"], hand_made["env"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "re-keyed 1 buyer_key, 2 card_no, 1 phone" in out.out
    assert "1 rejected files (1 unreadable)" in out.out
    after = read_list(hand_made["list"])
    assert [(r["request_id"], r["identifier_type"], r["requested_on"]) for r in after] == [
        (r["request_id"], r["identifier_type"], r["requested_on"]) for r in before
    ]
    for (identifier_type, value), row in zip(hand_made["people"], after, strict=True):
        new_digest = erasure_digest(identifier_type, normalise(identifier_type, value), NEW_KEY.encode())
        if value == "o-nowhere":
            # kept as it was: it matches nothing under the new key, and says so in the report
            assert row["identifier_hash"] != new_digest
            assert row == before[-1]
        else:
            assert row["identifier_hash"] == new_digest
    # the list holds hashes by design, but neither key nor any identifier; the output not even the hashes
    assert _secrets_in(hand_made["list"].read_text(encoding="utf-8"), hand_made, []) == []
    hashes = [r["identifier_hash"] for r in before + after]
    assert _secrets_in(out.out + out.err, hand_made, hashes) == []

    # a second run (the operator retries) recognises the entries already under the new key
    again = main([*hand_made["args"], "--allow-unresolved"], hand_made["env"])
    out = capsys.readouterr()
    assert again == 0 and "already under the new key 4" in out.out
    assert read_list(hand_made["list"]) == after


def test_rekey_dry_run_writes_nothing(hand_made, capsys):
    before = hand_made["list"].read_text(encoding="utf-8")
    assert main([*hand_made["args"], "--allow-unresolved", "--dry-run"], hand_made["env"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert hand_made["list"].read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("extra", "env_change", "message"),
    [
        # the key pasted where the variable's NAME belongs: refused without echoing it
        (["--old-key-env", OLD_KEY], {}, "NAME of an environment variable"),
        ([], {"OMNI_HASH_KEY_OLD": ""}, "OMNI_HASH_KEY_OLD (--old-key-env) is not set"),
        ([], {"OMNI_HASH_KEY_OLD": NEW_KEY}, "the same"),
    ],
)
def test_keys_come_from_named_environment_variables_only(hand_made, capsys, extra, env_change, message):
    before = hand_made["list"].read_text(encoding="utf-8")
    code = main([*hand_made["args"], *extra], {**hand_made["env"], **env_change})
    out = capsys.readouterr()
    assert code == 2 and message in out.err
    assert OLD_KEY not in out.out + out.err and NEW_KEY not in out.out + out.err
    assert hand_made["list"].read_text(encoding="utf-8") == before


# ------------------------------------------------------------------------------------------- end to end


def _env(root: Path, landing: Path, db: Path, key: str) -> dict:
    env = dbt_env(root, landing, db, key=key, target=db.parent / "target", logs=db.parent / "logs")
    env.pop("OMNI_HASH_KEY_OLD", None)
    return env


def _build_staging(env: dict, project: Path) -> None:
    """Seeds and the staging layer: where the erasure list is applied (macro erasure_flagged)."""
    for args in (["seed"], ["run", "--select", "path:models/staging"]):
        cmd = [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=project)
        assert done.returncode == 0, f"dbt {args} failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"


def _person_rows(db: Path, needles: list[str], key: str) -> dict[str, int]:
    """Rows per staging relation holding any of ``needles`` in any column."""
    pattern = "|".join(re.escape(n) for n in needles)
    con = duckdb.connect(str(db), read_only=True)
    register_udfs(con, {"OMNI_HASH_KEY": key})
    hits = {}
    try:
        relations = con.execute(
            "select table_name from information_schema.tables where table_schema = 'staging' order by 1"
        ).fetchall()
        for (name,) in relations:
            columns = con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'staging' and table_name = ?",
                [name],
            ).fetchall()
            text = "concat_ws('|', " + ", ".join(f'cast("{c}" as varchar)' for (c,) in columns) + ")"
            n = con.execute(
                f'select count(*) from staging."{name}" where regexp_matches({text}, ?)', [pattern]
            ).fetchone()[0]
            if n:
                hits[name] = n
    finally:
        con.close()
    return hits


@pytest.fixture(scope="module")
def rotated(tiny, tmp_path_factory):
    root = tmp_path_factory.mktemp("rekey")
    project = root / "project"
    project.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, project / part, ignore=shutil.ignore_patterns("erasure_requests.csv"))
        else:
            shutil.copy2(source, project / part)
    landing = Path(tiny["landing"])
    con = duckdb.connect()
    card, phone = con.execute(
        f"""
        select members.card_no, members.phone
        from read_parquet('{landing}/crm/members/*/*.parquet') as members
        where members.phone is not null and members.card_type = 'NORMAL'
            and members.card_no in (
                select card_no from read_csv('{landing}/pos/transactions/*/*.csv', all_varchar = true)
            )
        order by members.card_no
        limit 1
        """
    ).fetchone()
    con.close()
    erasure_list = project / ERASURE_LIST
    add = [sys.executable, "-m", "omniwh.erasure", "add", "--card", card, "--phone", phone]
    add += ["--list", str(erasure_list), "--requested-on", "2025-05-01"]
    # no warehouse: the tool finds the identifiers in the landing files and erases them as given
    add += ["--duckdb", str(root / "no_warehouse.duckdb"), "--landing", str(landing)]
    added = subprocess.run(add, env={**os.environ, "OMNI_HASH_KEY": OLD_KEY}, capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    old_list = erasure_list.read_text(encoding="utf-8")

    rekey = [sys.executable, "-m", "omniwh.erasure", "rekey", "--list", str(erasure_list)]
    rekey += ["--landing", str(landing), "--project-dir", str(project)]
    rekey_env = {**os.environ, "OMNI_HASH_KEY_OLD": OLD_KEY, "OMNI_HASH_KEY": NEW_KEY}
    rekeyed = subprocess.run(rekey, env=rekey_env, capture_output=True, text=True, cwd=project)
    new_list = erasure_list.read_text(encoding="utf-8")

    needles = [card, phone]
    db_rekeyed = root / "rekeyed" / "warehouse.duckdb"
    db_rekeyed.parent.mkdir()
    _build_staging(_env(root, landing, db_rekeyed, NEW_KEY), project)

    erasure_list.write_text(old_list, encoding="utf-8")  # what a rotation without rekey would leave
    db_stale = root / "stale" / "warehouse.duckdb"
    db_stale.parent.mkdir()
    _build_staging(_env(root, landing, db_stale, NEW_KEY), project)
    return {
        "rekeyed": rekeyed,
        "old_list": old_list,
        "new_list": new_list,
        "person_after_rekey": _person_rows(db_rekeyed, needles, NEW_KEY),
        "person_with_stale_list": _person_rows(db_stale, needles, NEW_KEY),
        "needles": needles,
    }


def test_rekey_on_the_landing_files_resolves_the_person(rotated):
    done = rotated["rekeyed"]
    assert done.returncode == 0, done.stderr
    assert "re-keyed 1 card_no, 1 phone" in done.stdout and "unresolved 0" in done.stdout
    old_rows = list(csv.DictReader(rotated["old_list"].splitlines()))
    new_rows = list(csv.DictReader(rotated["new_list"].splitlines()))
    assert len(new_rows) == len(old_rows) == 2
    assert {r["identifier_hash"] for r in new_rows}.isdisjoint(r["identifier_hash"] for r in old_rows)
    printed = done.stdout + done.stderr
    assert not [s for s in (OLD_KEY, NEW_KEY, *rotated["needles"]) if s in printed]


def test_the_erased_person_stays_out_after_rotation(rotated):
    assert rotated["person_after_rekey"] == {}


def test_without_rekey_the_erased_person_comes_back(rotated):
    # the list under the old key matches nothing under the new one: the card and phone are staged again
    hits = rotated["person_with_stale_list"]
    assert hits.get("stg_crm__members", 0) > 0 and hits.get("stg_pos__transactions", 0) > 0, hits
