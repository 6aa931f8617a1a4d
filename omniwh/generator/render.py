"""Turn numeric frames into the landing tables' exact columns and types (see docs/landing_contract.md)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import fmt as F
from . import names as nm
from .config import TZ_OFFSET_S
from .world import (
    BANNERS,
    CATEGORIES,
    CITIES,
    GENERIC_PLACEHOLDER_PHONES,
    ROLES,
    SHOPS,
    World,
    store_placeholder_phone,
)

S = pa.string()
I64 = pa.int64()
F64 = pa.float64()
TS = pa.timestamp("us")
DATE = pa.date32()
BOOL = pa.bool_()

P10 = 9_999_999_967


@dataclass
class Ctx:
    world: World
    seed: int
    pos_store: np.ndarray  # by ticket key
    pos_till: np.ndarray
    pos_day: np.ndarray
    pos_seq: np.ndarray
    staff_person_names: pa.Array  # staff names by staff index
    campaign_cost: dict


# --- identifiers ------------------------------------------------------------------------------------


def _hashed(gid: np.ndarray, seed: int, salt: int, prefix: bytes, width: int, alphabet: bytes) -> pa.Array:
    gid = np.asarray(gid, np.int64)
    if len(gid) == 0:
        return pa.array([], S)
    u, inv = np.unique(gid, return_inverse=True)
    mat = F.hashed_chars(
        u.astype(np.uint64) * np.uint64(1000) + np.uint64(seed % 1000), salt, width, alphabet
    )
    arr = F.build_fixed(len(u), [prefix, ("c", mat)])
    return arr.take(pa.array(inv.astype(np.int64)))


def openid(gid, seed):
    return _hashed(gid, seed, 11, b"o", 27, F.B64)


def unionid(gid, seed):
    return _hashed(gid, seed, 23, b"o", 27, F.B64)


def external_userid(gid, seed):
    return _hashed(gid, seed, 37, b"wm", 30, F.B64)


def buyer_id(gid, plat, seed):
    plat = np.asarray(plat)
    gid = np.asarray(gid, np.int64)
    t = _hashed(gid, seed, 51, b"t_", 14, F.HEX)
    j = _hashed(gid, seed, 53, b"jd_", 12, F.HEX)
    return pc.if_else(pa.array(plat == 0), t, j)


def store_id(store: np.ndarray, bad: np.ndarray | None = None) -> pa.Array:
    s = np.asarray(store, np.int64)
    arr = F.build_fixed(len(s), [b"S", ("d", s + 1, 4)])
    valid = s >= 0
    return F.with_nulls(arr, valid)


def staff_id(staff: np.ndarray) -> pa.Array:
    s = np.asarray(staff, np.int64)
    return F.build_fixed(len(s), [b"E", ("d", s + 10001, 5)])


def card_no(card: np.ndarray) -> pa.Array:
    c = np.asarray(card, np.int64)
    return F.with_nulls(F.build_fixed(len(c), [("d", np.maximum(c, 0), 12)]), c >= 0)


def sku_id(cat: np.ndarray, sku: np.ndarray) -> pa.Array:
    pre = F.take([c + "-" for c in CATEGORIES], cat)
    return F.join(pre, F.build_fixed(len(sku), [("d", np.asarray(sku) + 1, 6)]))


def category(cat: np.ndarray) -> pa.Array:
    return F.take(CATEGORIES, cat)


def coupon_code(code: np.ndarray, seed: int) -> pa.Array:
    c = np.asarray(code, np.int64)
    v = (np.maximum(c, 0) * 7_654_321 + seed * 31 + 17) % P10
    return F.with_nulls(F.build_fixed(len(c), [b"CP", ("d", v, 10)]), c >= 0)


def campaign_id(c: np.ndarray) -> pa.Array:
    c = np.asarray(c, np.int64)
    return F.with_nulls(F.build_fixed(len(c), [b"C", ("d", np.maximum(c, 0) + 1, 3)]), c >= 0)


def template_id(c: np.ndarray) -> pa.Array:
    c = np.asarray(c, np.int64)
    return F.build_fixed(len(c), [b"TPL", ("d", c + 1, 3)])


def ecom_order_id(ono: np.ndarray, plat: np.ndarray, seed: int) -> pa.Array:
    o = np.asarray(ono, np.int64)
    t = F.build_fixed(len(o), [("d", 400_000_000_000_000_000 + o * 7919 + seed % 7919, 18)])
    j = F.build_fixed(len(o), [("d", 300_000_000_000 + o * 13 + seed % 13, 12)])
    return pc.if_else(pa.array(np.asarray(plat) == 0), t, j)


def mp_order_id(ono: np.ndarray) -> pa.Array:
    o = np.asarray(ono, np.int64)
    return F.build_fixed(len(o), [b"WX", ("d", 10_000_000_000 + o, 11)])


def ticket_id(key: np.ndarray, ctx: Ctx, bad_store: np.ndarray | None = None) -> pa.Array:
    k = np.asarray(key, np.int64)
    valid = k >= 0
    k0 = np.maximum(k, 0)
    store = ctx.pos_store[k0]
    parts = [b"S", ("d", store + 1, 4), b"-", ("d", ctx.pos_till[k0], 2), b"-"] + F.date_parts(
        ctx.pos_day[k0], b""
    )
    parts += [b"-", ("d", ctx.pos_seq[k0], 4)]
    return F.with_nulls(F.build_fixed(len(k), parts), valid)


def ref_id(kind: np.ndarray, ref: np.ndarray, ctx: Ctx) -> pa.Array:
    """Order reference by channel kind: 0 POS ticket, 1 mini-program order, 2 TMALL order, 3 JD order."""
    kind = np.asarray(kind)
    ref = np.asarray(ref, np.int64)
    n = len(ref)
    pieces = []
    for kd, fn in (
        (0, lambda r: ticket_id(r, ctx)),
        (1, mp_order_id),
        (2, lambda r: ecom_order_id(r, np.zeros(len(r)), ctx.seed)),
        (3, lambda r: ecom_order_id(r, np.ones(len(r)), ctx.seed)),
    ):
        idx = np.where((kind == kd) & (ref >= 0))[0]
        if len(idx):
            pieces.append((idx, fn(ref[idx])))
    return F.scatter(n, pieces)


# --- phones -----------------------------------------------------------------------------------------


def phone_text(
    phone: np.ndarray,
    fmt: np.ndarray,
    ph_kind: np.ndarray | None = None,
    store: np.ndarray | None = None,
    ctx: Ctx | None = None,
) -> pa.Array:
    """Phone as keyed: format code per row (see sim.PHONE_FORMATS); placeholders; NULL where -1."""
    phone = np.asarray(phone, np.int64)
    fmt = np.asarray(fmt)
    n = len(phone)
    a, b, c = phone // 100_000_000, (phone // 10_000) % 10_000, phone % 10_000
    pieces = []

    def sub(mask, parts_fn):
        idx = np.where(mask)[0]
        if len(idx):
            pieces.append((idx, F.build_fixed(len(idx), parts_fn(idx))))

    has = phone >= 0
    sub(has & (fmt == 0), lambda i: [("d", phone[i], 11)])
    sub(has & (fmt == 1), lambda i: [b"+86 ", ("d", a[i], 3), b" ", ("d", b[i], 4), b" ", ("d", c[i], 4)])
    sub(has & (fmt == 2), lambda i: [b"0086-", ("d", phone[i], 11)])
    sub(has & (fmt == 3), lambda i: [b"86 ", ("d", phone[i], 11)])
    sub(has & (fmt == 4), lambda i: [("d", a[i], 3), b"-", ("d", b[i], 4), b"-", ("d", c[i], 4)])
    sub(has & (fmt == 5), lambda i: [("d", a[i], 3), b" ", ("d", b[i], 4), b" ", ("d", c[i], 4)])
    sub(has & (fmt == 6), lambda i: [("fw", phone[i], 11)])
    sub(has & (fmt == 7), lambda i: [b" ", ("d", a[i], 3), b" ", ("d", phone[i] % 100_000_000, 8), b"  "])
    sub(has & (fmt == 8), lambda i: [("d", phone[i] // 10, 10)])
    sub(has & (fmt == 9), lambda i: [b"021-", ("d", 60_000_000 + phone[i] % 10_000_000, 8)])
    sub(has & (fmt == 10), lambda i: [b"12", ("d", phone[i] % 1_000_000_000, 9)])
    # spreadsheet and export damage (identity realism)
    first, rest = phone // 10**10, phone % 10**10
    sub(has & (fmt == 11), lambda i: [b"'", ("d", phone[i], 11)])
    sub(has & (fmt == 12), lambda i: [("d", phone[i], 11), b".0"])
    sub(has & (fmt == 13), lambda i: [("d", first[i], 1), b".", ("d", rest[i], 10), b"E+10"])
    sub(has & (fmt == 14), lambda i: [b"0", ("d", phone[i], 11)])
    bom, zwsp = "\ufeff".encode(), "\u200b".encode()
    sub(has & (fmt == 15), lambda i: [bom, ("d", a[i], 3), zwsp, ("d", phone[i] % 10**8, 8)])
    sub(has & (fmt == 16), lambda i: [("d", first[i], 1), b".", ("d", rest[i] // 10**5, 5), b"E+10"])
    if ph_kind is not None:
        ph_kind = np.asarray(ph_kind)
        sub(ph_kind == 0, lambda i: [("d", np.full(len(i), GENERIC_PLACEHOLDER_PHONES[0]), 11)])
        sub(ph_kind == 1, lambda i: [("d", np.full(len(i), GENERIC_PLACEHOLDER_PHONES[1]), 11)])
        sub(ph_kind == 2, lambda i: [("d", ctx.world.stores.phone[np.asarray(store)[i]], 11)])
        sub(ph_kind == 3, lambda i: [("d", store_placeholder_phone(np.asarray(store)[i]), 11)])
    return F.scatter(n, pieces)


def masked_phone(phone: np.ndarray) -> pa.Array:
    p = np.asarray(phone, np.int64)
    arr = F.build_fixed(
        len(p), [("d", np.maximum(p, 0) // 100_000_000, 3), b"****", ("d", np.maximum(p, 0) % 10_000, 4)]
    )
    return F.with_nulls(arr, p >= 0)


# --- time -------------------------------------------------------------------------------------------


def local_text(ts_utc: np.ndarray) -> pa.Array:
    t = np.asarray(ts_utc, np.int64)
    return F.with_nulls(F.ts_text(np.where(t >= 0, t + TZ_OFFSET_S, 0)), t >= 0)


def local_ts(ts_utc: np.ndarray) -> pa.Array:
    t = np.asarray(ts_utc, np.int64)
    return F.with_nulls(F.ts_array(np.where(t >= 0, t + TZ_OFFSET_S, 0)), t >= 0)


def utc_ts(ts_utc: np.ndarray) -> pa.Array:
    t = np.asarray(ts_utc, np.int64)
    return F.with_nulls(F.ts_array(np.where(t >= 0, t, 0)), t >= 0)


def iso(ts_utc: np.ndarray) -> pa.Array:
    t = np.asarray(ts_utc, np.int64)
    return F.with_nulls(F.iso_local_text(np.where(t >= 0, t, 0)), t >= 0)


def ms(ts_utc: np.ndarray) -> pa.Array:
    t = np.asarray(ts_utc, np.int64)
    return pa.array(t * 1000, I64, mask=t < 0)


def secs(ts_utc: np.ndarray) -> pa.Array:
    t = np.asarray(ts_utc, np.int64)
    return pa.array(t, I64, mask=t < 0)


def int_text(v: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(v, np.int64)), S)


def yuan(fen: np.ndarray) -> pa.Array:
    return pa.array(np.round(np.asarray(fen, np.int64) / 100.0, 2), F64)


def codes(values: list[str], idx: np.ndarray) -> pa.Array:
    idx = np.asarray(idx, np.int64)
    return F.with_nulls(F.take(values, np.maximum(idx, 0)), idx >= 0)


def person_name(gid, surname, g1, g2, gender) -> pa.Array:
    sur = F.take(nm.SURNAMES, surname)
    given_f1, given_m1 = F.take(nm.GIVEN_F, g1), F.take(nm.GIVEN_M, g1)
    male = pa.array(np.asarray(gender) == 1)
    first = pc.if_else(male, given_m1, given_f1)
    g2 = np.asarray(g2)
    second = pc.if_else(male, F.take(nm.GIVEN_M, np.maximum(g2, 0)), F.take(nm.GIVEN_F, np.maximum(g2, 0)))
    second = pc.if_else(pa.array(g2 >= 0), second, pa.scalar("", S))
    return F.join(sur, first, second)


# --- tables -----------------------------------------------------------------------------------------


def tbl(cols: dict) -> pa.Table:
    return pa.table(cols)


def r_store_master(f, ctx, ext):
    st = ctx.world.stores
    s = f["store"]
    area = f["area"]
    return tbl(
        {
            "store_id": store_id(s),
            "store_name": F.take(st.name, s),
            "banner_code": F.take([b[0] for b in BANNERS], st.banner[s]),
            "banner_name": F.take([b[1] for b in BANNERS], st.banner[s]),
            "city": F.take([c[0] for c in CITIES], st.city[s]),
            "city_tier": F.take([c[1] for c in CITIES], st.city[s]),
            "region": F.take([c[2] for c in CITIES], st.city[s]),
            "floor_area_sqm": int_text(area),
            "opened_on": F.date_text(st.opened_day[s]),
            "closed_on": F.with_nulls(F.date_text(np.maximum(f["closed"], 0)), f["closed"] >= 0),
            "is_o2o_enabled": F.take(["N", "Y"], f["o2o"].astype(np.int64)),
            "store_phone": F.build_fixed(len(s), [("d", st.phone[s], 11)]),
            "updated_at": local_text(f["upd"]),
            "extracted_at": F.ts_text(ext),
        }
    )


def r_online_hours(f, ctx, ext):
    return tbl(
        {
            "store_id": store_id(f["store"]),
            "business_date": F.date_array(f["_dt"]),
            "scheduled_minutes": pa.array(f["sched"], I64),
            "online_minutes": pa.array(f["online"], I64),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_pos_transactions(f, ctx, ext):
    n = len(f["key"])
    bad = f["bad"]
    tid = ticket_id(f["key"], ctx)
    sid = store_id(f["store"])
    sid = pc.if_else(pa.array(bad == 0), F.build_fixed(n, [b"S9", ("d", f["store"] % 1000, 3)]), sid)
    ttxt = local_text(f["ts"])
    # malformed timestamps: month 13 or slashes
    y = F.build_fixed(
        n,
        [
            b"2025/",
            ("d", (f["key"] % 12) + 1, 2),
            b"/",
            ("d", (f["key"] % 28) + 1, 2),
            b" 10:",
            ("d", f["key"] % 60, 2),
        ],
    )
    ttxt = pc.if_else(pa.array(bad == 2), y, ttxt)
    gross, disc, net = f["gross"], f["disc"], f["net"]
    net_txt = int_text(np.where(bad == 1, -np.abs(net), net))
    gross_txt = int_text(np.where(bad == 1, -np.abs(gross), gross))
    net_txt = pc.if_else(pa.array(bad == 3), F.join(int_text(net // 10), pa.scalar("O", S)), net_txt)
    orig = ticket_id(np.where(bad == 4, -1, f["orig"]), ctx)
    return tbl(
        {
            "ticket_id": tid,
            "store_id": sid,
            "till_no": F.build_fixed(n, [("d", f["till"], 2)]),
            "cashier_id": staff_id(f["cashier"]),
            "transaction_type": F.take(["SALE", "REFUND"], f["refund"].astype(np.int64)),
            "original_ticket_id": orig,
            "transaction_time": ttxt,
            "card_no": card_no(f["card"]),
            "member_phone": phone_text(f["phone"], f["fmt"], f["ph_kind"], f["store"], ctx),
            "gross_amount_fen": gross_txt,
            "discount_amount_fen": int_text(disc),
            "net_amount_fen": net_txt,
            "coupon_code": coupon_code(f["coupon"], ctx.seed),
            "payment_method": F.take(["CASH", "WECHAT_PAY", "ALIPAY", "CARD"], f["pay"]),
            "extracted_at": F.ts_text(ext),
        }
    )


def r_pos_lines(f, ctx, ext):
    return tbl(
        {
            "ticket_id": ticket_id(f["key"], ctx),
            "line_no": int_text(f["line_no"]),
            "sku_id": sku_id(f["cat"], f["sku"]),
            "category_code": category(f["cat"]),
            "quantity": int_text(f["qty"]),
            "unit_price_fen": int_text(f["price"]),
            "net_amount_fen": int_text(f["net"]),
            "extracted_at": F.ts_text(ext),
        }
    )


def r_ecom_orders(f, ctx, ext):
    plat = f["plat"]
    return tbl(
        {
            "platform": F.take(["TMALL", "JD"], plat),
            "order_id": ecom_order_id(f["ono"], plat, ctx.seed),
            "shop_id": F.take([s[1] for s in SHOPS], f["shop"]),
            "buyer_id": buyer_id(f["buyer"], plat, ctx.seed),
            "masked_phone": masked_phone(f["masked"]),
            "order_status": F.take(["PAID", "SHIPPED", "COMPLETED", "REFUNDED", "CLOSED"], f["status"]),
            "created_at": utc_ts(f["created"]),
            "paid_at": utc_ts(f["paid"]),
            "completed_at": utc_ts(f["completed"]),
            "total_amount": yuan(f["total"]),
            "discount_amount": yuan(f["disc"]),
            "payment_amount": yuan(f["pay"]),
            "refund_amount": yuan(f["refund"]),
            "coupon_code": coupon_code(f["coupon"], ctx.seed),
            "receiver_city": F.take([c[0] for c in CITIES], f["city"]),
            "updated_at": utc_ts(f["upd"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_ecom_lines(f, ctx, ext):
    plat = f["plat"]
    return tbl(
        {
            "platform": F.take(["TMALL", "JD"], plat),
            "order_id": ecom_order_id(f["ono"], plat, ctx.seed),
            "line_id": int_text(f["line"]),
            "sku_id": sku_id(f["cat"], f["sku"]),
            "category_code": category(f["cat"]),
            "quantity": pa.array(f["qty"], I64),
            "unit_price": yuan(f["price"]),
            "payment_amount": yuan(f["pay"]),
            "refund_amount": yuan(f["refund"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_bindings(f, ctx, ext):
    plat = f["plat"]
    return tbl(
        {
            "platform": F.take(["TMALL", "JD"], plat),
            "buyer_id": buyer_id(f["buyer"], plat, ctx.seed),
            "phone": F.build_fixed(len(plat), [("d", f["phone"], 11)]),
            "bound_at": utc_ts(f["bound"]),
            "unbound_at": utc_ts(f["unbound"]),
            "updated_at": utc_ts(f["upd"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_mp_users(f, ctx, ext):
    u = f["user"]
    return tbl(
        {
            "openid": openid(u, ctx.seed),
            "unionid": F.with_nulls(unionid(u, ctx.seed), f["unionid"]),
            "phone": F.with_nulls(
                F.build_fixed(len(u), [("d", np.maximum(f["phone"], 0), 11)]), f["phone"] >= 0
            ),
            "nickname": F.take(nm.NICKNAMES, f["nick"]),
            "registered_at": ms(f["reg"]),
            "phone_authorised_at": ms(f["auth"]),
            "updated_at": ms(f["upd"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_mp_orders(f, ctx, ext):
    return tbl(
        {
            "order_id": mp_order_id(f["ono"]),
            "openid": openid(f["user"], ctx.seed),
            "store_id": store_id(f["store"]),
            "fulfilment_type": F.take(["DELIVERY", "PICKUP", "EXPRESS"], f["ful"]),
            "order_status": F.take(["PAID", "COMPLETED", "REFUNDED", "CANCELLED"], f["status"]),
            "created_at": ms(f["created"]),
            "paid_at": ms(f["paid"]),
            "total_fen": pa.array(f["total"], I64),
            "discount_fen": pa.array(f["disc"], I64),
            "paid_fen": pa.array(f["paidf"], I64),
            "refund_fen": pa.array(f["refund"], I64),
            "coupon_code": coupon_code(f["coupon"], ctx.seed),
            "updated_at": ms(f["upd"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_mp_lines(f, ctx, ext):
    return tbl(
        {
            "order_id": mp_order_id(f["ono"]),
            "line_no": pa.array(f["line"], I64),
            "sku_id": sku_id(f["cat"], f["sku"]),
            "category_code": category(f["cat"]),
            "quantity": pa.array(f["qty"], I64),
            "unit_price_fen": pa.array(f["price"], I64),
            "paid_fen": pa.array(f["paid"], I64),
            "extracted_at": F.ts_array(ext),
        }
    )


EVENT_TYPES = ["view", "add_to_cart", "favourite", "search", "exposure", "click"]


def r_mp_events(f, ctx, ext):
    et = f["etype"]
    n = len(et)
    return tbl(
        {
            "event_id": F.build_fixed(n, [b"ME", ("d", f["eid"], 12)]),
            "openid": openid(f["user"], ctx.seed),
            "event_type": F.take(EVENT_TYPES, et),
            "sku_id": F.with_nulls(sku_id(f["cat"], f["sku"]), et != 3),
            "event_time": ms(f["ts"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_platform_events(f, ctx, ext):
    et = f["etype"]
    n = len(et)
    return tbl(
        {
            "event_id": F.build_fixed(n, [b"PE", ("d", f["eid"], 13)]),
            "platform": F.take(["TMALL", "JD"], f["plat"]),
            "buyer_id": buyer_id(f["buyer"], f["plat"], ctx.seed),
            "event_type": F.take(EVENT_TYPES, et),
            "sku_id": F.with_nulls(sku_id(f["cat"], f["sku"]), (et != 3) & (et != 4)),
            "campaign_id": campaign_id(f["camp"]),
            "event_time": utc_ts(f["ts"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_staff(f, ctx, ext):
    s = f["staff"]
    fmt = f["fmt"]
    return tbl(
        {
            "staff_id": staff_id(s),
            "staff_name": ctx.staff_person_names.take(pa.array(s)),
            "store_id": store_id(f["store"]),
            "role": F.take(ROLES, f["role"]),
            "phone": phone_text(f["phone"], fmt),
            "joined_on": F.date_array(f["joined"]),
            "left_on": F.with_nulls(F.date_array(np.maximum(f["left"], 0)), f["left"] >= 0),
            "updated_at": secs(f["upd"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_contacts(f, ctx, ext):
    p = f["person"]
    return tbl(
        {
            "external_userid": external_userid(p, ctx.seed),
            "unionid": F.with_nulls(unionid(p, ctx.seed), f["unionid"]),
            "staff_id": staff_id(f["staff"]),
            "store_id": store_id(f["store"]),
            "add_way": F.take(["QR_CODE", "SEARCH", "GROUP", "SHARE"], f["way"]),
            "added_at": secs(f["added"]),
            "deleted_at": secs(f["deleted"]),
            "updated_at": secs(f["upd"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_members(f, ctx, ext, people_names):
    ctype = f["ctype"]
    names = people_names(f["person"])
    test_names = F.join(pa.scalar("测试", S), int_text(f["card"] % 1000))
    names = pc.if_else(pa.array(ctype == 2), test_names, names)
    bk = f["bkind"]
    bday_ok = F.date_text(np.where(bk == 4, f["bday"] + 365 * 60, f["bday"]))
    bday = pc.if_else(
        pa.array(bk == 2),
        pa.scalar("0000-00-00", S),
        pc.if_else(pa.array(bk == 3), pa.scalar("1900-01-01", S), bday_ok),
    )
    bday = F.with_nulls(bday, bk != 1)
    g = f["gender"]
    return tbl(
        {
            "card_no": card_no(f["card"]),
            "card_type": F.take(["NORMAL", "EMPLOYEE", "TEST"], ctype),
            "phone": phone_text(f["phone"], f["fmt"]),
            "member_name": names,
            "gender": F.with_nulls(F.take(["M", "F", "男", "女", "U", "U"], g), g != 5),
            "birthday": bday,
            "city": F.take([c[0] for c in CITIES], f["city"]),
            "enrol_store_id": store_id(f["store"]),
            "enrol_channel": F.take(["POS", "MINIPROGRAM", "TMALL", "JD", "WECOM"], f["ech"]),
            "enrolled_at": iso(f["enrolled"]),
            "tier_code": F.take(["T1", "T2", "T3", "T4"], f["tier"]),
            "member_status": F.take(["ACTIVE", "CANCELLED"], f["status"]),
            "updated_at": iso(f["upd"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_ledger(f, ctx, ext):
    n = len(f["lid"])
    return tbl(
        {
            "ledger_id": F.build_fixed(n, [b"L", ("d", f["lid"], 12)]),
            "card_no": card_no(f["card"]),
            "change_type": F.take(["EARN", "REDEEM", "EXPIRE", "ADJUST"], f["ctype"]),
            "points": pa.array(f["points"], I64),
            "source_order_id": ref_id(f["ref_kind"], f["ref"], ctx),
            "occurred_at": iso(f["ts"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_tiers(f, ctx, ext):
    return tbl(
        {
            "card_no": card_no(f["card"]),
            "from_tier": F.take(["T1", "T2", "T3", "T4"], f["frm"]),
            "to_tier": F.take(["T1", "T2", "T3", "T4"], f["to"]),
            "changed_at": iso(f["ts"]),
            "reason": F.take(["UPGRADE", "DOWNGRADE", "MANUAL"], f["reason"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_consent(f, ctx, ext):
    return tbl(
        {
            "card_no": card_no(f["card"]),
            "channel": F.take(["SMS", "WECOM", "MINIPROGRAM", "EMAIL"], f["channel"]),
            "consent_status": F.take(["OPT_IN", "OPT_OUT"], f["status"]),
            "changed_at": iso(f["ts"]),
            "source": F.take(["ENROL", "UNSUBSCRIBE_LINK", "STORE", "SERVICE"], f["source"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_campaigns(f, ctx, ext):
    camps = ctx.world.campaigns
    c = f["camp"]
    return tbl(
        {
            "campaign_id": campaign_id(c),
            "campaign_name": F.take([x.name for x in camps], c),
            "campaign_type": F.take([x.ctype for x in camps], c),
            "channel": F.take([x.channel for x in camps], c),
            "banner_code": pa.array([camps[i].banner for i in c], S),
            "start_date": F.date_array([camps[i].start_day for i in c]),
            "end_date": F.date_array([camps[i].end_day for i in c]),
            "cost": pa.array(np.round(f["cost"], 2), F64),
            "target_rule": F.take([x.rule for x in camps], c),
            "holdout_rate": pa.array([camps[i].holdout_rate for i in c], F64),
            "updated_at": local_ts(f["upd"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_audiences(f, ctx, ext):
    return tbl(
        {
            "campaign_id": campaign_id(f["campaign"]),
            "card_no": card_no(f["card"]),
            "is_holdout": pa.array(f["is_holdout"].astype(bool), BOOL),
            "assigned_at": local_ts(f["ts"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_touches(f, ctx, ext):
    n = len(f["touch"])
    return tbl(
        {
            "touch_id": F.build_fixed(n, [b"TC", ("d", f["touch"], 11)]),
            "campaign_id": campaign_id(f["campaign"]),
            "card_no": card_no(f["card"]),
            "touch_status": F.take(["SENT", "DELIVERED", "OPENED", "CLICKED"], f["status"]),
            "touched_at": local_ts(f["ts"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_templates(f, ctx, ext):
    camps = ctx.world.campaigns
    c = f["camp"]
    t = [camps[i].template for i in c]
    return tbl(
        {
            "template_id": template_id(c),
            "campaign_id": campaign_id(c),
            "face_value": pa.array([x[0] for x in t], F64),
            "threshold_amount": pa.array([x[1] for x in t], F64),
            "valid_days": pa.array([x[2] for x in t], I64),
            "channel_scope": pa.array([x[3] for x in t], S),
            "updated_at": local_ts(f["upd"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_coupons(f, ctx, ext):
    return tbl(
        {
            "coupon_code": coupon_code(f["code"], ctx.seed),
            "template_id": template_id(f["template"]),
            "campaign_id": campaign_id(f["campaign"]),
            "card_no": card_no(f["card"]),
            "issue_channel": F.take(["MINIPROGRAM", "WECOM", "SMS", "TMALL", "POS"], f["channel"]),
            "issued_at": local_ts(f["ts"]),
            "expires_at": local_ts(f["exp_ts"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def r_redemptions(f, ctx, ext):
    n = len(f["rid"])
    ch = f["channel"]  # 0 POS 1 MINIPROGRAM 2 TMALL 3 JD
    return tbl(
        {
            "redemption_id": F.build_fixed(n, [b"RD", ("d", f["rid"], 11)]),
            "coupon_code": coupon_code(f["code"], ctx.seed),
            "redeem_channel": F.take(["POS", "MINIPROGRAM", "TMALL", "JD"], ch),
            "store_id": store_id(f["store"]),
            "order_id": ref_id(ch, f["ref"], ctx),
            "redeemed_at": local_ts(f["ts"]),
            "extracted_at": F.ts_array(ext),
        }
    )


def platform_order_no(src: np.ndarray, no: np.ndarray) -> pa.Array:
    n = len(no)
    mt = F.build_fixed(n, [("d", 800_000_000_000_000_000 + no * 7 + 3, 18)])
    el = F.build_fixed(n, [b"E", ("d", 5_000_000_000_000_000 + no * 11 + 5, 16)])
    return pc.if_else(pa.array(src == 1), mt, el)


def r_deliveries(f, ctx, ext):
    n = len(f["did"])
    src = f["source"]
    mp = mp_order_id(f["src_no"])
    return tbl(
        {
            "delivery_id": F.build_fixed(n, [b"DL", ("d", f["did"], 11)]),
            "store_id": store_id(f["store"]),
            "source_platform": F.take(["MINIPROGRAM", "MEITUAN", "ELEME"], src),
            "source_order_id": pc.if_else(pa.array(src == 0), mp, platform_order_no(src, f["src_no"])),
            "order_amount": yuan(f["amount"]),
            "ordered_at": local_ts(f["ordered"]),
            "promised_at": local_ts(f["promised"]),
            "delivered_at": local_ts(f["delivered"]),
            "delivery_status": F.take(["DELIVERED", "CANCELLED"], f["cancelled"].astype(np.int64)),
            "extracted_at": F.ts_array(ext),
        }
    )
