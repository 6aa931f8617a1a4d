"""Ground truth of a generation: people, identifiers, records, campaign effects and the manifest."""

from __future__ import annotations

import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import fmt as F
from . import render as R
from . import sim as S
from .config import D0, PERIOD_END, PERIOD_START, day_to_date
from .world import CITIES, GENERIC_PLACEHOLDER_PHONES, store_placeholder_phone

SEGMENTS = ["store_only", "online_only", "omni"]
RECORD_KINDS = ["pos_ticket", "tmall_order", "miniprogram_order", "o2o_platform_order", "jd_order"]


def _write(path: str, table: pa.Table) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pq.write_table(table, path, compression="zstd")


def person_id(gid) -> pa.Array:
    g = np.asarray(gid, np.int64)
    return F.with_nulls(F.build_fixed(len(g), [b"P", ("d", np.maximum(g, 0) + 1, 8)]), g >= 0)


def people_table(sim) -> pa.Table:
    p = sim.truth.concat("people")
    n = len(p["person"])
    columns = {
        "person_id": person_id(p["person"]),
        "true_name": R.person_name(p["person"], p["surname"], p["g1"], p["g2"], p["gender"]),
        "gender": F.take(["F", "M"], p["gender"]),
        "birthday": F.date_array(p["birth"]),
        "city": F.take([c[0] for c in CITIES], p["city"]),
        "home_store_id": R.store_id(p["home"]),
        "channel_segment": F.take(SEGMENTS, p["seg"]),
        "purchase_rate_per_year": pa.array(np.round(p["lam"], 4)),
        "monthly_churn_probability": pa.array(np.round(p["churn_p"], 5)),
        "first_active_date": F.date_array(np.maximum(p["start"], D0)),
        "is_existing_customer": pa.array(p["existing"]),
        "churn_date": F.with_nulls(F.date_array(np.maximum(p["churn"], 0)), p["churn"] >= 0),
        "is_staff": pa.array(p["is_staff"]),
        "is_test": pa.array(p["is_test"]),
        "card_no": R.card_no(p["card"]),
        "card_type": F.with_nulls(F.take(["NORMAL", "EMPLOYEE", "TEST"], p["ctype"]), p["card"] >= 0),
        "enrolled_date": F.with_nulls(F.date_array(np.maximum(p["enrol"], 0)), p["card"] >= 0),
        "enrolled_by_acquisition_campaign": pa.array(p["acquired"]),
        "cancelled_date": F.with_nulls(F.date_array(np.maximum(p["cancel"], 0)), p["cancel"] >= 0),
        "phone": F.build_fixed(n, [("d", p["phone"], 11)]),
        "new_phone": F.with_nulls(
            F.build_fixed(n, [("d", np.maximum(p["new_phone"], 0), 11)]), p["new_phone"] >= 0
        ),
        "phone_changed_date": F.with_nulls(
            F.date_array(np.maximum(p["change_day"], 0)), p["change_day"] >= 0
        ),
        "family_head_person_id": person_id(p["family_head"]),
        # identity realism: the person whose lapsed number the carrier re-issued to this one
        "recycled_phone_from_person_id": person_id(p["recycled_from"]),
        "is_family_shared_phone": pa.array(p["in_family"]),
        "crm_phone_format": F.with_nulls(
            F.take(S.PHONE_FORMATS, np.maximum(p["crm_fmt"], 0)), p["card"] >= 0
        ),
        "has_miniprogram_user": pa.array(p["has_mp"]),
        "miniprogram_has_unionid": pa.array(p["mp_unionid"]),
        "miniprogram_phone_authorised": pa.array(p["mp_auth"]),
        "has_tmall_buyer": pa.array(p["has_tmall"]),
        "has_jd_buyer": pa.array(p["has_jd"]),
        "tmall_bound": pa.array(p["bind_tmall"]),
        "jd_bound": pa.array(p["bind_jd"]),
        "is_wecom_contact": pa.array(p["wecom"]),
    }
    if sim.rates.identity_realism:
        # identity realism: a person's second card (re-issued or enrolled twice) and re-bound buyer accounts
        second = p["card2"] >= 0
        columns["second_card_no"] = R.card_no(p["card2"])
        columns["second_card_kind"] = F.with_nulls(
            F.take(["", "reissued", "duplicate_enrolment"], p["card2_kind"]), second
        )
        columns["second_card_date"] = F.with_nulls(F.date_array(np.maximum(p["card2_day"], 0)), second)
        for plat in ("tmall", "jd"):
            day = p[f"rebind_{plat}"]
            columns[f"{plat}_rebound_date"] = F.with_nulls(F.date_array(np.maximum(day, 0)), day >= 0)
    return pa.table(columns)


def identifiers_table(sim) -> pa.Table:
    """Every identifier the generator can put into landing, normalised, with its true person.

    phone: 11 digits; card_no: 12 digits; openid, unionid, external_userid as landed; buyer_id as
    `<PLATFORM>:<buyer_id>` (the staging buyer_key). Placeholder phones have no person.
    """
    p = sim.truth.concat("people")
    seed = sim.seed
    gid = p["person"]
    parts = []

    def add(kind, values, persons, shared=None, placeholder=None):
        n = len(values)
        parts.append(
            pa.table(
                {
                    "identifier_type": pa.array([kind] * n, pa.string()),
                    "identifier_value": values,
                    "person_id": person_id(persons),
                    "is_shared": pa.array(np.zeros(n, bool) if shared is None else shared),
                    "is_placeholder": pa.array(np.zeros(n, bool) if placeholder is None else placeholder),
                }
            )
        )

    ph = p["phone"]
    add("phone", F.build_fixed(len(ph), [("d", ph, 11)]), gid, shared=p["in_family"])
    ch = p["new_phone"] >= 0
    add("phone", F.build_fixed(int(ch.sum()), [("d", p["new_phone"][ch], 11)]), gid[ch])
    placeholders = np.array(GENERIC_PLACEHOLDER_PHONES + list(sim.world.stores.phone), np.int64)
    if sim.rates.identity_realism:
        placeholders = np.concatenate([placeholders, store_placeholder_phone(np.arange(sim.world.stores.n))])
    add(
        "phone",
        F.build_fixed(len(placeholders), [("d", placeholders, 11)]),
        np.full(len(placeholders), -1),
        placeholder=np.ones(len(placeholders), bool),
    )
    m = p["card"] >= 0
    add("card_no", R.card_no(p["card"][m]), gid[m])
    mp = p["has_mp"]
    add("openid", R.openid(gid[mp], seed), gid[mp])
    u = p["mp_unionid"] | (p["wecom"] & p["wecom_unionid"])
    add("unionid", R.unionid(gid[u], seed), gid[u])
    t = p["has_tmall"]
    add("buyer_id", F.join(pa.scalar("TMALL:"), R.buyer_id(gid[t], np.zeros(t.sum(), np.int8), seed)), gid[t])
    j = p["has_jd"]
    add("buyer_id", F.join(pa.scalar("JD:"), R.buyer_id(gid[j], np.ones(j.sum(), np.int8), seed)), gid[j])
    w = p["wecom"]
    add("external_userid", R.external_userid(gid[w], seed), gid[w])
    if sim.rates.identity_realism:
        c2 = p["card2"] >= 0
        add("card_no", R.card_no(p["card2"][c2]), gid[c2])
        for pi, plat in enumerate(("TMALL", "JD")):
            rb = p[f"rebind_{plat.lower()}"] >= 0
            second = R.buyer_id(gid[rb] + S.SECOND_ID_OFFSET, np.full(int(rb.sum()), pi, np.int8), seed)
            add("buyer_id", F.join(pa.scalar(f"{plat}:"), second), gid[rb])
    return pa.concat_tables(parts)


def records_table(sim) -> pa.Table:
    r = sim.truth.concat("records")
    kind = r["kind"]
    ref = r["ref"]
    n = len(ref)
    ctx = sim.ctx
    pieces = []
    for kd, fn in (
        (0, lambda x, s: R.ticket_id(x, ctx)),
        (1, lambda x, s: R.ecom_order_id(x, np.zeros(len(x)), sim.seed)),
        (2, lambda x, s: R.mp_order_id(x)),
        (3, lambda x, s: R.platform_order_no(s, x)),
        (4, lambda x, s: R.ecom_order_id(x, np.ones(len(x)), sim.seed)),
    ):
        idx = np.where(kind == kd)[0]
        if len(idx):
            pieces.append((idx, fn(ref[idx], r["sub"][idx])))
    rid = F.scatter(n, pieces)
    bad = r["bad"]
    return pa.table(
        {
            "record_kind": F.take(RECORD_KINDS, kind),
            "record_id": rid,
            "person_id": person_id(r["person"]),
            "has_linkable_identifier": pa.array(r["linkable"].astype(bool)),
            "is_refund": pa.array(r["refund"].astype(bool)),
            "business_date": F.date_array(S.utc_to_day(r["ts"])),
            "net_amount_yuan": pa.array(np.round(r["net"] / 100.0, 2)),
            "campaign_id_induced": R.campaign_id(r["camp"]),
            "bad_row_kind": F.with_nulls(F.take(S.BAD_KINDS, np.maximum(bad, 0)), bad >= 0),
        }
    )


def campaign_effects(sim) -> dict:
    aud = sim.truth.concat("audience")
    rec = sim.truth.concat("records")
    out = {}
    day = S.utc_to_day(rec["ts"])
    for c in sim.world.campaigns:
        a = aud["campaign"] == c.idx
        persons = aud["person"][a]
        hold = aud["is_holdout"][a].astype(bool)
        n_t, n_h = int((~hold).sum()), int(hold.sum())
        inc = rec["camp"] == c.idx
        inc_net = float(rec["net"][inc].sum()) / 100.0
        planted = inc_net / n_t if n_t else 0.0
        # what a naive treated-vs-holdout comparison over the window sees (all channels, net sales)
        w = (
            (day >= c.start_day)
            & (day < c.start_day + c.window_days)
            & (rec["person"] >= 0)
            & (rec["bad"] < 0)
        )
        per = np.bincount(rec["person"][w], weights=rec["net"][w] / 100.0, minlength=sim.scale.people)
        tm = float(per[persons[~hold]].mean()) if n_t else 0.0
        hm = float(per[persons[hold]].mean()) if n_h else 0.0
        se = (
            float(np.sqrt(per[persons[~hold]].var() / max(n_t, 1) + per[persons[hold]].var() / max(n_h, 1)))
            if n_t > 1 and n_h > 1
            else 0.0
        )
        out[c.campaign_id] = {
            "campaign_name": c.name,
            "campaign_type": c.ctype,
            "channel": c.channel,
            "start_date": str(day_to_date(c.start_day)),
            "window_days": c.window_days,
            "response_probability": c.response_prob,
            "holdout_rate": c.holdout_rate,
            "treated_size": n_t,
            "holdout_size": n_h,
            "incremental_purchases": int(inc.sum()),
            "incremental_net_sales_yuan": round(inc_net, 2),
            "planted_lift_yuan_per_treated": round(planted, 4),
            "observed_treated_mean_yuan": round(tm, 4),
            "observed_holdout_mean_yuan": round(hm, 4),
            "observed_diff_yuan": round(tm - hm, 4),
            "observed_diff_se_yuan": round(se, 4),
            "has_planted_effect": c.response_prob > 0,
        }
        if c.rule_kind == "acquisition":
            out[c.campaign_id]["members_enrolled"] = n_t
            out[c.campaign_id]["cost_per_enrolment_yuan"] = 15.0
    return out


def write_truth(sim, root: str, landing_stats: dict, progress=None) -> dict:
    os.makedirs(root, exist_ok=True)
    people = people_table(sim)
    _write(os.path.join(root, "people.parquet"), people)
    ids = identifiers_table(sim)
    _write(os.path.join(root, "identifiers.parquet"), ids)
    recs = records_table(sim)
    _write(os.path.join(root, "records.parquet"), recs)
    effects = campaign_effects(sim)
    with open(os.path.join(root, "campaign_effects.json"), "w", encoding="utf-8") as fh:
        json.dump(effects, fh, ensure_ascii=False, indent=2, sort_keys=True)
    manifest = build_manifest(sim, landing_stats, people, recs)
    with open(os.path.join(root, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2, sort_keys=True)
    if progress:
        progress(
            f"wrote truth: {people.num_rows:,} people, {ids.num_rows:,} identifiers, "
            f"{recs.num_rows:,} records"
        )
    return manifest


def build_manifest(sim, landing_stats: dict, people: pa.Table, recs: pa.Table) -> dict:
    sink = sim.sink
    pos = sink.concat("pos.transactions", ["refund", "card", "phone", "fmt", "ph_kind", "bad", "key"])
    p = sim.truth.concat("people")
    realised = {}
    sale = ~pos["refund"]
    anon = sale & (pos["card"] < 0) & ((pos["phone"] < 0) | S.phone_fmt_invalid(pos["fmt"]))
    realised["pos_tickets"] = int(len(pos["key"]))
    realised["pos_sales"] = int(sale.sum())
    realised["pos_refunds"] = int(pos["refund"].sum())
    realised["pos_sales_without_card_or_valid_phone_share"] = round(float(anon.sum() / max(sale.sum(), 1)), 5)
    realised["pos_walk_in_tickets_no_person"] = int((sim.truth.concat("records")["person"] < 0).sum())
    realised["pos_placeholder_phone_tickets"] = {
        k: int((pos["ph_kind"] == i).sum())
        for i, k in enumerate(["13800000000", "13888888888", "store_phone"])
    }
    fmt = pos["fmt"]
    realised["pos_keyed_phone_formats"] = {
        name: int((fmt == i).sum()) for i, name in enumerate(S.PHONE_FORMATS)
    }
    m = sink.concat("crm.members", ["fmt"])
    realised["crm_member_rows_phone_formats"] = {
        name: int((m["fmt"] == i).sum()) for i, name in enumerate(S.PHONE_FORMATS)
    }
    realised["bad_pos_rows_by_kind"] = {k: int((pos["bad"] == i).sum()) for i, k in enumerate(S.BAD_KINDS)}
    realised["people"] = int(len(p["person"]))
    realised["people_by_segment"] = {s: int((p["seg"] == i).sum()) for i, s in enumerate(SEGMENTS)}
    realised["members"] = int((p["card"] >= 0).sum())
    realised["staff"] = int(p["is_staff"].sum())
    realised["test_accounts"] = int(p["is_test"].sum())
    realised["people_in_families_sharing_a_phone"] = int(p["in_family"].sum())
    realised["families"] = int(len(np.unique(p["family_head"][p["in_family"]])))
    realised["phone_changers"] = int((p["new_phone"] >= 0).sum())
    realised["churned_in_period"] = int((p["churn"] >= 0).sum())
    realised["acquisition_enrolments"] = int(p["acquired"].sum())
    realised["miniprogram_users"] = int(p["has_mp"].sum())
    realised["miniprogram_users_without_unionid"] = int((p["has_mp"] & ~p["mp_unionid"]).sum())
    realised["miniprogram_users_phone_authorised"] = int((p["has_mp"] & p["mp_auth"]).sum())
    realised["tmall_buyers"] = int(p["has_tmall"].sum())
    realised["jd_buyers"] = int(p["has_jd"].sum())
    realised["bound_buyers"] = int(p["bind_tmall"].sum() + p["bind_jd"].sum())
    realised["wecom_contacts_people"] = int(p["wecom"].sum())
    ce = sink.concat("crm.consent_events", ["card", "status", "source"])
    realised["consent_events"] = int(len(ce["card"]))
    realised["consent_opt_outs"] = int((ce["status"] == 1).sum())
    realised["consent_opt_outs_after_enrolment"] = int(((ce["status"] == 1) & (ce["source"] != 0)).sum())
    red = sink.concat("marketing.coupon_redemptions", ["rid", "code", "channel"])
    realised["coupon_redemptions"] = int(len(red.get("rid", [])))
    if red:
        cp = sink.concat("marketing.coupons_issued", ["code", "channel"])
        online_issue = np.isin(red["code"], cp["code"][np.isin(cp["channel"], [0, 1, 2, 3])])
        realised["coupons_issued_online_redeemed_in_store"] = int(
            ((red["channel"] == 0) & online_issue).sum()
        )
    dv = sim.truth.concat("deliveries")
    realised["o2o_deliveries"] = int(len(dv["did"]))
    realised["o2o_late_share"] = round(float(dv["late"].mean()), 5) if len(dv["did"]) else 0.0
    return {
        "seed": sim.seed,
        "scale": sim.scale.name,
        "people": sim.scale.people,
        "stores": sim.world.stores.n,
        "period_start": str(PERIOD_START),
        "period_end": str(PERIOD_END),
        "rates": sim.rates.to_dict(),
        "realised": realised,
        "landing": landing_stats,
        "record_kinds": RECORD_KINDS,
        "identifier_normalisation": {
            "phone": "11 digits",
            "card_no": "12 digits",
            "buyer_id": "<PLATFORM>:<buyer_id>",
            "openid": "as landed",
            "unionid": "as landed",
            "external_userid": "as landed",
        },
        "ecommerce_shops": [
            {"platform": s[0], "shop_id": s[1], "banner_code": s[2]}
            for s in __import__("omniwh.generator.world", fromlist=["SHOPS"]).SHOPS
        ],
    }
