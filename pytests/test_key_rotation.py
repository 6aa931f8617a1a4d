"""Key rotation keeps member ids, erasure removes the whole person, the identity ledger survives a crash.

One tiny warehouse (data up to UNTIL) under key K1, in a copy of the project (the erasure list is a seed):

1. build the identity models; pick a person with a card, a mini-program account, Tmall and JD buyers and a
   WeCom contact; `omniwh erasure add --phone <one phone>` resolves them to the member and every identifier;
   a request matching no one is refused;
2. land the next day plus a platform binding that joins two other members (a merge), then stop the run right
   after int_member_ids_ledger (`dbt run --select +int_member_ids_ledger`: the ledger committed, the
   resolution it compares with not rebuilt, as after a kill -9), and run again: no event is written twice;
3. a run under another key K2 stops before any node, pointing to the re-key procedure;
4. the documented rotation (`omniwh erasure rekey`, `python -m omniwh.warehouse_rekey`, `dbt seed`,
   `dbt run --full-refresh` under K2): every member id identical, the erased person absent from every relation
   and every file dbt wrote, under either key's pseudonyms;
5. a request on the list that matches no one fails the build.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from test_erasure import ERASURE_LIST, needles_for, pick_person, scan_files, scan_warehouse
from test_identity_stability import (
    NEXT,
    UNTIL,
    _ledger,
    _pick_members_to_link,
    _query,
    _resolution,
    _write_crafted_binding,
)
from warehouse_helpers import DBT, copy_project, dbt_env

from omniwh.duckdb_plugin import keyed_hash_hex
from omniwh.generator import append, generate

K1 = "rotation-test-key-one"
K2 = "rotation-test-key-two"
IDENTITY = ("--select", "+path:models/intermediate/identity")
NO_TESTS = ("--exclude", "resource_type:test", "resource_type:unit_test")


def _dbt(env: dict, project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    cmd = [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=project)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")
    return done


def _python(env: dict, project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, cwd=project)


@pytest.fixture(scope="module")
def rotation(tmp_path_factory):
    root = tmp_path_factory.mktemp("rotation")
    project = copy_project(root)
    landing, truth = root / "landing", root / "truth"
    generate("tiny", 42, str(landing), str(truth), until=UNTIL, quiet=True)
    db = root / "warehouse.duckdb"
    base = dbt_env(root, landing, db)
    env1 = {**base, "OMNI_HASH_KEY": K1}
    env2 = {**base, "OMNI_HASH_KEY": K2}
    out: dict = {}

    # 1. identity under K1, the person, erasure by phone
    _dbt(env1, project, "build", *IDENTITY, *NO_TESTS)
    person = pick_person(db, truth, landing)
    card_member, buyer_member = _pick_members_to_link(db)
    assert person["member_id"] not in (card_member["member_id"], buyer_member["member_id"])
    phone = sorted(person["phones"])[0]
    erase = ["-m", "omniwh.erasure", "add", "--duckdb", str(db), "--list", str(ERASURE_LIST)]
    out["added"] = _python(env1, project, *erase, "--phone", phone, "--requested-on", UNTIL)
    out["nobody"] = _python(env1, project, *erase, "--card", "no-such-card-000")
    out["wrong_key"] = _python(env2, project, *erase, "--phone", phone)

    # 2. a merge lands; the run dies right after the ledger; the rerun
    append(NEXT, "tiny", 42, str(landing), quiet=True)
    _write_crafted_binding(landing, card_member["phone"], buyer_member["buyer_key"])
    _dbt(env1, project, "seed")
    _dbt(env1, project, "run", "--select", "+int_member_ids_ledger")
    out["ledger_crash"] = _ledger(db)
    _dbt(env1, project, "build", *IDENTITY, *NO_TESTS)
    out["ledger_rerun"] = _ledger(db)
    out["ids_k1"] = _resolution(db)
    out["registry_k1"] = _query(db, "select member_id from intermediate.int_member_ids_registered")

    # 3. another key stops the run
    out["other_key"] = _dbt(env2, project, "build", "--select", "int_identity_clusters", check=False)

    # 4. the rotation
    rotate = {**base, "OMNI_HASH_KEY_OLD": K1, "OMNI_HASH_KEY": K2}
    rekey_list = ["-m", "omniwh.erasure", "rekey", "--landing", str(landing), "--list", str(ERASURE_LIST)]
    out["list_rekey"] = _python(rotate, project, *rekey_list)
    out["warehouse_rekey"] = _python(rotate, project, "-m", "omniwh.warehouse_rekey", "--duckdb", str(db))
    _dbt(env2, project, "seed")
    _dbt(env2, project, "run", "--full-refresh")
    out["ids_k2"] = _resolution(db)
    values = {v for _, v in person["identifiers"]}
    needles = needles_for(person, landing)
    for key in (K1, K2):
        needles |= {keyed_hash_hex(v, key.encode()) for v in values}
        needles |= {keyed_hash_hex(f"{t}:{v}", key.encode()) for t, v in person["identifiers"]}
    out["hits"] = scan_warehouse(db, needles) + scan_files([root / "target", root / "logs"], needles)
    out["printed"] = "".join(
        out[k].stdout + out[k].stderr for k in ("added", "list_rekey", "warehouse_rekey")
    )

    # 5. a listed request that matches no one fails the build
    with (project / ERASURE_LIST).open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(["ER-TYPO", "phone", "ab" * 32, "2025-03-01"])
    out["typo_build"] = _dbt(env2, project, "build", "--select", "erasure_requests", check=False)
    out.update(person=person, needles=needles, card_member=card_member, buyer_member=buyer_member)
    return out


def test_erasure_by_phone_resolves_the_whole_person(rotation):
    added = rotation["added"]
    assert added.returncode == 0, added.stderr
    kinds = {t for t, _ in rotation["person"]["identifiers"]}
    assert {"card_no", "phone", "openid", "buyer_key"} <= kinds
    assert "matched 1 member(s)" in added.stdout
    for kind in kinds:
        assert kind in added.stdout


def test_a_request_matching_no_one_is_refused(rotation):
    assert rotation["nobody"].returncode == 2
    assert "matches no one" in rotation["nobody"].stderr


def test_a_request_under_another_key_than_the_warehouse_is_refused(rotation):
    assert rotation["wrong_key"].returncode == 2
    assert "not the key the warehouse" in rotation["wrong_key"].stderr


def test_a_crash_after_the_ledger_writes_no_event_twice(rotation):
    crash, rerun = rotation["ledger_crash"], rotation["ledger_rerun"]
    events = [(retired, surviving, kind) for retired, surviving, kind, *_ in rerun]
    assert len(events) == len(set(events)), events
    assert len(rerun) == len(crash)
    merged = {rotation["card_member"]["member_id"], rotation["buyer_member"]["member_id"]}
    assert [e for e in events if e[2] == "merge" and {e[0], e[1]} == merged]


def test_another_key_stops_before_any_node(rotation):
    other = rotation["other_key"]
    assert other.returncode != 0
    assert "not the key this warehouse was built with" in other.stdout
    assert "Rotating the hash key" in other.stdout


def test_rotation_keeps_every_member_id(rotation):
    assert rotation["list_rekey"].returncode == 0, rotation["list_rekey"].stderr
    assert rotation["warehouse_rekey"].returncode == 0, rotation["warehouse_rekey"].stderr
    before, after = rotation["ids_k1"], rotation["ids_k2"]
    assert before and after == before
    assert rotation["person"]["member_id"] not in set(after.values())


def test_after_rotation_the_erased_person_is_nowhere(rotation):
    assert rotation["hits"] == []
    assert not [n for n in rotation["needles"] if n in rotation["printed"]]


def test_a_listed_request_matching_no_one_fails_the_build(rotation):
    typo = rotation["typo_build"]
    assert typo.returncode != 0
    assert "assert_privacy_erasure_requests_match_someone" in typo.stdout, typo.stdout[-3000:]
