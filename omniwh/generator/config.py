"""Scales, the simulated period and every realism rate of the landing-data generator.

All rates live in :class:`Rates`; the manifest in the truth folder records the values used and the realised
counts, and docs/generator.md explains each one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np

PERIOD_START = dt.date(2024, 11, 1)
PERIOD_END = dt.date(2026, 10, 31)
EPOCH = dt.date(1970, 1, 1)

# Asia/Shanghai is UTC+8 all year (no daylight saving).
TZ_OFFSET_S = 8 * 3600


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01 (the unit of every `*_day` array in the generator)."""
    return (d - EPOCH).days


def day_to_date(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


D0 = day_number(PERIOD_START)
D_END = day_number(PERIOD_END)
N_DAYS = D_END - D0 + 1

SPRING_FESTIVALS = [dt.date(2025, 1, 29), dt.date(2026, 2, 17)]
DOUBLE_11 = [dt.date(2024, 11, 11), dt.date(2025, 11, 11)]
SIX_18 = [dt.date(2025, 6, 18), dt.date(2026, 6, 18)]
NATIONAL_DAYS = [dt.date(2025, 10, 1), dt.date(2026, 10, 1)]


@dataclass(frozen=True)
class Scale:
    name: str
    people: int
    stores: int
    chunk: int


SCALES = {
    "tiny": Scale("tiny", 2_000, 8, 2_000),
    "demo": Scale("demo", 20_000, 30, 20_000),
    "bench100k": Scale("bench100k", 100_000, 120, 50_000),
    "bench": Scale("bench", 1_000_000, 400, 50_000),
}


@dataclass
class Rates:
    """Every configurable realism rate. Shares are of the population named in the comment."""

    # --- people ---------------------------------------------------------------------------------------
    segment_store_only: float = 0.55  # share of people who only shop in stores
    segment_online_only: float = 0.15  # only online (Tmall/JD/mini-program)
    # the rest (0.30) are omnichannel
    existing_customer_share: float = 0.65  # already customers on the first day of the period
    purchase_rate_mean_per_year: dict = field(
        default_factory=lambda: {"store_only": 6.0, "online_only": 4.0, "omni": 9.0}
    )
    purchase_rate_gamma_shape: float = 0.8  # heterogeneity of purchase rates (gamma-Poisson)
    churn_beta_a: float = 1.2  # monthly drop-out probability ~ Beta(a, b) (BG-style churn)
    churn_beta_b: float = 24.0
    family_share: float = 0.05  # share of people in a family sharing one phone (2-4 persons)
    member_share: dict = field(
        default_factory=lambda: {"store_only": 0.50, "online_only": 0.55, "omni": 0.80}
    )
    phone_change_share: float = 0.03  # share of members who change their phone number in the period
    member_cancel_share: float = 0.02  # members who cancel their card
    # --- identities in online channels ----------------------------------------------------------------
    mp_user_share: dict = field(
        default_factory=lambda: {"store_only": 0.06, "online_only": 0.55, "omni": 0.70}
    )
    mp_unionid_share: float = 0.75  # mini-program users bound to the open platform (have a unionid)
    mp_phone_authorised_share: float = 0.60  # mini-program users who ever authorise their phone
    tmall_buyer_share: float = 0.60  # of online-capable people
    jd_buyer_share: float = 0.35
    binding_share: float = 0.35  # of platform buyers: bind the brand membership (buyer_id <-> phone)
    unbinding_share: float = 0.05  # of bindings: unbound later
    wecom_contact_share: float = 0.25  # of members who shop in stores: a guide's WeCom friend
    wecom_second_guide_share: float = 0.10  # of contacts: befriended by a second guide too
    wecom_unionid_missing_share: float = 0.10  # contacts whose unionid is not returned
    wecom_deleted_share: float = 0.15  # of contacts: deleted later
    # --- POS ------------------------------------------------------------------------------------------
    card_swipe_share: float = 0.85  # member tickets where the card is swiped/scanned
    member_phone_keyed_no_card: float = 0.50  # member tickets without card where the phone is keyed
    member_phone_keyed_with_card: float = 0.20  # member tickets with card where the phone is keyed too
    nonmember_phone_keyed: float = 0.20  # non-member tickets where the own phone is keyed
    placeholder_phone_keyed: float = 0.12  # tickets without card where the cashier keys a placeholder
    walkin_ticket_share: float = 0.08  # POS sales by one-off anonymous shoppers (no person in the truth)
    refund_share_pos: float = 0.03  # sales refunded (60% full, 40% partial)
    # --- phone formats (keyed phones in POS; CRM phones use crm_phone_invalid_share) ------------------
    phone_formats: dict = field(
        default_factory=lambda: {
            "plain": 0.70,
            "plus86_spaced": 0.04,
            "0086_dash": 0.03,
            "86_space": 0.03,
            "dashed": 0.05,
            "spaced": 0.05,
            "fullwidth": 0.03,
            "stray_spaces": 0.03,
            "invalid_short": 0.015,
            "invalid_landline": 0.01,
            "invalid_prefix": 0.015,
        }
    )
    crm_phone_odd_format_share: float = 0.15  # CRM phones not in plain 11-digit form
    crm_phone_invalid_share: float = 0.02
    # --- e-commerce / mini-program --------------------------------------------------------------------
    ecom_unpaid_share: float = 0.03  # orders closed unpaid
    ecom_refund_share: float = 0.06  # paid orders refunded (55% full, 45% partial)
    mp_refund_share: float = 0.04
    mp_cancel_share: float = 0.03
    masked_phone_null_share: float = 0.10
    o2o_platform_share: float = 0.06  # of store-shoppers' purchases made through Meituan/Ele.me delivery
    o2o_late_share: float = 0.15  # deliveries later than promised
    o2o_cancel_share: float = 0.03
    o2o_outage_day_share: float = 0.10  # O2O store days with less online time than scheduled
    # --- behaviour ------------------------------------------------------------------------------------
    browser_share: float = 0.60  # online people whose purchases are preceded by browse events (AIPL)
    browse_sessions_per_year: float = 6.0  # browse-only sessions per online person-year
    # --- CRM consent ----------------------------------------------------------------------------------
    consent_sms_optin_at_enrol: float = 0.80
    consent_email_optin_at_enrol: float = 0.30
    consent_optout_per_year: float = 0.12  # yearly hazard of an opted-in member withdrawing consent
    consent_reoptin_share: float = 0.20  # of withdrawals: opted in again later
    # --- marketing ------------------------------------------------------------------------------------
    touch_delivered: float = 0.95
    touch_opened: float = 0.40  # of delivered
    touch_clicked: float = 0.25  # of opened
    coupon_base_redeem_share: float = 0.10  # issued coupons used on a purchase that happened anyway
    # --- landing quirks -------------------------------------------------------------------------------
    late_row_share: float = 0.02  # rows loaded 1-5 days after their business date
    duplicate_row_share: float = 0.005  # rows re-sent in a later load (identical except extracted_at)
    bad_row_share: float = 0.001  # POS tickets with a quarantine-worthy defect (split over kinds)
    # --- identity realism items (docs/generator.md "Identity realism"); none applies unless -----------
    # identity_realism is True (`omniwh generate --identity-realism`), so the default data stay as they were
    identity_realism: bool = False
    spreadsheet_damage_share: float = 0.06  # keyed and CRM phones damaged by a spreadsheet or an export
    store_placeholder_day_share: float = 0.20  # store-days on which the cashier keys the store's own
    # made-up number for every customer who gives no card and no phone
    recycled_phone_share: float = 0.01  # of people: a new owner of a number a lapsed member stopped using
    reissued_card_share: float = 0.01  # of plain members: card lost, replaced by a new card number
    duplicate_enrolment_share: float = 0.005  # of plain members: enrolled twice (second card, same person)
    rebound_buyer_share: float = 0.05  # of bound platform buyers: re-bind from a new buyer account

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def segment_names() -> list[str]:
    return ["store_only", "online_only", "omni"]


def season_weights() -> tuple[np.ndarray, np.ndarray]:
    """Daily demand multipliers over the period for stores and for online channels (each mean 1).

    Weekly pattern plus Spring Festival (stock-up before, quiet during), 618 and Double 11 (online peaks),
    National Day (stores).
    """
    days = np.arange(N_DAYS)
    dates = [day_to_date(D0 + d) for d in days]
    weekday = np.array([d.weekday() for d in dates])
    store = np.choose(weekday, [0.88, 0.85, 0.88, 0.92, 1.02, 1.28, 1.22]).astype(float)
    online = np.choose(weekday, [1.0, 0.97, 0.97, 0.98, 1.0, 1.03, 1.08]).astype(float)
    ordinal = np.array([d.toordinal() for d in dates])

    def window(center: dt.date, before: int, after: int) -> np.ndarray:
        c = center.toordinal()
        return (ordinal >= c - before) & (ordinal <= c + after)

    for sf in SPRING_FESTIVALS:
        store[window(sf, 14, -1)] *= 1.8
        store[window(sf, 0, 6)] *= 0.55
        online[window(sf, 14, -8)] *= 1.3
        online[window(sf, 0, 6)] *= 0.45
    for d11 in DOUBLE_11:
        online[window(d11, 21, -1)] *= 1.5
        online[window(d11, 0, 0)] *= 7.0
        store[window(d11, 10, 0)] *= 1.15
    for s in SIX_18:
        online[window(s, 18, -1)] *= 1.4
        online[window(s, 0, 0)] *= 5.0
        store[window(s, 17, 0)] *= 1.1
    for nd in NATIONAL_DAYS:
        store[window(nd, 0, 6)] *= 1.35
    return store / store.mean(), online / online.mean()
