"""Property tests: for random valid scenarios, the invariants of DESIGN.md section 6 hold in every run.

Scenarios vary demand (Poisson or customers, behaviour on or off, order sizes, seasonality), every
replenishment policy, every shortage rule and option, supplier lead times, reliability,
disruptions, capacity, minimum orders and payment terms, and finance settings, over short horizons.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stocklab as sl
from stocklab import _core


def run_invariants(parsed: Any, seed: int, rep: int) -> dict[str, Any]:
    """Run to the horizon; the balances the invariants check, and the summary."""
    sim = _core.Simulation(parsed, seed, rep)
    sim.run_until(parsed.horizon_days)
    return {**sim.invariants(), "summary": sim.summary()}

M = {name: i for i, name in enumerate(sl.METRICS)}

PROPERTY_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# ---------------------------------------------------------------------------------------------
# strategies


def days(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3))


def prob(hi: float = 1.0) -> st.SearchStrategy[float]:
    return st.floats(0.0, hi, allow_nan=False).map(lambda x: round(x, 4))


def money(hi_cents: int) -> st.SearchStrategy[float]:
    """Whole cents, so money identities can be checked to the cent."""
    return st.integers(0, hi_cents).map(lambda c: c / 100.0)


@st.composite
def time_dist(draw: Any, mean_hi: float, allow_infinite: bool = False,
              mean_lo: float = 0.05) -> dict[str, Any]:
    """A non-negative distribution of days with mean in [mean_lo, mean_hi] (uniform may have
    low == high, empirical may contain zeros)."""
    kinds = ["constant", "exponential", "gamma", "lognormal", "uniform", "empirical"]
    if allow_infinite:
        kinds.append("infinite")
    kind = draw(st.sampled_from(kinds))
    mean = draw(days(mean_lo, mean_hi))
    if kind == "constant":
        return {"dist": "constant", "value": mean}
    if kind == "exponential":
        return {"dist": "exponential", "mean": mean}
    if kind in ("gamma", "lognormal"):
        return {"dist": kind, "mean": mean, "cv": draw(days(0.0, 2.0))}
    if kind == "uniform":
        lo = draw(days(0.0, mean))
        return {"dist": "uniform", "low": lo, "high": round(2 * mean - lo, 3)}
    if kind == "empirical":
        values = [mean, *draw(st.lists(days(0.0, mean_hi), max_size=3))]  # mean > 0: never all zero
        weights = draw(st.lists(st.integers(1, 5), min_size=len(values), max_size=len(values)))
        return {"dist": "empirical", "values": values, "weights": weights}
    return {"dist": "infinite"}


order_sizes = st.one_of(
    st.just({"dist": "constant", "value": 1}),
    st.integers(1, 4).map(lambda v: {"dist": "constant", "value": v}),
    st.integers(1, 3).map(lambda lo: {"dist": "uniform_int", "low": lo, "high": lo + 3}),
    days(1.0, 3.0).map(lambda m: {"dist": "geometric", "mean": m}),
    st.just({"dist": "empirical", "values": [1, 2, 6], "weights": [5, 3, 1]}),
)


@st.composite
def customers_section(draw: Any, horizon: float) -> dict[str, Any]:
    loyalty0 = draw(st.floats(0.05, 1.0).map(lambda x: round(x, 3)))
    w = draw(st.lists(st.integers(0, 10), min_size=4, max_size=4).filter(lambda v: sum(v) > 0))
    shares = [x / sum(w) for x in w]
    shares[-1] = 1.0 - sum(shares[:-1])
    form = draw(st.sampled_from(["constant", "exponential", "hyperbolic", "logistic"]))
    acceptance: dict[str, Any] = {"form": form, "beta0": draw(prob())}
    if form != "constant":
        acceptance["rate_per_day"] = draw(days(0.0, 1.0))
    if form == "logistic":
        acceptance["midpoint_days"] = draw(days(0.0, 30.0))
    c: dict[str, Any] = {
        "population": draw(st.integers(1, 400)),
        "initial_loyalty": loyalty0,
        "behaviour": draw(st.booleans()),
        "response": {"buy_elsewhere": shares[0], "substitute": shares[1], "delay": shares[2],
                     "no_purchase": max(shares[3], 0.0),
                     # Mean >= 0.5 day keeps returns per customer moderate: with delay = 1 every
                     # turned-away customer comes back until served. (delay = 1 with delays that
                     # are always 0 loops forever at one instant; the parser should reject it.)
                     "delay_days": draw(time_dist(10.0, mean_lo=0.5))},
        "backorder_acceptance": acceptance,
        "patience": draw(time_dist(30.0, allow_infinite=True)),
        "expected_wait_days": draw(days(0.0, 30.0)),
        "late_grace_days": draw(days(0.0, 5.0)),
        "loyalty": {
            "served": draw(prob(0.2)),
            "backorder_on_time": draw(prob(0.2)),
            "backorder_late": draw(prob(0.3)),
            "turned_away": draw(prob(0.5)),
            "cancelled": draw(prob(0.5)),
            "churn_below": draw(st.floats(0.0, 0.99).map(lambda f: round(f * loyalty0, 4))),
            "churn_probability": draw(prob(0.3)),
        },
    }
    if draw(st.booleans()):
        c["new_customers"] = {"rate_per_day": draw(days(0.0, 3.0))}
    if draw(st.booleans()):
        c["word_of_mouth"] = {"review_probability": draw(prob()), "review_weight": draw(days(0.0, 1.0)),
                              "memory_days": draw(days(1.0, 100.0)),
                              "positive_review_probability": draw(st.sampled_from([0.0, 0.0, 0.3, 1.0]))}
    if draw(st.booleans()):  # delays told in time, and cancelling on a notice
        c["loyalty"].update(backorder_late_announced=draw(prob(0.3)), cancelled_after_notice=draw(prob(0.5)))
    return c


@st.composite
def supplier_section(draw: Any, horizon: float) -> dict[str, Any]:
    s: dict[str, Any] = {
        "lead_time": draw(time_dist(min(30.0, horizon / 2))),
        "orders_may_cross": draw(st.booleans()),
        "order_cost": draw(money(5000)),
    }
    if draw(st.booleans()):
        s["unit_price"] = draw(money(20000))
    pay = draw(st.sampled_from(["on_delivery", "net", "prepay"]))
    if pay == "net":
        s["payment_terms_days"] = draw(days(0.0, 45.0))
    elif pay == "prepay":
        s["prepay"] = True
    if draw(st.booleans()):
        s["min_order"] = draw(st.integers(1, 20))
    if draw(st.booleans()):
        s["order_multiple"] = draw(st.integers(1, 12))
    if draw(st.booleans()):
        p_partial = draw(prob(0.6))
        s["reliability"] = {
            "partial_probability": p_partial,
            "partial_fraction": {"dist": "uniform", "low": 0.0, "high": draw(prob())},
            "late_probability": draw(prob(1.0 - p_partial)),
            "late_days": draw(time_dist(10.0)),
        }
    if "reliability" in s and draw(st.booleans()):
        s["reliability"]["late_notice_days"] = draw(days(0.0, 20.0))
    if draw(st.booleans()):
        s["capacity"] = {"units": draw(st.integers(1, 40)), "period_days": draw(days(0.5, 7.0))}
    if draw(st.booleans()):
        d: dict[str, Any] = {"up_days": draw(time_dist(40.0)), "down_days": draw(time_dist(20.0))}
        if draw(st.booleans()):
            d["first_down_day"] = draw(days(0.0, horizon))
        s["disruptions"] = d
    return s


@st.composite
def replenishment_section(draw: Any) -> dict[str, Any]:
    policy = draw(st.sampled_from(["s_S", "s_Q", "base_stock", "R_S", "R_s_S", "forecast", "none"]))
    r: dict[str, Any] = {"policy": policy}
    if policy in ("s_S", "R_s_S"):
        s = draw(st.integers(-5, 40))
        r.update(s=s, S=s + draw(st.integers(1, 60)))
    elif policy == "s_Q":
        r.update(s=draw(st.integers(-5, 40)), Q=draw(st.integers(1, 60)))
    elif policy in ("base_stock", "R_S"):
        r["S"] = draw(st.integers(0, 80))
    elif policy == "forecast":
        r.update(alpha=draw(st.floats(0.01, 1.0).map(lambda x: round(x, 3))),
                 cover_days=draw(days(0.5, 40.0)),
                 safety_stock=draw(st.integers(0, 20)))
    if policy in ("R_S", "R_s_S", "forecast"):
        period = draw(days(0.5, 14.0))
        r["review_period_days"] = period
        if draw(st.booleans()):
            r["review_offset_days"] = draw(st.floats(0.0, 0.99).map(lambda f: round(f * period, 3)))
    return r


@st.composite
def shortage_section(draw: Any) -> dict[str, Any]:
    rule = draw(st.sampled_from(["lost_sales", "backorder", "partial_backorder"]))
    s: dict[str, Any] = {"rule": rule}
    if draw(st.booleans()):
        s["prepay"] = True
        if draw(st.booleans()):
            s["deposit_fraction"] = draw(st.floats(0.01, 1.0).map(lambda x: round(x, 3)))
    s["partial_shipments"] = draw(st.booleans())
    if draw(st.booleans()):
        s["apology_discount"] = draw(prob(0.5))
    mode = draw(st.sampled_from(["default", "honest", "optimistic", "fixed", "none"]))
    if mode == "optimistic":
        s["quote"] = {"mode": "optimistic", "factor": draw(st.floats(0.05, 1.0).map(lambda x: round(x, 3)))}
    elif mode == "fixed":
        s["quote"] = {"mode": "fixed", "days": draw(days(0.0, 30.0))}
    elif mode != "default":
        s["quote"] = {"mode": mode}
    if rule == "partial_backorder":
        caps = draw(st.sampled_from(["open", "wait", "both"] if mode != "none" else ["open"]))
        if caps in ("open", "both"):
            s["max_open_backorders"] = draw(st.integers(0, 30))
        if caps in ("wait", "both"):
            s["max_quoted_wait_days"] = draw(days(0.0, 30.0))
    updates = draw(st.sampled_from(["default", "silent", "notify_on_slip", "notify_periodically"]))
    if updates == "notify_periodically":
        s["updates"] = {"mode": updates, "period_days": draw(days(0.5, 10.0))}
    elif updates != "default":
        s["updates"] = {"mode": updates}
    return s


@st.composite
def scenarios(draw: Any) -> dict[str, Any]:
    horizon = draw(days(2.0, 150.0))
    warmup = draw(st.sampled_from([0.0, 0.0, round(horizon * draw(st.floats(0.0, 0.9)), 3)]))
    model = draw(st.sampled_from(["poisson", "customers"]))
    demand: dict[str, Any] = {"model": model, "rate_per_day": draw(days(0.05, 25.0)),
                              "order_size": draw(order_sizes)}
    if draw(st.booleans()):
        demand["seasonality"] = {"amplitude": draw(st.floats(0.0, 0.95).map(lambda x: round(x, 3))),
                                 "period_days": draw(days(1.0, 365.0)), "phase_days": draw(days(0.0, 100.0))}
    doc: dict[str, Any] = {
        "schema_version": 1,
        "name": "property",
        "run": {"horizon_days": horizon, "warmup_days": warmup,
                "snapshot_interval_days": draw(st.sampled_from([0.0, 1.0, 2.5])),
                "record_events": draw(st.booleans())},
        "sku": {"price": draw(money(50000).filter(lambda p: p > 0)), "unit_cost": draw(money(30000)),
                "holding_cost_per_unit_day": draw(money(100))},
        "initial": {"on_hand": draw(st.integers(0, 60)), "cash": draw(money(10_000_00)) - 2000.0},
        "demand": demand,
        "supplier": draw(supplier_section(horizon)),
        "replenishment": draw(replenishment_section()),
        "shortage": draw(shortage_section()),
    }
    if model == "customers":
        doc["customers"] = draw(customers_section(horizon))
    if draw(st.booleans()):
        f: dict[str, Any] = {"overdraft_rate_per_year": draw(prob(0.5)),
                             "deposit_rate_per_year": draw(prob(0.1))}
        if draw(st.booleans()):
            f.update(holding_cost_accrual="period_end", accrual_period_days=draw(days(1.0, 30.0)))
        doc["finance"] = f
    return doc


# ---------------------------------------------------------------------------------------------
# properties


def check_invariants(doc: dict[str, Any], inv: dict[str, Any]) -> None:
    assert inv["time_monotone"], "time went backwards"
    assert inv["min_on_hand"] >= 0 and inv["on_hand"] >= 0, "on hand went negative"
    # Units are conserved: initial + received = on hand + shipped (sales and backorders shipped).
    assert inv["initial_on_hand"] + inv["received_units"] == inv["on_hand"] + inv["shipped_units"]
    # Every backordered unit is shipped, cancelled or still open.
    assert inv["backorders_open"] >= 0
    assert inv["backordered_total"] == (inv["backorders_shipped_total"] + inv["backorders_cancelled_total"]
                                        + inv["backorders_open"])
    # Cash equals the initial cash plus the sum of the ledger, to the cent.
    assert inv["cash_cents"] == inv["initial_cash_cents"] + inv["ledger_sum_cents"]
    assert inv["initial_cash_cents"] == round(doc["initial"]["cash"] * 100)


def check_summary(doc: dict[str, Any], inv: dict[str, Any]) -> None:
    s = inv["summary"]

    def g(name: str) -> float:
        return float(s[M[name]])

    demand, served, bo, lost, delayed = (g(k) for k in ("demand_units", "served_from_stock_units",
                                                         "backordered_units", "lost_units", "delayed_units"))
    # Every unit demanded in the window is served, backordered, lost, or delayed (to come back as a
    # new occasion, counted again then).
    assert demand == served + bo + lost + delayed
    assert 0 <= g("substituted_units") <= lost
    if demand > 0:
        assert g("fill_rate") == served / demand
    else:
        assert math.isnan(g("fill_rate"))
    for k in ("avg_on_hand", "avg_backorders", "avg_on_order", "stockout_time_fraction"):
        assert g(k) >= 0
    assert g("stockout_time_fraction") <= 1 + 1e-12
    assert abs(g("profit") - (g("revenue") - g("cost_of_goods_sold") - g("purchase_price_variance")
                              - g("holding_cost") - g("ordering_cost") - g("net_interest"))) < 1e-6
    assert g("purchase_price_variance") == 0.0  # one vendor, at the unit price (the item's cost)
    assert g("late_backorder_units") == g("late_backorder_announced_units") + g("late_backorder_surprise_units")
    assert 0 <= g("cancelled_after_notice_units") <= g("cancelled_units")
    if doc["shortage"].get("updates", {}).get("mode", "silent") == "silent":
        assert g("notices_sent") == 0 == g("late_backorder_announced_units")
    if doc["demand"]["model"] == "poisson":
        assert math.isnan(g("churned_customers")) and math.isnan(g("mean_loyalty"))
    if doc["run"]["warmup_days"] == 0:
        price = doc["sku"]["price"]
        fulfilled = g("fulfilled_backorder_units")
        assert abs(g("revenue") - ((served + fulfilled) * price - g("apology_discounts"))) < 0.01
        # Over the whole run the summary counts what the invariants count.
        assert bo == inv["backordered_total"]
        assert fulfilled == inv["backorders_shipped_total"]
        assert g("cancelled_units") == inv["backorders_cancelled_total"]
        assert served + fulfilled == inv["shipped_units"]
        assert g("final_cash") == inv["cash_cents"] / 100.0
        assert g("min_cash") <= min(g("final_cash"), inv["initial_cash_cents"] / 100.0)


OCCASION_EVENTS = {"sale", "partial_sale", "backordered", "bought_elsewhere", "substituted", "delayed",
                   "no_purchase"}


def check_who_buys(doc: dict[str, Any], events: dict[str, np.ndarray]) -> None:
    """Only customers who joined have purchase occasions, and none after they churned."""
    kinds = np.array(_core.event_kinds, dtype=object)[events["kind"]]
    joined = set(range(doc["customers"]["population"]))
    churned: set[int] = set()
    for kind, customer in zip(kinds, events["customer"].tolist(), strict=True):
        if kind == "new_customer":
            joined.add(customer)
        elif kind == "churned":
            churned.add(customer)
        elif kind in OCCASION_EVENTS:
            assert customer in joined, f"customer {customer} never joined but had a purchase occasion ({kind})"
            assert customer not in churned, f"customer {customer} churned but had a purchase occasion ({kind})"


@PROPERTY_SETTINGS
@given(doc=scenarios(), seed=st.integers(0, 2**64 - 1), rep=st.integers(0, 1000))
def test_invariants_hold(doc: dict[str, Any], seed: int, rep: int) -> None:
    parsed = sl.Scenario.from_dict(doc).parsed()
    inv = run_invariants(parsed, seed, rep)
    check_invariants(doc, inv)
    check_summary(doc, inv)
    if doc["demand"]["model"] == "customers" and doc["run"]["record_events"]:
        check_who_buys(doc, _core.simulate(parsed, seed, rep, None)["events"])
    # Same scenario and seed: identical results (NaN-aware), from every entry point.
    again = run_invariants(parsed, seed, rep)
    summary = inv.pop("summary")
    np.testing.assert_array_equal(summary, again.pop("summary"))
    assert inv == again
    rows = _core.run_replications(parsed, seed, rep, 2, 2)
    np.testing.assert_array_equal(rows[0], summary)
    np.testing.assert_array_equal(rows[1], run_invariants(parsed, seed, rep + 1)["summary"])


def test_degenerate_uniform_is_a_constant():
    """uniform with low == high is the constant (Boost's sampler never returns for it: it loops until
    a draw falls below high). Same seed: the run equals the one with the constant lead time and a
    constant partial-shipment fraction."""
    def doc(lead: dict[str, Any], fraction: dict[str, Any]) -> dict[str, Any]:
        return {
            "schema_version": 1, "name": "uniform",
            "run": {"horizon_days": 200, "snapshot_interval_days": 0},
            "sku": {"price": 10.0, "unit_cost": 4.0},
            "initial": {"on_hand": 5},
            "demand": {"model": "poisson", "rate_per_day": 2.0},
            "supplier": {"lead_time": lead,
                         "reliability": {"partial_probability": 0.5, "partial_fraction": fraction}},
            "replenishment": {"policy": "s_S", "s": 4, "S": 12},
            "shortage": {"rule": "backorder"},
        }

    a = sl.Scenario.from_dict(doc({"dist": "uniform", "low": 3.0, "high": 3.0},
                                  {"dist": "uniform", "low": 0.5, "high": 0.5})).parsed()
    b = sl.Scenario.from_dict(doc({"dist": "constant", "value": 3.0},
                                  {"dist": "constant", "value": 0.5})).parsed()
    ra, rb = run_invariants(a, 9, 0), run_invariants(b, 9, 0)
    assert ra["received_units"] > 0
    np.testing.assert_array_equal(ra.pop("summary"), rb.pop("summary"))
    assert ra == rb
