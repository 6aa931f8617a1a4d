"""Score the identity graph against the generator's ground truth.

    python -m omniwh.identity_eval --duckdb data/warehouse.duckdb --truth data/truth

Reads ``int_identifiers_resolved``, ``int_identifiers_linked`` and ``int_identity_graph_edges`` from the
warehouse (read-only) and ``identifiers.parquet`` from the truth folder, and prints:

* pairwise precision and recall over identifiers: a pair of identifiers is *predicted* when both have the
  same non-NULL member_id and *true* when both belong to the same person;
* recall over LINKABLE pairs and the share of true pairs that are NOT linkable (see below);
* the guards' checks: zero graph edges through a quarantined identifier, no quarantined identifier with a
  member, and the member partition equal to scipy's connected components of the same edge list.

The universe of the pairwise figures (documented in DECISIONS.md, "Identity rules"):

* only identifiers the warehouse has seen (in ``int_identifiers_resolved``) and the truth knows;
* placeholder and store phones are excluded (they belong to nobody);
* a family-shared phone belongs to several people, so a pair through it is neither true nor false: shared
  identifiers are excluded from the pairs and reported on their own (how many the guards quarantined, and
  whether any was assigned to a member that holds several people);
* identifiers of staff and test persons are excluded: the guards quarantine staff and test cards (and staff
  phones) by policy, so employees are deliberately not stitched; they are counted and reported apart.

A true pair is *linkable* when the staged evidence joins the two identifiers through a chain of links whose
every identifier is in the universe and belongs to that same person (``int_identifiers_linked`` restricted
that way). A pair that is not linkable cannot be found by any resolver that trusts only the data: a buyer who
never bound a phone, an openid without unionid or authorised phone, a family member whose only bridge is the
shared phone. Recall over linkable pairs is the resolver's own recall; the unlinkable share is the data's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass, field

import duckdb
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

TRUTH_TYPE_NAMES = {"buyer_id": "buyer_key"}


@dataclass
class IdentityScore:
    identifiers_in_warehouse: int = 0
    identifiers_unknown_to_truth: int = 0
    truth_identifiers_never_landed: int = 0
    placeholder_identifiers_seen: int = 0
    placeholder_identifiers_quarantined: int = 0
    shared_identifiers_seen: int = 0
    shared_identifiers_quarantined: int = 0
    shared_identifiers_in_multi_person_member: int = 0
    staff_or_test_identifiers_excluded: int = 0
    universe_identifiers: int = 0
    universe_identifiers_quarantined: int = 0
    predicted_pairs: int = 0
    true_pairs: int = 0
    true_positive_pairs: int = 0
    linkable_pairs: int = 0
    linkable_true_positive_pairs: int = 0
    precision: float = 1.0
    recall: float = 1.0
    recall_linkable: float = 1.0
    unlinkable_share: float = 0.0
    members_with_several_persons: int = 0
    graph_edges_through_quarantined: int = 0
    quarantined_with_member: int = 0
    components_match_scipy: bool = True
    unlinkable_pairs_by_types: dict = field(default_factory=dict)
    missed_linkable_pairs_by_guard: dict = field(default_factory=dict)
    false_pairs_by_types: dict = field(default_factory=dict)
    staff_or_test_identifiers_with_member: int = 0
    by_phenomenon: dict = field(default_factory=dict)
    false_merges_by_cause: dict = field(default_factory=dict)
    false_splits_by_cause: dict = field(default_factory=dict)


# phenomena of the truth's people table (identity realism items of the generator, docs/generator.md); a
# person can have several. Columns missing from an older truth simply give no rows.
DAMAGED_PHONE_FORMATS = (
    "apostrophe",
    "point_zero",
    "scientific",
    "trunk_zero",
    "invisible",
    "scientific_lost",
)


def _phenomena(people: pd.DataFrame) -> pd.DataFrame:
    """One row per (person_id, phenomenon) for the people the generator gave an identity phenomenon."""
    tags = []
    if "is_family_shared_phone" in people:
        family = people["is_family_shared_phone"].fillna(False)
        tags.append(people.loc[family, ["person_id"]].assign(p="family"))
    if "new_phone" in people:
        tags.append(people.loc[people["new_phone"].notna(), ["person_id"]].assign(p="phone_change"))
    if "recycled_phone_from_person_id" in people:
        new_owner = people["recycled_phone_from_person_id"].notna()
        old_owner = people["person_id"].isin(people.loc[new_owner, "recycled_phone_from_person_id"])
        tags.append(people.loc[new_owner | old_owner, ["person_id"]].assign(p="recycled_phone"))
    if "crm_phone_format" in people:
        damaged = people["crm_phone_format"].isin(DAMAGED_PHONE_FORMATS)
        tags.append(people.loc[damaged, ["person_id"]].assign(p="damaged_crm_phone"))
    if "second_card_kind" in people:
        for kind, name in (("reissued", "reissued_card"), ("duplicate_enrolment", "duplicate_enrolment")):
            tags.append(people.loc[people["second_card_kind"] == kind, ["person_id"]].assign(p=name))
    rebound = [c for c in ("tmall_rebound_date", "jd_rebound_date") if c in people]
    if rebound:
        tags.append(people.loc[people[rebound].notna().any(axis=1), ["person_id"]].assign(p="rebound_buyer"))
    if not tags:
        return pd.DataFrame({"person_id": [], "phenomenon": []})
    return pd.concat(tags).rename(columns={"p": "phenomenon"}).drop_duplicates()


def _pairs(counts: pd.Series | np.ndarray) -> int:
    c = np.asarray(counts, dtype=np.int64)
    return int((c * (c - 1) // 2).sum())


def _type_pair(a: pd.Series, b: pd.Series) -> pd.Series:
    lo = np.where(a.to_numpy() <= b.to_numpy(), a, b)
    hi = np.where(a.to_numpy() <= b.to_numpy(), b, a)
    return pd.Series(lo, index=a.index) + "-" + pd.Series(hi, index=a.index)


def _pair_breakdown(frame: pd.DataFrame, group_cols: list[str]) -> dict:
    """Number of identifier pairs inside each group, broken down by the pair's identifier types."""
    out: dict[str, int] = {}
    per_type = frame.groupby(group_cols + ["identifier_type"], dropna=False).size().reset_index(name="n")
    merged = per_type.merge(per_type, on=group_cols, suffixes=("_a", "_b"))
    merged = merged[merged["identifier_type_a"] <= merged["identifier_type_b"]]
    same = merged["identifier_type_a"] == merged["identifier_type_b"]
    counts = np.where(same, merged["n_a"] * (merged["n_a"] - 1) // 2, merged["n_a"] * merged["n_b"])
    keys = merged["identifier_type_a"] + "-" + merged["identifier_type_b"]
    for k, v in pd.Series(counts, index=keys).groupby(level=0).sum().items():
        if v:
            out[str(k)] = int(v)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _read_truth(truth_path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = pd.read_parquet(os.path.join(truth_path, "identifiers.parquet"))
    ids["identifier_type"] = ids["identifier_type"].replace(TRUTH_TYPE_NAMES)
    people = pd.read_parquet(os.path.join(truth_path, "people.parquet"))
    return ids, people


def evaluate(duckdb_path: str, truth_path: str, schema: str = "intermediate") -> IdentityScore:
    score = IdentityScore()
    truth, people = _read_truth(truth_path)
    con = duckdb.connect(duckdb_path, read_only=True)
    try:
        resolved = con.sql(
            f"select identifier_type, identifier_value, member_id, is_quarantined, guard_reason "
            f"from {schema}.int_identifiers_resolved"
        ).df()
        links = con.sql(
            f"select left_type, left_value, right_type, right_value from {schema}.int_identifiers_linked"
        ).df()
        guarded = con.sql(f"select node_key, is_quarantined from {schema}.int_identifiers_guarded").df()
        clusters = con.sql(f"select node_key, member_id from {schema}.int_identity_clusters").df()
        edges = con.sql(f"select node_key_low, node_key_high from {schema}.int_identity_graph_edges").df()
        dropped_links = con.sql(
            f"select identifier_type, identifier_value, guard_reason "
            f"from {schema}.int_identity_guard_decisions where decision_type = 'drop_link' union all "
            f"select other_identifier_type, other_identifier_value, guard_reason "
            f"from {schema}.int_identity_guard_decisions where decision_type = 'drop_link'"
        ).df()
    finally:
        con.close()

    key = ["identifier_type", "identifier_value"]
    score.identifiers_in_warehouse = len(resolved)

    # --- identifiers the truth says are shared or belong to nobody --------------------------------
    truth_flags = truth.groupby(key, as_index=False).agg(
        person_count=("person_id", "nunique"),
        is_shared=("is_shared", "max"),
        is_placeholder=("is_placeholder", "max"),
    )
    seen = resolved.merge(truth_flags, on=key, how="left", indicator=True)
    score.identifiers_unknown_to_truth = int((seen["_merge"] == "left_only").sum())
    landed = truth_flags.merge(resolved[key], on=key, how="left", indicator=True)
    score.truth_identifiers_never_landed = int((landed["_merge"] == "left_only").sum())

    placeholder = seen["is_placeholder"].fillna(False).astype(bool)
    score.placeholder_identifiers_seen = int(placeholder.sum())
    score.placeholder_identifiers_quarantined = int((placeholder & seen["is_quarantined"]).sum())

    shared = seen["is_shared"].fillna(False).astype(bool) | (seen["person_count"].fillna(0) > 1)
    shared &= ~placeholder
    score.shared_identifiers_seen = int(shared.sum())
    score.shared_identifiers_quarantined = int((shared & seen["is_quarantined"]).sum())

    # person of every identifier with exactly one person
    single = truth.merge(truth_flags[truth_flags["person_count"] == 1][key], on=key)
    single = single.drop_duplicates(key)[key + ["person_id"]]
    single = single.merge(people[["person_id", "is_staff", "is_test"]], on="person_id", how="left")
    phenomena = _phenomena(people)

    # members that hold identifiers of several persons (using every single-person identifier)
    member_persons = resolved.dropna(subset=["member_id"]).merge(single, on=key)
    persons_per_member = member_persons.groupby("member_id")["person_id"].nunique()
    multi_person_members = set(persons_per_member[persons_per_member > 1].index)
    score.members_with_several_persons = len(multi_person_members)
    shared_members = seen.loc[shared & seen["member_id"].notna(), "member_id"]
    score.shared_identifiers_in_multi_person_member = int(shared_members.isin(multi_person_members).sum())

    # --- the universe -----------------------------------------------------------------------------
    universe = resolved.merge(single, on=key)
    is_staff = universe["is_staff"].fillna(False).astype(bool)
    staff_or_test = is_staff | universe["is_test"].fillna(False).astype(bool)
    score.staff_or_test_identifiers_excluded = int(staff_or_test.sum())
    score.staff_or_test_identifiers_with_member = int(universe.loc[staff_or_test, "member_id"].notna().sum())
    universe = universe[~staff_or_test].reset_index(drop=True)
    score.universe_identifiers = len(universe)
    score.universe_identifiers_quarantined = int(universe["is_quarantined"].sum())
    # a quarantined identifier belongs to no member: it is a singleton
    universe["predicted"] = universe["member_id"].where(
        universe["member_id"].notna(), "Q:" + universe.index.astype(str)
    )

    score.predicted_pairs = _pairs(universe.groupby("predicted").size())
    score.true_pairs = _pairs(universe.groupby("person_id").size())
    score.true_positive_pairs = _pairs(universe.groupby(["predicted", "person_id"]).size())

    # --- linkability: same-person evidence chains inside the universe ---------------------------------------
    idx = pd.Series(np.arange(len(universe)), index=pd.MultiIndex.from_frame(universe[key]))
    left = links.rename(columns={"left_type": "identifier_type", "left_value": "identifier_value"})
    li = idx.reindex(pd.MultiIndex.from_frame(left[key])).to_numpy()
    right = links.rename(columns={"right_type": "identifier_type", "right_value": "identifier_value"})
    ri = idx.reindex(pd.MultiIndex.from_frame(right[key])).to_numpy()
    ok = ~np.isnan(li) & ~np.isnan(ri)
    li, ri = li[ok].astype(np.int64), ri[ok].astype(np.int64)
    person = universe["person_id"].to_numpy()
    same = person[li] == person[ri]
    li, ri = li[same], ri[same]
    n = len(universe)
    graph = coo_matrix((np.ones(len(li), np.int8), (li, ri)), shape=(n, n))
    _, linkable_label = connected_components(graph, directed=False)
    universe["linkable"] = linkable_label
    score.linkable_pairs = _pairs(universe.groupby(["person_id", "linkable"]).size())
    by_cell = universe.groupby(["predicted", "person_id", "linkable"]).size()
    score.linkable_true_positive_pairs = _pairs(by_cell)

    score.precision = score.true_positive_pairs / score.predicted_pairs if score.predicted_pairs else 1.0
    score.recall = score.true_positive_pairs / score.true_pairs if score.true_pairs else 1.0
    score.recall_linkable = (
        score.linkable_true_positive_pairs / score.linkable_pairs if score.linkable_pairs else 1.0
    )
    score.unlinkable_share = 1.0 - score.linkable_pairs / score.true_pairs if score.true_pairs else 0.0

    # --- where the pairs go -----------------------------------------------------------------------
    # unlinkable pairs by type = true pairs by type - linkable pairs by type
    true_by = _pair_breakdown(universe, ["person_id"])
    linkable_by = _pair_breakdown(universe, ["person_id", "linkable"])
    score.unlinkable_pairs_by_types = {
        k: v - linkable_by.get(k, 0) for k, v in true_by.items() if v - linkable_by.get(k, 0) > 0
    }
    predicted_by = _pair_breakdown(universe, ["predicted"])
    tp_by = _pair_breakdown(universe, ["predicted", "person_id"])
    score.false_pairs_by_types = {
        k: v - tp_by.get(k, 0) for k, v in predicted_by.items() if v - tp_by.get(k, 0) > 0
    }
    # linkable pairs missed, attributed to the guard reasons of the identifiers of the person-component
    parts = universe.groupby(["person_id", "linkable"])["predicted"].nunique()
    split_cells = parts[parts > 1].reset_index()[["person_id", "linkable"]]
    missed = universe.merge(split_cells, on=["person_id", "linkable"])
    reasons = missed.groupby(["person_id", "linkable"])["guard_reason"].agg(
        lambda s: ",".join(sorted(set(s.dropna())))
    )
    score.missed_linkable_pairs_by_guard = {
        (k or "no guard"): int(v) for k, v in reasons.value_counts().items()
    }
    _explain(score, universe, split_cells, missed, phenomena, dropped_links)

    # --- guard and component checks ---------------------------------------------------------------
    quarantined_keys = set(guarded.loc[guarded["is_quarantined"], "node_key"].to_numpy().tolist())
    ends = np.concatenate([edges["node_key_low"].to_numpy(), edges["node_key_high"].to_numpy()])
    score.graph_edges_through_quarantined = int(pd.Series(ends).isin(quarantined_keys).sum())
    score.quarantined_with_member = int((resolved["is_quarantined"] & resolved["member_id"].notna()).sum())
    score.components_match_scipy = components_match(clusters, edges)
    return score


def _explain(score, universe, split_cells, missed, phenomena, dropped_links) -> None:
    """Figures per phenomenon, and false merges / splits listed by cause."""
    key = ["identifier_type", "identifier_value"]
    tags = phenomena.groupby("person_id")["phenomenon"].agg(lambda s: ",".join(sorted(set(s))))
    for name, persons in phenomena.groupby("phenomenon")["person_id"]:
        inside = universe["person_id"].isin(set(persons))
        rest = universe[~inside]
        touched_predicted = score.predicted_pairs - _pairs(rest.groupby("predicted").size())
        touched_tp = score.true_positive_pairs - _pairs(rest.groupby(["predicted", "person_id"]).size())
        part = universe[inside]
        linkable = _pairs(part.groupby(["person_id", "linkable"]).size())
        linkable_tp = _pairs(part.groupby(["predicted", "person_id", "linkable"]).size())
        score.by_phenomenon[str(name)] = {
            "persons": int(persons.nunique()),
            "identifiers": int(inside.sum()),
            "predicted_pairs_touching": int(touched_predicted),
            "precision": touched_tp / touched_predicted if touched_predicted else 1.0,
            "linkable_pairs": int(linkable),
            "recall_linkable": linkable_tp / linkable if linkable else 1.0,
        }
    # a false merge: a member holding several persons; its cause is the persons' phenomena
    members = universe[universe["member_id"].notna()]
    persons = members.groupby("member_id")["person_id"].unique()
    causes: dict[str, int] = {}
    for person_list in persons[persons.map(len) > 1]:
        cause = ",".join(sorted({tags.get(p, "no phenomenon") for p in person_list}))
        causes[cause] = causes.get(cause, 0) + 1
    score.false_merges_by_cause = dict(sorted(causes.items(), key=lambda kv: -kv[1]))
    # a false split: a linkable person-part in several members; cause = the guards and dropped links
    # touching its identifiers, and the person's phenomena
    dropped = dropped_links.drop_duplicates(key + ["guard_reason"])
    missed = missed.merge(dropped.rename(columns={"guard_reason": "dropped"}), on=key, how="left")
    causes = {}
    for (person, _), part in missed.groupby(["person_id", "linkable"]):
        reasons = set(part["guard_reason"].dropna()) | set(part["dropped"].dropna())
        cause = ",".join(sorted(reasons)) or "no guard"
        cause += " / " + tags.get(person, "no phenomenon")
        causes[cause] = causes.get(cause, 0) + 1
    score.false_splits_by_cause = dict(sorted(causes.items(), key=lambda kv: -kv[1]))


def components_match(clusters: pd.DataFrame, edges: pd.DataFrame) -> bool:
    """True when member_id partitions the nodes exactly like scipy's connected components of `edges`."""
    codes, uniques = pd.factorize(clusters["node_key"])
    position = pd.Series(np.arange(len(uniques)), index=uniques)
    lo = position.reindex(edges["node_key_low"]).to_numpy()
    hi = position.reindex(edges["node_key_high"]).to_numpy()
    if np.isnan(lo).any() or np.isnan(hi).any():
        return False
    n = len(uniques)
    graph = coo_matrix((np.ones(len(lo), np.int8), (lo.astype(np.int64), hi.astype(np.int64))), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    member_codes, _ = pd.factorize(clusters["member_id"])
    pairs = pd.DataFrame({"scipy": label[codes], "member": member_codes}).drop_duplicates()
    return bool(pairs["scipy"].is_unique and pairs["member"].is_unique)


def format_score(score: IdentityScore) -> str:
    s = score
    lines = [
        "identity graph vs ground truth",
        f"  identifiers in warehouse            {s.identifiers_in_warehouse:>12,}",
        f"    unknown to the truth              {s.identifiers_unknown_to_truth:>12,}",
        f"    placeholder / store phones        {s.placeholder_identifiers_seen:>12,}"
        f"  (quarantined {s.placeholder_identifiers_quarantined:,})",
        f"    family-shared identifiers         {s.shared_identifiers_seen:>12,}"
        f"  (quarantined {s.shared_identifiers_quarantined:,};"
        f" in a member holding several persons {s.shared_identifiers_in_multi_person_member:,})",
        f"    staff / test persons' (excluded)  {s.staff_or_test_identifiers_excluded:>12,}",
        f"  truth identifiers never landed      {s.truth_identifiers_never_landed:>12,}",
        f"  universe identifiers                {s.universe_identifiers:>12,}"
        f"  (quarantined {s.universe_identifiers_quarantined:,})",
        f"  predicted pairs                     {s.predicted_pairs:>12,}",
        f"  true pairs                          {s.true_pairs:>12,}",
        f"  true positive pairs                 {s.true_positive_pairs:>12,}",
        f"  linkable true pairs                 {s.linkable_pairs:>12,}",
        f"  linkable true positive pairs        {s.linkable_true_positive_pairs:>12,}",
        f"  PRECISION                           {s.precision:>12.5f}",
        f"  RECALL (all true pairs)             {s.recall:>12.5f}",
        f"  RECALL (linkable pairs)             {s.recall_linkable:>12.5f}",
        f"  unlinkable share of true pairs      {s.unlinkable_share:>12.5f}",
        f"  members holding several persons     {s.members_with_several_persons:>12,}",
        f"  graph edges through quarantined     {s.graph_edges_through_quarantined:>12,}",
        f"  quarantined identifiers in a member {s.quarantined_with_member:>12,}",
        f"  member partition == scipy components {str(s.components_match_scipy):>11}",
        f"  unlinkable pairs by types           {json.dumps(s.unlinkable_pairs_by_types)}",
        f"  false pairs by types                {json.dumps(s.false_pairs_by_types)}",
        f"  missed linkable person-parts by guard {json.dumps(s.missed_linkable_pairs_by_guard)}",
        f"  staff / test identifiers in a member {s.staff_or_test_identifiers_with_member:>11,}",
        "  by phenomenon (pairs touching its persons; recall over their linkable pairs):",
        *(
            f"    {name:<20} persons {v['persons']:>7,}  precision {v['precision']:.5f}"
            f"  recall(linkable) {v['recall_linkable']:.5f}  (linkable pairs {v['linkable_pairs']:,})"
            for name, v in s.by_phenomenon.items()
        ),
        f"  false merges by cause (members)     {json.dumps(s.false_merges_by_cause)}",
        f"  false splits by cause (person-parts) {json.dumps(s.false_splits_by_cause)}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m omniwh.identity_eval", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--duckdb", required=True, help="warehouse DuckDB file (opened read-only)")
    parser.add_argument("--truth", required=True, help="truth folder written by `omniwh generate`")
    parser.add_argument("--schema", default="intermediate", help="schema of the identity models")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--min-precision", type=float, default=None, help="exit 1 below this precision")
    parser.add_argument(
        "--min-recall-linkable", type=float, default=None, help="exit 1 below this recall over linkable pairs"
    )
    args = parser.parse_args(argv)
    score = evaluate(args.duckdb, args.truth, args.schema)
    print(json.dumps(asdict(score), indent=2) if args.json else format_score(score))
    failed = (
        score.graph_edges_through_quarantined > 0
        or score.quarantined_with_member > 0
        or not score.components_match_scipy
        or (args.min_precision is not None and score.precision < args.min_precision)
        or (args.min_recall_linkable is not None and score.recall_linkable < args.min_recall_linkable)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
