"""BG/NBD and Gamma-Gamma parameters fitted by maximum likelihood on every member's history as of the as-of
date (one row). The likelihoods and the optimiser are in omniwh/clv.py; why a small module of our own and not
a library is in DECISIONS.md ("Predictive CLV").

Runs in the dbt process on DuckDB. On Spark it needs an adapter that runs dbt Python models (Databricks,
Dataproc): the inputs are one small row per member, collected to the driver with toPandas().
"""

import pandas as pd

from omniwh import clv

MIN_MEMBERS = 10
MIN_REPEAT_MEMBERS = 3


def _to_pandas(relation):
    # DuckDB relations have .df(), Spark DataFrames .toPandas()
    return relation.toPandas() if hasattr(relation, "toPandas") else relation.df()


def model(dbt, session):
    dbt.config(materialized="table")
    inputs = _to_pandas(dbt.ref("int_member_clv_inputs_computed"))
    today = inputs[inputs["observation"] == "as_of_date"]
    row = {
        "fitted_on_date": today["observed_date"].max() if len(today) else None,
        "fit_status": "fitted",
        "members": len(today),
        "repeat_members": int((today["frequency"] > 0).sum()),
        "bgnbd_r": None, "bgnbd_alpha": None, "bgnbd_a": None, "bgnbd_b": None, "bgnbd_log_likelihood": None,
        "gamma_gamma_p": None, "gamma_gamma_q": None, "gamma_gamma_gamma": None,
        "gamma_gamma_log_likelihood": None,
    }
    # too little history is a reason on the row, not a failed build: the scores are then NULL
    if row["members"] < MIN_MEMBERS or row["repeat_members"] < MIN_REPEAT_MEMBERS:
        row["fit_status"] = "too_few_members"
    else:
        try:
            bgnbd = clv.fit_bgnbd(today["frequency"], today["recency_days"], today["age_days"])
            spend = today["repeat_mean_spend_amount"].astype("float64").fillna(0.0)
            gamma_gamma = clv.fit_gamma_gamma(today["frequency"], spend)
        except (RuntimeError, ValueError):
            row["fit_status"] = "not_converged"
        else:
            row.update({
                "bgnbd_r": bgnbd.r, "bgnbd_alpha": bgnbd.alpha, "bgnbd_a": bgnbd.a, "bgnbd_b": bgnbd.b,
                "bgnbd_log_likelihood": bgnbd.log_likelihood,
                "gamma_gamma_p": gamma_gamma.p, "gamma_gamma_q": gamma_gamma.q,
                "gamma_gamma_gamma": gamma_gamma.gamma,
                "gamma_gamma_log_likelihood": gamma_gamma.log_likelihood,
            })
    frame = pd.DataFrame([row])
    float_columns = [column for column in frame.columns if column.startswith(("bgnbd_", "gamma_gamma_"))]
    frame[float_columns] = frame[float_columns].astype("float64")
    frame["fitted_on_date"] = pd.to_datetime(frame["fitted_on_date"]).dt.date
    return frame
