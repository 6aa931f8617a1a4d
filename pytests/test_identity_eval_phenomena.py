"""omniwh.identity_eval tags each person with the identity realism items the generator gave them."""

from __future__ import annotations

import pandas as pd

from omniwh.identity_eval import _phenomena


def test_phenomena_from_the_truth_people_table():
    people = pd.DataFrame(
        {
            "person_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
            "is_family_shared_phone": [True, False, False, False, False, False],
            "new_phone": [None, "13700000001", None, None, None, None],
            "recycled_phone_from_person_id": [None, None, "P4", None, None, None],
            "crm_phone_format": ["plain", "apostrophe", None, None, None, None],
            "second_card_kind": [None, None, None, None, "reissued", "duplicate_enrolment"],
            "tmall_rebound_date": [None, None, None, pd.Timestamp("2026-01-01"), None, None],
            "jd_rebound_date": [None, None, None, None, None, None],
        }
    )
    got = set(map(tuple, _phenomena(people)[["person_id", "phenomenon"]].to_numpy()))
    assert got == {
        ("P1", "family"),
        ("P2", "phone_change"),
        ("P2", "damaged_crm_phone"),
        ("P3", "recycled_phone"),
        ("P4", "recycled_phone"),  # the old owner of the number
        ("P4", "rebound_buyer"),
        ("P5", "reissued_card"),
        ("P6", "duplicate_enrolment"),
    }


def test_an_older_truth_without_the_columns_gives_no_phenomena():
    assert _phenomena(pd.DataFrame({"person_id": ["P1"]})).empty
