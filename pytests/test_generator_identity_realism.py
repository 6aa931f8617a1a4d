"""The identity realism items that give one person two cards or two buyer accounts (`--identity-realism`).

Re-issued cards, duplicate enrolments and re-bound platform buyers: each planted at its documented rate, with
its ground truth, and landed the way the identity rules expect to read it (docs/generator.md "Identity
realism"). Generates the tiny scale once with the items on (~20 s).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pyarrow.parquet as pq
import pytest
from gen_helpers import normalise_phone, read

from omniwh.generator import generate
from omniwh.generator.config import Rates


@pytest.fixture(scope="module")
def realism(tmp_path_factory):
    root = tmp_path_factory.mktemp("identity_realism")
    landing, truth = root / "landing", root / "truth"
    rates = dataclasses.replace(Rates(), identity_realism=True)
    generate("tiny", 42, str(landing), str(truth), rates=rates, quiet=True)
    people = pq.read_table(truth / "people.parquet").to_pandas()
    ids = pq.read_table(truth / "identifiers.parquet").to_pandas()
    members = read(landing, "crm", "members").to_pandas()
    return {"landing": landing, "people": people, "ids": ids, "members": members}


def test_second_cards_at_their_rates_with_truth(realism):
    people, ids = realism["people"], realism["ids"]
    normal_members = people["card_no"].notna() & (people["card_type"] == "NORMAL")
    kinds = people["second_card_kind"].value_counts()
    n = int(normal_members.sum())
    # rates are of members eligible for the item (not in a family, no phone change, no recycled number),
    # so the realised share of all normal members is somewhat lower; never zero, never far above
    assert 0 < kinds.get("reissued", 0) <= 2 * Rates.reissued_card_share * n
    assert 0 < kinds.get("duplicate_enrolment", 0) <= 2 * Rates.duplicate_enrolment_share * n + 3
    second = people[people["second_card_no"].notna()]
    truth_cards = ids[ids["identifier_type"] == "card_no"].set_index("identifier_value")["person_id"]
    assert (truth_cards.reindex(second["second_card_no"]).to_numpy() == second["person_id"].to_numpy()).all()


def test_second_card_lands_as_the_same_person(realism):
    people, members = realism["people"], realism["members"]
    second = people[people["second_card_no"].notna()]
    for row in second.itertuples():
        old = members[members["card_no"] == row.card_no]
        new = members[members["card_no"] == row.second_card_no]
        assert len(new) >= 1, row.second_card_no
        # same name, birthday and phone as the first card: what the duplicate-enrolment rule compares
        assert set(new["member_name"]) == set(old["member_name"])
        assert set(new["birthday"].dropna()) <= set(old["birthday"].dropna())
        # the person's number, typed cleanly on the new enrolment (versions moved over from a re-issued card
        # keep the old record's text, which may be damaged)
        assert {normalise_phone(p) for p in new["phone"]} - {None} == {row.phone}
        if row.second_card_kind == "reissued":
            # the lost card is cancelled on the day the new one is issued, and never active again
            cancelled = old[old["member_status"] == "CANCELLED"]
            assert str(row.second_card_date) in set(cancelled["updated_at"].str[:10])
            assert (old["updated_at"].str[:10] <= str(row.second_card_date)).all()


def test_swipes_after_a_reissue_carry_the_new_card(realism):
    people = realism["people"]
    tx = read(realism["landing"], "pos", "transactions").to_pandas()
    tx["day"] = tx["transaction_time"].str[:10]
    reissued = people[people["second_card_kind"] == "reissued"]
    old_after = new_after = 0
    for row in reissued.itertuples():
        later = tx["day"] > str(row.second_card_date)
        old_after += int((later & (tx["card_no"] == row.card_no)).sum())
        new_after += int((later & (tx["card_no"] == row.second_card_no)).sum())
    assert old_after == 0
    assert new_after > 0


def test_rebound_buyers_bind_again_with_the_same_phone(realism):
    people, ids = realism["people"], realism["ids"]
    bindings = read(realism["landing"], "ecommerce", "membership_bindings").to_pandas()
    orders = read(realism["landing"], "ecommerce", "orders").to_pandas()
    buyers = ids[ids["identifier_type"] == "buyer_id"]
    rebound = people[people["tmall_rebound_date"].notna() | people["jd_rebound_date"].notna()]
    assert len(rebound) > 0
    for row in rebound.itertuples():
        mine = buyers[buyers["person_id"] == row.person_id]["identifier_value"].str.split(":", n=1)
        platform_ids = {(p, b) for p, b in mine}
        pairs = zip(bindings["platform"], bindings["buyer_id"], strict=True)
        keys = pd.Series(list(pairs), index=bindings.index)
        mine_bindings = bindings[keys.isin(platform_ids)]
        # two accounts of one platform bound to one phone, the old one unbound before the new one bound
        assert mine_bindings["buyer_id"].nunique() >= 2
        assert mine_bindings["phone"].map(normalise_phone).nunique() == 1
        unbound = pd.to_datetime(mine_bindings["unbound_at"].dropna(), utc=True)
        bound = pd.to_datetime(mine_bindings["bound_at"], utc=True)
        assert len(unbound) >= 1 and unbound.min() < bound.max()
        # orders after the re-binding come from the new account
        date = row.tmall_rebound_date if pd.notna(row.tmall_rebound_date) else row.jd_rebound_date
        old_id = mine_bindings.sort_values("bound_at")["buyer_id"].iloc[0]
        late = pd.to_datetime(orders["created_at"], utc=True) > pd.Timestamp(date, tz="UTC") + pd.Timedelta(
            days=1
        )
        assert not (late & (orders["buyer_id"] == old_id)).any()
