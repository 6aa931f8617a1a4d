"""Per member and observation day (the as-of date and the day before): P(alive), expected purchase days in
the next 90/180/365 days (BG/NBD) and expected net sales per purchase day (Gamma-Gamma), with the parameters
of int_clv_parameters_fitted. The formulas are in omniwh/clv.py; the scores need the Gauss hypergeometric
function, which SQL engines lack, hence Python. All scores are NULL when the fit has no parameters.
"""

import numpy as np
import pandas as pd

from omniwh import clv

HORIZONS_DAYS = (90, 180, 365)


def _to_pandas(relation):
    return relation.toPandas() if hasattr(relation, "toPandas") else relation.df()


def model(dbt, session):
    dbt.config(materialized="table")
    inputs = _to_pandas(dbt.ref("int_member_clv_inputs_computed"))
    fitted = _to_pandas(dbt.ref("int_clv_parameters_fitted")).iloc[0]
    out = inputs[["member_id", "observation", "observed_date"]].copy()
    score_columns = ["p_alive"] + [f"expected_purchases_{h}d" for h in HORIZONS_DAYS] + [
        "expected_spend_per_purchase_amount"]
    if fitted["fit_status"] != "fitted":
        for column in score_columns:
            out[column] = np.nan
        return out
    bgnbd = clv.BgNbdParams(fitted["bgnbd_r"], fitted["bgnbd_alpha"], fitted["bgnbd_a"], fitted["bgnbd_b"],
                            fitted["bgnbd_log_likelihood"], int(fitted["members"]))
    gamma_gamma = clv.GammaGammaParams(fitted["gamma_gamma_p"], fitted["gamma_gamma_q"],
                                       fitted["gamma_gamma_gamma"], fitted["gamma_gamma_log_likelihood"],
                                       int(fitted["repeat_members"]))
    x = inputs["frequency"].to_numpy(dtype="float64")
    t_x = inputs["recency_days"].to_numpy(dtype="float64")
    age = inputs["age_days"].to_numpy(dtype="float64")
    out["p_alive"] = clv.p_alive(bgnbd, x, t_x, age)
    for horizon in HORIZONS_DAYS:
        out[f"expected_purchases_{horizon}d"] = clv.expected_purchases(bgnbd, horizon, x, t_x, age)
    spend = inputs["repeat_mean_spend_amount"].astype("float64").fillna(0.0).to_numpy()
    # a member without repeat purchases gets the model's population mean p * gamma / (q - 1); when q <= 1
    # that mean is infinite and the observed mean spend per repeat purchase day of the fitted members is used
    repeaters = (x > 0) & (spend > 0)
    population_mean = None
    if gamma_gamma.q <= 1:
        population_mean = float(np.average(spend[repeaters], weights=x[repeaters]))
    out["expected_spend_per_purchase_amount"] = clv.expected_spend(gamma_gamma, x, spend, population_mean)
    return out
