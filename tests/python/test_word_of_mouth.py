"""Word of mouth moves new-customer arrivals both ways: bad reviews lower them, good ones raise them."""

from __future__ import annotations

import numpy as np

import stocklab as sl


def shop(positive: float, negative: float, on_hand: int) -> sl.Scenario:
    return sl.Scenario.from_dict({
        "schema_version": 1, "name": "word_of_mouth",
        "run": {"horizon_days": 200, "snapshot_interval_days": 0, "record_events": True},
        "sku": {"price": 10.0, "unit_cost": 5.0},
        "initial": {"on_hand": on_hand},
        "demand": {"model": "customers", "rate_per_day": 5.0},
        "customers": {"population": 200, "new_customers": {"rate_per_day": 1.0},
                      "word_of_mouth": {"review_probability": negative, "positive_review_probability": positive,
                                        "review_weight": 0.2, "memory_days": 30}},
        "supplier": {"lead_time": {"dist": "constant", "value": 5}},
        "replenishment": {"policy": "none"},
    })


def new_customers(sc: sl.Scenario, n: int = 30) -> np.ndarray:
    exp = sl.compare(sc, replications=n, seed=7, jobs=2, progress=False)
    return exp.replications["new_customers"].to_numpy()


def test_reviews_are_logged_and_counted():
    run = sl.simulate(shop(0.3, 0.0, 10_000), seed=3)
    assert run.summary["positive_reviews"] > 0
    assert (run.events["event"] == "positive_review").sum() == run.summary["positive_reviews"]
    assert run.summary["negative_reviews"] == 0


def test_good_reviews_raise_and_bad_reviews_lower_arrivals():
    # Base: 1 arrival a day for 200 days (Poisson: sd 14 a run). With every sale a possible good
    # review and stock for the whole horizon, reputation climbs and arrivals approach twice the base;
    # with no stock at all, every occasion is a stock-out and bad reviews push arrivals toward zero.
    neutral = new_customers(shop(0.0, 0.0, 10_000))
    good = new_customers(shop(0.3, 0.0, 10_000))
    bad = new_customers(shop(0.0, 0.3, 0))
    sem = neutral.std(ddof=1) / np.sqrt(len(neutral))
    assert abs(neutral.mean() - 200) < 4.5 * sem
    assert good.mean() > 300 and bad.mean() < 100


def test_prospects_who_stay_away_never_buy_with_behaviour_off():
    # With positive reviews possible, prospects arrive at twice the base rate and half of them join
    # while reputation is neutral; those who stay away keep an id (common random numbers) but must
    # never have a purchase occasion, also when behaviour is off and no loyalty thinning runs.
    sc = shop(0.3, 0.0, 10_000).with_overrides({"customers.behaviour": False})
    ev = sl.simulate(sc, seed=3).events
    joined = set(range(200)) | set(ev.loc[ev["event"] == "new_customer", "customer"])
    buyers = set(ev.loc[ev["event"] == "sale", "customer"])
    assert len(joined) > 250 and len(buyers) > 200
    assert buyers <= joined, f"customers who never joined bought: {sorted(buyers - joined)[:10]}"
