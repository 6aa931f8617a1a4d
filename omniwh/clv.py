"""Predictive customer lifetime value: BG/NBD and Gamma-Gamma, fitted by maximum likelihood.

The two published models, written from their papers:

- BG/NBD (Fader, Hardie and Lee 2005, "Counting Your Customers the Easy Way", Marketing Science 24(2)):
  while alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha); after each purchase they drop out
  with probability p ~ Beta(a, b). Per customer: x repeat purchases, t_x the time of the last one and T the
  time since the first purchase (the same time unit for both; the warehouse uses days).
- Gamma-Gamma (Fader, Hardie and Lee 2005, "RFM and CLV: Using Iso-Value Curves", JMR 42(4); Hardie's note
  "The Gamma-Gamma Model of Monetary Value"): the spend of a transaction is Gamma(p, nu) with
  nu ~ Gamma(q, gamma) per customer; fitted on customers with x >= 1 repeat purchases and their mean repeat
  spend m_x.

Why a small module and not a library: see DECISIONS.md ("Predictive CLV"). The likelihoods are evaluated with
numpy/scipy on arrays; identical (x, t_x, T) rows are collapsed into weights first, so a 1M-member fit costs
what its distinct histories cost. Parameters are optimised on the log scale (all are positive) with L-BFGS-B.

`python -m omniwh.clv bench [--members N]` simulates N members from the BG/NBD process and times the fit.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

# Start values on the log scale: r, alpha, a, b (alpha is rescaled by the mean T, see fit_bgnbd).
_BGNBD_START = np.log([0.5, 1.0, 1.0, 1.0])
_GG_START = np.log([1.0, 1.0, 1.0])


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    members: int


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    members: int


def _as_arrays(*columns):
    return [np.asarray(column, dtype=np.float64) for column in columns]


def _collapse(*columns):
    """Distinct rows of the columns and how often each occurs (the weights of the likelihood)."""
    whole = all(np.all(column == np.floor(column)) and column.min() >= 0 and column.max() < 2**20
                for column in columns)
    if whole and len(columns) <= 3:
        # whole numbers below 2^20 (days, counts): one int64 key per row sorts far faster than rows
        key = np.zeros(len(columns[0]), dtype=np.int64)
        for column in columns:
            key = (key << 20) | column.astype(np.int64)
        unique, counts = np.unique(key, return_counts=True)
        parts = []
        for _ in columns:
            parts.append((unique & (2**20 - 1)).astype(np.float64))
            unique = unique >> 20
        return parts[::-1], counts.astype(np.float64)
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(np.float64)


def _check_bgnbd_inputs(frequency, recency, age):
    if len(frequency) == 0:
        raise ValueError("no members to fit")
    if not (np.all(np.isfinite(frequency)) and np.all(np.isfinite(recency)) and np.all(np.isfinite(age))):
        raise ValueError("frequency, recency and T must be finite numbers")
    if np.any(frequency < 0) or np.any(frequency != np.floor(frequency)):
        raise ValueError("frequency must be a whole number of repeat purchases >= 0")
    if np.any(recency < 0) or np.any(recency > age + 1e-9):
        raise ValueError("recency must lie between 0 and T")
    if np.any((frequency == 0) & (recency != 0)):
        raise ValueError("a member without repeat purchases has recency 0")


def bgnbd_log_likelihood(r, alpha, a, b, frequency, recency, age):
    """Per-row log-likelihood of the BG/NBD model (paper, equation 6)."""
    x, t_x, big_t = frequency, recency, age
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + big_t)
    has_repeat = x > 0
    # a4 only exists for x > 0; b + x - 1 > 0 there, so the log is defined
    a4 = np.where(
        has_repeat,
        np.log(a) - np.log(np.where(has_repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return a1 + a2 + np.logaddexp(a3, a4)


def _bgnbd_objective(x, t_x, big_t, weights):
    """Negative mean log-likelihood over weighted distinct rows and its gradient in the log parameters.
    The gamma-function terms depend on x alone, which takes few distinct values: computed once per value."""
    x_values, x_index = np.unique(x, return_inverse=True)
    has_repeat = x > 0
    safe_b_shift = np.where(has_repeat, x - 1, 0.0)  # b + x - 1 only where x > 0
    total = weights.sum()

    def objective(log_params):
        r, alpha, a, b = np.exp(log_params)
        rx = r + x
        log_alpha_t = np.log(alpha + big_t)
        log_alpha_tx = np.log(alpha + t_x)
        b_x1 = b + safe_b_shift
        a1 = (special.gammaln(r + x_values) - special.gammaln(r))[x_index] + r * np.log(alpha)
        a2 = (special.gammaln(a + b) + special.gammaln(b + x_values) - special.gammaln(b)
              - special.gammaln(a + b + x_values))[x_index]
        a3 = -rx * log_alpha_t
        a4 = np.where(has_repeat, np.log(a) - np.log(b_x1) - rx * log_alpha_tx, -np.inf)
        log_sum = np.logaddexp(a3, a4)
        w4 = np.exp(a4 - log_sum)  # 0 where x = 0
        w3 = 1.0 - w4
        d_r = ((special.digamma(r + x_values) - special.digamma(r))[x_index] + np.log(alpha)
               - w3 * log_alpha_t - w4 * log_alpha_tx)
        d_alpha = r / alpha - rx * (w3 / (alpha + big_t) + w4 / (alpha + t_x))
        d_a = (special.digamma(a + b) - special.digamma(a + b + x_values))[x_index] + w4 / a
        d_b = ((special.digamma(a + b) + special.digamma(b + x_values) - special.digamma(b)
                - special.digamma(a + b + x_values))[x_index] - w4 / b_x1)
        value = -np.dot(weights, a1 + a2 + log_sum) / total
        gradient = -np.array([
            r * np.dot(weights, d_r), alpha * np.dot(weights, d_alpha),
            a * np.dot(weights, d_a), b * np.dot(weights, d_b),
        ]) / total
        return value, gradient

    return objective


def fit_bgnbd(frequency, recency, age) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters of the members given (x, t_x, T arrays in one time unit)."""
    frequency, recency, age = _as_arrays(frequency, recency, age)
    _check_bgnbd_inputs(frequency, recency, age)
    (x, t_x, big_t), weights = _collapse(frequency, recency, age)
    # alpha is a time scale: start it at the scale of the data so days and weeks converge alike
    scale = float(np.average(big_t, weights=weights)) or 1.0
    start = _BGNBD_START + np.array([0.0, np.log(scale), 0.0, 0.0])
    result = optimize.minimize(
        _bgnbd_objective(x, t_x, big_t, weights), start, jac=True, method="L-BFGS-B",
        options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-10},
    )
    if not np.isfinite(result.fun):
        raise RuntimeError(f"BG/NBD fit did not converge: {result.message}")
    r, alpha, a, b = (float(value) for value in np.exp(result.x))
    log_likelihood = float(np.dot(weights, bgnbd_log_likelihood(r, alpha, a, b, x, t_x, big_t)))
    return BgNbdParams(r, alpha, a, b, log_likelihood, int(weights.sum()))


def p_alive(params: BgNbdParams, frequency, recency, age):
    """Probability that a member with history (x, t_x, T) is still alive at T (paper, equation 8)."""
    x, t_x, big_t = _as_arrays(frequency, recency, age)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    has_repeat = x > 0
    safe_b = np.where(has_repeat, b + x - 1, 1.0)
    log_ratio = np.log(a) - np.log(safe_b) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    # 1 / (1 + exp(log_ratio)) without overflow
    return np.where(has_repeat, special.expit(-log_ratio), 1.0)


def expected_purchases(params: BgNbdParams, horizon, frequency, recency, age):
    """Expected purchases in the next `horizon` time units of a member with history (x, t_x, T)
    (paper, equation 10)."""
    x, t_x, big_t = _as_arrays(frequency, recency, age)
    t = float(horizon)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + big_t + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    bracket = 1.0 - np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + t))) * hyp
    numerator = (a + b + x - 1) / (a - 1) * bracket
    return numerator * p_alive(params, x, t_x, big_t)


def expected_purchases_new_member(params: BgNbdParams, horizon):
    """E[X(t)]: expected purchases of a member in their first `horizon` time units (paper, equation 7)."""
    t = float(horizon)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    return (a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + t)) ** r * hyp)


def gamma_gamma_log_likelihood(p, q, gamma, frequency, mean_spend):
    """Per-row log-likelihood of the Gamma-Gamma model of mean repeat spend m_x over x >= 1 purchases."""
    x, m_x = frequency, mean_spend
    px = p * x
    return (
        special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(gamma)
        + (px - 1) * np.log(m_x) + px * np.log(x) - (px + q) * np.log(gamma + x * m_x)
    )


def fit_gamma_gamma(frequency, mean_spend) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters over members with x >= 1 repeat purchases and m_x > 0."""
    frequency, mean_spend = _as_arrays(frequency, mean_spend)
    keep = (frequency > 0) & (mean_spend > 0)
    if not keep.any():
        raise ValueError("no member with repeat purchases and a positive mean spend to fit")
    if not np.all(np.isfinite(mean_spend[keep])):
        raise ValueError("mean spend must be a finite number")
    # mean spends are continuous: rows are rarely equal, so no collapsing here
    x, m_x = frequency[keep], mean_spend[keep]
    log_m, log_x, x_m = np.log(m_x), np.log(x), x * m_x
    count = float(len(x))
    start = _GG_START + np.array([0.0, 0.0, np.log(float(np.mean(m_x)))])

    def objective(log_params):
        p, q, gamma = np.exp(log_params)
        px = p * x
        log_gamma_xm = np.log(gamma + x_m)
        digamma_pxq = special.digamma(px + q)
        value = np.sum(
            special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(gamma)
            + (px - 1) * log_m + px * log_x - (px + q) * log_gamma_xm
        )
        d_p = np.sum(x * (digamma_pxq - special.digamma(px) + log_m + log_x - log_gamma_xm))
        d_q = np.sum(digamma_pxq - special.digamma(q) + np.log(gamma) - log_gamma_xm)
        d_gamma = np.sum(q / gamma - (px + q) / (gamma + x_m))
        return -value / count, -np.array([p * d_p, q * d_q, gamma * d_gamma]) / count

    result = optimize.minimize(
        objective, start, jac=True, method="L-BFGS-B",
        options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-10},
    )
    if not np.isfinite(result.fun):
        raise RuntimeError(f"Gamma-Gamma fit did not converge: {result.message}")
    p, q, gamma = (float(value) for value in np.exp(result.x))
    return GammaGammaParams(p, q, gamma, float(-result.fun * count), int(count))


def expected_spend(params: GammaGammaParams, frequency, mean_spend, population_mean=None):
    """E[M | x, m_x]: expected spend per future purchase. A member without repeat purchases gets the
    population mean p * gamma / (q - 1) (the model's prior mean; finite only for q > 1)."""
    x, m_x = _as_arrays(frequency, mean_spend)
    p, q, gamma = params.p, params.q, params.gamma
    prior_mean = population_mean if population_mean is not None else (
        p * gamma / (q - 1) if q > 1 else np.nan
    )
    has_repeat = (x > 0) & (m_x > 0)
    safe_x = np.where(has_repeat, x, 1.0)
    safe_m = np.where(has_repeat, m_x, 0.0)
    conditional = (gamma + safe_x * safe_m) * p / (p * safe_x + q - 1)
    return np.where(has_repeat, conditional, prior_mean)


def simulate_bgnbd(members: int, r: float, alpha: float, a: float, b: float, age_max: float, seed: int = 0):
    """(x, t_x, T) of members simulated from the BG/NBD process, first purchases spread over age_max."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, members)
    drop = rng.beta(a, b, members)
    age = rng.uniform(1.0, age_max, members)
    frequency = np.zeros(members)
    recency = np.zeros(members)
    now = np.zeros(members)
    active = np.ones(members, dtype=bool)
    # one repeat purchase of every still-active member per round; dropout after each purchase
    while active.any():
        idx = np.flatnonzero(active)
        step = rng.exponential(1.0 / np.maximum(lam[idx], 1e-12))
        now[idx] += step
        bought = now[idx] <= age[idx]
        buyers = idx[bought]
        frequency[buyers] += 1
        recency[buyers] = now[buyers]
        active[idx[~bought]] = False
        dropped = rng.random(len(buyers)) < drop[buyers]
        active[buyers[dropped]] = False
    # the warehouse counts whole days: round like the SQL does
    return frequency, np.floor(recency), np.floor(age)


def simulate_mean_spend(frequency, p: float, q: float, gamma: float, seed: int = 0):
    """Mean spend of each member's x repeat purchases under the Gamma-Gamma model (0 where x = 0)."""
    rng = np.random.default_rng(seed)
    nu = rng.gamma(q, 1.0 / gamma, len(frequency))
    shape = np.where(frequency > 0, p * frequency, 1.0)
    # the sum of x Gamma(p, nu) spends is Gamma(p x, nu); the mean divides it by x
    total = rng.gamma(shape, 1.0 / nu)
    return np.where(frequency > 0, total / np.maximum(frequency, 1.0), 0.0)


def bench(members: int = 1_000_000, seed: int = 0) -> dict:
    """Simulate `members` BG/NBD histories in days (and Gamma-Gamma spends) and time the two fits."""
    true = {"r": 0.25, "alpha": 30.0, "a": 0.8, "b": 2.5}
    true_spend = {"p": 6.0, "q": 3.5, "gamma": 150.0}
    frequency, recency, age = simulate_bgnbd(members, **true, age_max=730.0, seed=seed)
    spend = simulate_mean_spend(frequency, **true_spend, seed=seed)
    started = time.perf_counter()
    params = fit_bgnbd(frequency, recency, age)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    spend_params = fit_gamma_gamma(frequency, spend)
    spend_seconds = time.perf_counter() - started
    started = time.perf_counter()
    p_alive(params, frequency, recency, age)
    expected_purchases(params, 365, frequency, recency, age)
    expected_spend(spend_params, frequency, spend)
    score_seconds = time.perf_counter() - started
    return {"members": members, "fit_seconds": fit_seconds, "gamma_gamma_seconds": spend_seconds,
            "score_seconds": score_seconds, "repeat_members": int((frequency > 0).sum()),
            "true": {**true, **true_spend},
            "fitted": {"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b,
                       "p": spend_params.p, "q": spend_params.q, "gamma": spend_params.gamma}}


def bench_line(result: dict) -> str:
    fitted = ", ".join(f"{k} {v:.4g} (true {result['true'][k]})" for k, v in result["fitted"].items())
    return (f"CLV fit: {result['members']:,} simulated members: BG/NBD fit {result['fit_seconds']:.1f} s, "
            f"Gamma-Gamma fit ({result['repeat_members']:,} repeat buyers) "
            f"{result['gamma_gamma_seconds']:.1f} s, "
            f"scoring {result['score_seconds']:.1f} s; {fitted}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m omniwh.clv")
    sub = parser.add_subparsers(dest="command", required=True)
    bench_parser = sub.add_parser("bench", help="time the BG/NBD fit on simulated members")
    bench_parser.add_argument("--members", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    if args.command == "bench":
        print(bench_line(bench(args.members)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
