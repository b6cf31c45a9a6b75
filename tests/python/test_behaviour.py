"""Customer behaviour (DESIGN.md section 2): the realised responses match the configured model.

Statistical checks use fixed seeds and two-sided tests at a false-failure probability of 1e-4 (a
z band of 3.89, or a p-value floor of 1e-4); each also asserts that a plausible wrong model (other
shares, another acceptance form, another patience) is rejected by the same test, so it has power.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import stocklab as sl

ALPHA = 1e-4
Z = float(stats.norm.ppf(1 - ALPHA / 2))  # 3.89

OCCASION_KINDS = ["sale", "partial_sale", "backordered", "bought_elsewhere", "substituted", "delayed",
                  "no_purchase"]
TURNED_AWAY = ["bought_elsewhere", "substituted", "delayed", "no_purchase"]
CUSTOMER_METRICS = {"churned_customers", "active_customers_end", "mean_loyalty", "negative_reviews", "positive_reviews",
                    "new_customers", "repeat_purchase_rate", "revenue_per_customer",
                    "loyalty_lost_to_announced_delays", "loyalty_lost_to_surprise_delays"}


def shop(customers: dict[str, Any] | None = None, horizon: float = 200.0, **sections: Any) -> sl.Scenario:
    """A store with nothing on the shelf and no replenishment: every occasion is a stock-out.

    Customers model with behaviour on and every loyalty effect, churn and review switched off unless
    ``customers`` overrides them; the event log is recorded.
    """
    cust: dict[str, Any] = {
        "population": 500,
        "initial_loyalty": 0.8,
        "behaviour": True,
        "response": {"buy_elsewhere": 0.4, "substitute": 0.3, "delay": 0.2, "no_purchase": 0.1,
                     "delay_days": {"dist": "exponential", "mean": 3.0}},
        "backorder_acceptance": {"form": "constant", "beta0": 0.3},
        "patience": {"dist": "infinite"},
        "loyalty": {"served": 0.0, "backorder_on_time": 0.0, "backorder_late": 0.0, "turned_away": 0.0,
                    "cancelled": 0.0, "churn_probability": 0.0},
    }
    cust.update(customers or {})
    doc: dict[str, Any] = {
        "schema_version": 1,
        "name": "shop",
        "run": {"horizon_days": horizon, "warmup_days": 0, "snapshot_interval_days": 0,
                "record_events": True},
        "sku": {"price": 10.0, "unit_cost": 5.0},
        "initial": {"on_hand": 0},
        "demand": {"model": "customers", "rate_per_day": 50.0},
        "customers": cust,
        "supplier": {"lead_time": {"dist": "constant", "value": 5.0}},
        "replenishment": {"policy": "none"},
        "shortage": {"rule": "lost_sales"},
    }
    doc.update(copy.deepcopy(sections))
    return sl.Scenario.from_dict(doc)


def counts(events: pd.DataFrame, kinds: list[str]) -> np.ndarray:
    vc = events["event"].value_counts()
    return np.array([int(vc.get(k, 0)) for k in kinds])


def binomial_check(label: str, successes: int, n: int, p: float, wrong: dict[str, float]) -> float:
    """Assert successes/n matches p within Z binomial standard errors; every wrong p is rejected."""
    assert n > 1000, f"{label}: only {n} trials"
    phat = successes / n
    z = (phat - p) / np.sqrt(p * (1 - p) / n)
    assert abs(z) <= Z, f"{label}: realised {phat:.4f} over {n} trials vs configured {p:.4f} (z = {z:.1f})"
    for why, w in wrong.items():
        zw = (phat - w) / np.sqrt(w * (1 - w) / n)
        assert abs(zw) > Z, f"{label}: {phat:.4f} cannot reject {w:.4f} ({why}): the test is too weak"
    return phat


# ---------------------------------------------------------------------------------------------


def test_stockout_response_shares():
    """Turned-away customers split into bought_elsewhere / substituted / delayed / no_purchase with
    the configured probabilities (0.4, 0.3, 0.2, 0.1): chi-square goodness of fit on the event log
    (each stock-out draws its own uniform, so the counts are multinomial). Delayed customers come
    back (and meet another stock-out), so there are more responses than first occasions."""
    sc = shop()
    r = sl.simulate(sc, seed=101)
    ev = r.events
    obs = counts(ev, TURNED_AWAY)
    n = int(obs.sum())
    assert n > 10_000 and counts(ev, ["sale", "partial_sale", "backordered"]).sum() == 0
    p = np.array([0.4, 0.3, 0.2, 0.1])
    pval = stats.chisquare(obs, n * p).pvalue
    assert pval > ALPHA, f"response counts {obs.tolist()} (n={n}) do not fit {p.tolist()}: p = {pval:.2g}"
    for i, k in enumerate(TURNED_AWAY):
        binomial_check(f"share {k}", int(obs[i]), n, float(p[i]), {})
    # Power: a model that swapped substitute and delay, or used the camera_lens shares, is rejected.
    for wrong in ([0.4, 0.2, 0.3, 0.1], [0.57, 0.19, 0.15, 0.09], [0.25, 0.25, 0.25, 0.25]):
        assert stats.chisquare(obs, n * np.array(wrong)).pvalue < ALPHA, wrong
    # The summary counts the same thing.
    s = r.summary
    assert s["substituted_units"] == obs[1] and s["delayed_units"] == obs[2]
    assert s["lost_units"] == obs[0] + obs[1] + obs[3]
    assert s["demand_units"] == n


def test_backorder_acceptance_constant():
    """Constant form: every stock-out offered a backorder is accepted with probability beta0 = 0.3,
    whatever the quoted wait. Realised rate from the event log (backordered / offers) and from the
    summary's backorder_acceptance_rate."""
    beta0 = 0.3
    sc = shop({"backorder_acceptance": {"form": "constant", "beta0": beta0}}, horizon=100,
              shortage={"rule": "backorder"})
    r = sl.simulate(sc, seed=202)
    acc = int(counts(r.events, ["backordered"])[0])
    offers = acc + int(counts(r.events, TURNED_AWAY).sum())
    phat = binomial_check("constant acceptance", acc, offers, beta0,
                          {"default beta0 0.5": 0.5, "1 - beta0": 1 - beta0})
    assert r.summary["backorder_acceptance_rate"] == pytest.approx(phat, abs=1e-12)
    assert r.summary["backordered_units"] == acc


@pytest.mark.parametrize("quote_days", [3.0, 10.0])
def test_backorder_acceptance_exponential_fixed_quote(quote_days):
    """Exponential form with a fixed quote of w days: acceptance = beta0 * exp(-a * w), beta0 = 0.6,
    a = 0.1/day. Rejects: ignoring the wait (beta0), using the customer's expected wait (14 days)
    instead of the quote, and the other parametrised quote."""
    beta0, a = 0.6, 0.1
    sc = shop({"backorder_acceptance": {"form": "exponential", "beta0": beta0, "rate_per_day": a},
               "expected_wait_days": 14.0},
              shortage={"rule": "backorder", "quote": {"mode": "fixed", "days": quote_days}}, horizon=100)
    r = sl.simulate(sc, seed=303)
    ev = r.events
    bo = ev[ev["event"] == "backordered"]
    assert (bo["value"] == quote_days).all(), "the logged quote is not the fixed quote"
    offers = len(bo) + int(counts(ev, TURNED_AWAY).sum())
    other = 13.0 - quote_days
    binomial_check(f"exponential acceptance, quote {quote_days:g} days", len(bo), offers,
                   beta0 * np.exp(-a * quote_days),
                   {"wait ignored": beta0, "expected wait 14 days": beta0 * np.exp(-a * 14.0),
                    f"quote {other:g} days": beta0 * np.exp(-a * other)})


def test_patience_cancellations():
    """No replenishment ever arrives and every customer accepts a backorder (beta0 = 1), so every
    backorder ends in a cancellation after the customer's patience, exponential with mean 5 days.
    Backorders taken before horizon - 100 days (P(patience > 100) = e^-20) are all cancelled, each
    exactly once, and their waits are Exponential(mean 5): mean within Z sem, and a
    Kolmogorov-Smirnov test; mean 14 (the default) or a constant 5 days are rejected."""
    mean_patience, horizon = 5.0, 300.0
    sc = shop({"backorder_acceptance": {"form": "constant", "beta0": 1.0},
               "patience": {"dist": "exponential", "mean": mean_patience}},
              demand={"model": "customers", "rate_per_day": 20.0},
              shortage={"rule": "backorder"}, horizon=horizon)
    r = sl.simulate(sc, seed=404)
    ev = r.events
    cutoff = horizon - 100.0
    bo = ev[(ev["event"] == "backordered") & (ev["time"] < cutoff)]
    assert counts(ev, TURNED_AWAY).sum() == 0
    cancel = ev[ev["event"] == "backorder_cancelled"]
    order_time = cancel["time"] - cancel["value"]
    early = cancel[order_time < cutoff]
    assert len(bo) > 3000 and len(early) == len(bo)
    # Each backorder is cancelled once: same (customer, order time) pairs.
    a = bo.sort_values(["customer", "time"])
    b = early.assign(t0=early["time"] - early["value"]).sort_values(["customer", "t0"])
    np.testing.assert_array_equal(a["customer"].to_numpy(), b["customer"].to_numpy())
    np.testing.assert_allclose(a["time"].to_numpy(), b["t0"].to_numpy(), rtol=0, atol=1e-9)
    assert r.summary["cancelled_units"] == len(cancel) and r.summary["fulfilled_backorder_units"] == 0
    assert r.summary["backordered_units"] == counts(ev, ["backordered"])[0]

    waits = early["value"].to_numpy()
    m, se = waits.mean(), waits.std(ddof=1) / np.sqrt(len(waits))
    assert abs(m - mean_patience) <= Z * se, f"mean wait {m:.3f} +- {Z * se:.3f} vs patience {mean_patience}"
    assert abs(m - 14.0) > Z * se
    assert stats.kstest(waits, "expon", args=(0, mean_patience)).pvalue > ALPHA
    assert stats.kstest(waits, "expon", args=(0, 14.0)).pvalue < ALPHA
    assert stats.kstest(waits, "uniform", args=(0, 2 * mean_patience)).pvalue < ALPHA


def test_loyalty_falls_after_turned_away():
    """Every turned-away experience multiplies loyalty by 1 - 0.1 and a customer's occasion rate is
    (rate / population) * loyalty / initial_loyalty. Everyone buys elsewhere (no delayed returns),
    so every occasion in the log is a fresh one.

    * Exact: a customer turned away k times has loyalty 0.8 * 0.9^k, so the summary's mean loyalty
      equals the mean over customers of 0.8 * 0.9^k_i (up to rounding).
    * Statistical: the number of occasions N minus its compensator
      Lambda = sum_i int (rate / n) * loyalty_i(t) / 0.8 dt (from each customer's event times) is a
      martingale with variance E[Lambda]: |N - Lambda| <= Z sqrt(Lambda). Rejected: no loyalty effect
      (Lambda = rate * horizon) and a rate proportional to loyalty without the 1/initial_loyalty scale.
    """
    pop, rate, horizon, l0, pen = 200, 20.0, 100.0, 0.8, 0.1
    sc = shop({"population": pop, "initial_loyalty": l0,
               "response": {"buy_elsewhere": 1.0, "substitute": 0.0, "delay": 0.0, "no_purchase": 0.0},
               "loyalty": {"served": 0.0, "backorder_on_time": 0.0, "backorder_late": 0.0, "turned_away": pen,
                           "cancelled": 0.0, "churn_probability": 0.0}},
              demand={"model": "customers", "rate_per_day": rate}, horizon=horizon)
    r = sl.simulate(sc, seed=505)
    ev = r.events
    occ = ev[ev["event"].isin(OCCASION_KINDS)]
    assert (occ["event"] == "bought_elsewhere").all()
    k = occ.groupby("customer").size().reindex(range(pop), fill_value=0).to_numpy()
    expected_loyalty = float(np.mean(l0 * (1 - pen) ** k))
    assert r.summary["mean_loyalty"] == pytest.approx(expected_loyalty, rel=1e-9)
    assert r.summary["mean_loyalty"] < l0 * 0.5

    base = rate / pop
    lam = 0.0
    for _, times in occ.groupby("customer")["time"]:
        t = np.concatenate([[0.0], np.sort(times.to_numpy()), [horizon]])
        lam += base * float(np.sum(np.diff(t) * (1 - pen) ** np.arange(len(t) - 1)))
    lam += base * horizon * (pop - occ["customer"].nunique())  # never turned away: full rate throughout
    n_occ = len(occ)
    assert abs(n_occ - lam) <= Z * np.sqrt(lam), f"{n_occ} occasions vs compensator {lam:.1f}"
    for why, wrong in (("no loyalty effect", rate * horizon), ("rate * loyalty, unscaled", lam * l0)):
        assert abs(n_occ - wrong) > Z * np.sqrt(wrong), why

    # Same seed without the loyalty effect: more demand.
    sc0 = sc.with_overrides({"customers.loyalty.turned_away": 0.0})
    r0 = sl.simulate(sc0, seed=505)
    assert r0.summary["mean_loyalty"] == pytest.approx(l0)
    d0, d = r0.summary["demand_units"], r.summary["demand_units"]
    assert abs(d0 - rate * horizon) <= Z * np.sqrt(rate * horizon)
    assert d0 - d > Z * np.sqrt(d0 + d), f"demand {d} with the loyalty effect vs {d0} without"


@pytest.mark.parametrize("policy", ["out_of_stock", "backorder"])
def test_churned_customers_never_return(camera_lens, policy):
    """camera_lens with churn_probability 0.3: a churned customer has no purchase occasion after the
    churn row (no sale, stock-out or delayed return), churns at most once, and the summary's counts
    agree with the log (population + new customers - churned = active at the end)."""
    sc = camera_lens.with_overrides({"run.record_events": True, "customers.loyalty.churn_probability": 0.3})
    r = sl.simulate(sc, seed=606, policy=policy)
    ev = r.events.reset_index(drop=True)
    churn = ev[ev["event"] == "churned"]
    assert len(churn) > 50
    assert churn["customer"].is_unique
    occ = ev[ev["event"].isin(OCCASION_KINDS)]
    last_occasion = occ.reset_index().groupby("customer")["index"].max()
    churn_row = pd.Series(churn.index, index=churn["customer"].to_numpy())
    after = last_occasion.reindex(churn_row.index) > churn_row
    assert not after.any(), f"customers active after churning: {after[after].index.tolist()[:10]}"
    s = r.summary
    assert s["churned_customers"] == len(churn)
    assert s["new_customers"] == (ev["event"] == "new_customer").sum()
    assert s["active_customers_end"] == 3000 + s["new_customers"] - s["churned_customers"]


# ---------------------------------------------------------------------------------------------
# Behaviour off = the textbook anonymous Poisson stream

TEXTBOOK_CASES = {
    # rate 0.1 and 11 customers: (0.1 / 11) * 11 != 0.1 in floating point, so this case fails if the
    # superposed rate is computed per customer and multiplied back (fixed in the engine).
    "lost_sales_s_S_gamma": dict(
        rate=0.1, population=11, shortage={"rule": "lost_sales"},
        replenishment={"policy": "s_S", "s": 2, "S": 6},
        lead={"dist": "gamma", "mean": 25.0, "cv": 0.5}, seasonality=None),  # slow enough to run out
    "backorder_base_stock_seasonal": dict(
        rate=6.0, population=3000, shortage={"rule": "backorder", "prepay": True},
        replenishment={"policy": "base_stock", "S": 40},
        lead={"dist": "exponential", "mean": 5.0}, seasonality={"amplitude": 0.5, "period_days": 365}),
    "partial_backorder_R_S": dict(
        rate=2.3, population=7, shortage={"rule": "partial_backorder", "max_open_backorders": 3},
        replenishment={"policy": "R_S", "S": 30, "review_period_days": 7},
        lead={"dist": "constant", "value": 3.0}, seasonality=None),
}


@pytest.mark.parametrize("case", list(TEXTBOOK_CASES), ids=list(TEXTBOOK_CASES))
def test_behaviour_off_equals_textbook(case):
    """customers with behaviour=false run the same model as the anonymous Poisson stream, and with
    the same seed the same run: the superposed occasion rate equals the stream's rate exactly, the
    thinning (seasonality) and lead-time streams are shared, unit orders consume no random numbers,
    and without behaviour nobody declines a backorder or cancels. So every store metric, the time
    series and the event log (but for the customer id) are identical; only the customer metrics
    (NaN for the anonymous stream) differ."""
    c = TEXTBOOK_CASES[case]
    demand: dict[str, Any] = {"model": "poisson", "rate_per_day": c["rate"]}
    if c["seasonality"]:
        demand["seasonality"] = c["seasonality"]
    doc: dict[str, Any] = {
        "schema_version": 1, "name": case,
        "run": {"horizon_days": 730, "warmup_days": 30, "snapshot_interval_days": 1, "record_events": True},
        "sku": {"price": 19.99, "unit_cost": 11.0, "holding_cost_per_unit_day": 0.02},
        "initial": {"on_hand": 10, "cash": 500.0},
        "demand": demand,
        "supplier": {"lead_time": c["lead"], "order_cost": 12.5, "payment_terms_days": 30},
        "replenishment": c["replenishment"],
        "shortage": c["shortage"],
    }
    poisson = sl.Scenario.from_dict(doc)
    doc["demand"] = {**demand, "model": "customers"}
    doc["customers"] = {"population": c["population"], "behaviour": False}
    customers = sl.Scenario.from_dict(doc)
    a, b = sl.simulate(poisson, seed=707), sl.simulate(customers, seed=707)
    store = [m for m in sl.METRICS if m not in CUSTOMER_METRICS]
    np.testing.assert_array_equal(a.summary[store].to_numpy(), b.summary[store].to_numpy())
    assert a.summary["demand_units"] > 50 and a.summary["served_from_stock_units"] < a.summary["demand_units"]
    assert a.summary[list(CUSTOMER_METRICS)].isna().all()
    assert b.summary["churned_customers"] == 0 and b.summary["active_customers_end"] == c["population"]
    cols = ["time", "on_hand", "backorders", "on_order", "inventory_position", "cash", "demand",
            "served_from_stock"]
    pd.testing.assert_frame_equal(a.timeseries[cols], b.timeseries[cols])
    ecols = ["time", "event", "quantity", "value", "on_hand", "backorders", "on_order", "cash"]
    pd.testing.assert_frame_equal(a.events[ecols], b.events[ecols])
    assert (a.events.loc[a.events["event"].isin(OCCASION_KINDS), "customer"] == -1).all()


# ---------------------------------------------------------------------------------------------
# Common random numbers across policies


def test_common_random_numbers_across_policies(camera_lens):
    """camera_lens "out_of_stock" and "backorder" with the same seed see the same customers: the two
    event logs are identical row for row (time, event, customer, quantity, stock, cash) up to the
    first backorder the backorder store takes; that occasion is the same (time, customer) in both,
    turned away in one and backordered in the other; and before it both met the same stock-outs
    (a declined backorder offer draws the same response as the out-of-stock store)."""
    sc = camera_lens.with_overrides({"run.record_events": True})
    for seed in (12, 13):  # seeds whose first accepted backorder follows a declined offer
        a = sl.simulate(sc, seed=seed, policy="out_of_stock").events
        b = sl.simulate(sc, seed=seed, policy="backorder").events
        first_bo = int(np.flatnonzero((b["event"] == "backordered").to_numpy())[0])
        cols = ["time", "event", "customer", "quantity", "on_hand", "backorders", "on_order", "cash"]
        pd.testing.assert_frame_equal(a[cols].iloc[:first_bo], b[cols].iloc[:first_bo])
        prefix = a.iloc[:first_bo]
        assert (prefix["event"] == "sale").sum() > 100
        assert prefix["event"].isin(TURNED_AWAY).any(), "no stock-out before the first backorder"
        assert (a["time"].iloc[first_bo], a["customer"].iloc[first_bo]) == \
            (b["time"].iloc[first_bo], b["customer"].iloc[first_bo])
        assert a["event"].iloc[first_bo] in TURNED_AWAY
