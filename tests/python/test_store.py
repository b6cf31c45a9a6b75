"""A store: many items sold to one customer base (issue 14).

A one-item scenario written in the store format runs bit for bit as its version-1 original; random
assortments (substitution chains, per-item shortage rules, segments, allocation rules) keep units and
cash balanced at the store, the item and the segment level; substitution, segments and allocation
do what they say.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stocklab as sl
from stocklab import _core

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "tests" / "data" / "stores" / "small_shop.json"
M = {name: i for i, name in enumerate(sl.METRICS)}
ITEM = [m["name"] for m in _core.item_metric_info]
SEGMENT = [m["name"] for m in _core.segment_metric_info]


def parse(doc: dict[str, Any], policy: str = "") -> Any:
    return _core.parse_scenario(json.dumps(doc), policy)


def simulate(doc: dict[str, Any], seed: int = 1, rep: int = 0, policy: str = "") -> dict[str, Any]:
    r = _core.simulate(parse(doc, policy), seed, rep, None)
    r["summary_by_name"] = dict(zip(sl.METRICS, r["summary"], strict=True))
    r["items_frame"] = pd.DataFrame(r["items"], index=r["item_ids"], columns=ITEM)
    r["segments_frame"] = pd.DataFrame(r["segments"], index=r["segment_ids"], columns=SEGMENT)
    return r


# --- a version-1 scenario in the store format: the same run ----------------------------------------
def as_store(v1: dict[str, Any]) -> dict[str, Any]:
    """The store-format translation of a version-1 scenario: one item "item", one vendor "supplier"."""
    doc = {k: copy.deepcopy(v) for k, v in v1.items() if k not in ("sku", "supplier", "replenishment", "initial")}
    doc["schema_version"] = 2
    sku, initial = v1["sku"], v1.get("initial", {})
    item = {k: v for k, v in sku.items() if k != "name"}
    item["name"] = sku.get("name", "item")
    item["initial_on_hand"] = initial.get("on_hand", 0)
    item["replenishment"] = copy.deepcopy(v1["replenishment"])
    if "cash" in initial:
        doc["initial"] = {"cash": initial["cash"]}
    if "supplier" in v1:
        vendor = copy.deepcopy(v1["supplier"])
        if "unit_price" in vendor:
            item["unit_cost"] = vendor.pop("unit_price")
        vendor.setdefault("name", "supplier")
        doc["vendors"] = {"supplier": vendor}
    doc["demand"] = {("visits_per_day" if k == "rate_per_day" else k): v for k, v in v1["demand"].items()}
    doc["items"] = {"item": item}
    return doc


def test_one_item_store_runs_bit_for_bit_as_version_1() -> None:
    for name in ("camera_lens.json", "cash_flow.json", "slow_supplier.json", "disrupted_supplier.json"):
        v1 = json.loads((ROOT / "scenarios" / name).read_text(encoding="utf-8"))
        v1["run"] = {**v1.get("run", {}), "horizon_days": 120, "warmup_days": 10, "record_events": True}
        v2 = as_store(v1)
        for policy in ["", *v1.get("policies", {})]:
            a, b = simulate(v1, 7, 3, policy), simulate(v2, 7, 3, policy)
            np.testing.assert_array_equal(a["summary"], b["summary"], err_msg=f"{name} {policy}")
            np.testing.assert_array_equal(a["items"], b["items"])
            for key in ("time", "kind", "customer", "quantity"):
                np.testing.assert_array_equal(a["events"][key], b["events"][key])


# --- random assortments: the books balance --------------------------------------------------------
@st.composite
def stores(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(1, 5))
    ids = [f"i{k}" for k in range(n)]
    behaviour = draw(st.booleans())
    items: dict[str, Any] = {}
    for k, item_id in enumerate(ids):
        others = [j for j in ids if j != item_id]
        policy = draw(st.sampled_from(["s_S", "base_stock", "R_S", "none"]))
        rep: dict[str, Any] = {"policy": policy}
        if policy == "s_S":
            rep |= {"s": draw(st.integers(0, 5)), "S": draw(st.integers(6, 15))}
        elif policy in ("base_stock", "R_S"):
            rep["S"] = draw(st.integers(0, 12))
            if policy == "R_S":
                rep["review_period_days"] = draw(st.sampled_from([1.0, 3.5, 7.0]))
        item: dict[str, Any] = {
            "price": draw(st.integers(1, 500)) + 0.25, "unit_cost": draw(st.integers(0, 300)) + 0.5,
            "holding_cost_per_unit_day": draw(st.sampled_from([0.0, 0.01, 0.2])),
            "popularity": draw(st.sampled_from([0.0, 0.5, 1.0, 3.0])) if k else 1.0,
            "initial_on_hand": draw(st.integers(0, 12)), "replenishment": rep,
        }
        if others and draw(st.booleans()):
            item["substitutes"] = draw(st.lists(st.sampled_from(others), min_size=1, max_size=len(others),
                                                unique=True))
        if draw(st.booleans()):
            rule = draw(st.sampled_from(["lost_sales", "backorder", "partial_backorder"]))
            item["shortage"] = {"rule": rule, **({"max_open_backorders": 3} if rule == "partial_backorder" else {})}
        items[item_id] = item
    segments = {"a": {"share": 0.6}, "b": {"share": 0.4, "visit_rate_factor": draw(st.sampled_from([0.5, 1.0, 3.0])),
                                           "priority": 1, "loyalty_sensitivity": 2.0,
                                           "patience": {"dist": "exponential", "mean": 3.0},
                                           "basket": {"dist": "uniform_int", "low": 1, "high": 3}}}
    doc: dict[str, Any] = {
        "schema_version": 2, "name": "random_store",
        "run": {"horizon_days": draw(st.sampled_from([20.0, 60.0])), "record_events": True,
                "warmup_days": draw(st.sampled_from([0.0, 0.0, 10.0]))},
        "initial": {"cash": 1000.0},
        "demand": {"model": "customers", "visits_per_day": draw(st.sampled_from([2.0, 8.0, 20.0])),
                   "basket": {"dist": "uniform_int", "low": 1, "high": 2},
                   "order_size": draw(st.sampled_from([{"dist": "constant", "value": 1},
                                                      {"dist": "uniform_int", "low": 1, "high": 3}]))},
        "customers": {"population": draw(st.integers(1, 300)), "behaviour": behaviour,
                      "response": {"buy_elsewhere": 0.2, "substitute": draw(st.sampled_from([0.3, 0.8])),
                                   "delay": 0.0, "no_purchase": 0.0},
                      "segments": segments},
        "vendors": {"v1": {"lead_time": {"dist": "exponential", "mean": 4.0}, "order_cost": 5.0},
                    "v2": {"lead_time": {"dist": "constant", "value": 9.0},
                           "reliability": {"partial_probability": 0.2, "late_probability": 0.2}}},
        "items": items,
        "shortage": {"rule": draw(st.sampled_from(["lost_sales", "backorder"])),
                     "apology_discount": draw(st.sampled_from([0.0, 0.1]))},
        "allocation": draw(st.sampled_from(["first_come_first_served", "priority", "loyalty"])),
    }
    # the last share so the four sum to exactly 1
    r = doc["customers"]["response"]
    r["no_purchase"] = round(1.0 - r["buy_elsewhere"] - r["substitute"], 10)
    for k, item in enumerate(items.values()):
        item["vendors"] = ["v1" if k % 2 == 0 else "v2"]
    return doc


def check_store_books(doc: dict[str, Any], r: dict[str, Any], inv: dict[str, Any]) -> None:
    s, items, segs = r["summary_by_name"], r["items_frame"], r["segments_frame"]
    # units and cash, over the whole store
    assert inv["initial_on_hand"] + inv["received_units"] == inv["on_hand"] + inv["shipped_units"]
    assert inv["backordered_total"] == (inv["backorders_shipped_total"] + inv["backorders_cancelled_total"]
                                        + inv["backorders_open"])
    assert inv["cash_cents"] == inv["initial_cash_cents"] + inv["ledger_sum_cents"]
    # each item: every unit wanted (first choice or as a substitute) is served, backordered, lost or delayed
    for item_id, row in items.iterrows():
        assert row.demand_units == (row.served_from_stock_units + row.backordered_units + row.lost_units
                                    + row.delayed_units), item_id
        assert row.substitute_sales_units <= min(row.served_from_stock_units, row.substitute_demand_units)
    # the store counts each unit once, at the customer's first choice; saved sales are not lost
    assert s["demand_units"] == items.demand_units.sum() - items.substitute_demand_units.sum()
    assert s["demand_units"] == (s["served_from_stock_units"] + s["saved_by_substitute_units"]
                                 + s["backordered_units"] + s["lost_units"] + s["delayed_units"])
    assert s["saved_by_substitute_units"] == items.substitute_sales_units.sum()
    assert abs(s["revenue"] - items.revenue.sum()) < 1e-6
    # segments partition the customers and their flows
    for name in ("demand_units", "served_from_stock_units", "saved_by_substitute_units", "backordered_units",
                 "lost_units", "cancelled_units"):
        assert segs[name].sum() == s[name], name
    assert abs(segs.revenue.sum() - s["revenue"]) < 1e-6
    if doc["run"]["warmup_days"] == 0:
        assert segs.customers.sum() == doc["customers"]["population"]
    # a substitute sale comes after the customer was turned away from an item that lists it
    kinds = np.array(_core.event_kinds, dtype=object)[r["events"]["kind"]]
    ids = r["item_ids"]
    subs = {i: set(doc["items"][i].get("substitutes", [])) for i in ids}
    for k in np.flatnonzero(kinds == "substitute_sale"):
        sold, replaced = ids[r["events"]["item"][k]], ids[int(r["events"]["value"][k])]
        assert sold in subs[replaced]


STORE_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])


@STORE_SETTINGS
@given(doc=stores(), seed=st.integers(0, 2**32), rep=st.integers(0, 100))
def test_random_stores_balance_their_books(doc: dict[str, Any], seed: int, rep: int) -> None:
    parsed = parse(doc)
    sim = _core.Simulation(parsed, seed, rep)
    sim.run_until(parsed.horizon_days)
    inv = sim.invariants()
    r = simulate(doc, seed, rep)
    check_store_books(doc, r, inv)
    np.testing.assert_array_equal(r["summary"], sim.summary())
    rows = _core.run_replications(parsed, seed, rep, 2, 2)
    np.testing.assert_array_equal(rows[0], r["summary"])


# --- substitution, segments, allocation -----------------------------------------------------------
def _two_items(substitute_share: float = 1.0) -> dict[str, Any]:
    """A is never in stock; B, its substitute, always is (a huge shelf, never reordered)."""
    return {
        "schema_version": 2, "name": "substitution",
        "run": {"horizon_days": 200, "record_events": True},
        "demand": {"model": "customers", "visits_per_day": 10},
        "customers": {"population": 500,
                      "response": {"buy_elsewhere": 1 - substitute_share, "substitute": substitute_share,
                                   "delay": 0, "no_purchase": 0}},
        "items": {
            "A": {"price": 10, "unit_cost": 5, "popularity": 1, "substitutes": ["B"],
                  "replenishment": {"policy": "none"}},
            "B": {"price": 12, "unit_cost": 6, "popularity": 1, "initial_on_hand": 100000,
                  "replenishment": {"policy": "none"}},
        },
    }


def test_every_customer_who_wants_a_substitute_gets_one_from_the_shelf() -> None:
    r = simulate(_two_items(1.0))
    items, s = r["items_frame"], r["summary_by_name"]
    a, b = items.loc["A"], items.loc["B"]
    assert a.demand_units > 500 and a.served_from_stock_units == 0
    assert a.lost_units == a.substituted_units == a.demand_units  # the item's own view: all short
    assert b.substitute_demand_units == b.substitute_sales_units == a.demand_units
    assert s["saved_by_substitute_units"] == a.demand_units
    assert s["lost_units"] == 0 and s["substituted_units"] == a.demand_units
    assert s["revenue"] == (b.served_from_stock_units) * 12


def test_a_substitute_that_is_also_out_is_a_second_stock_out_without_cycles() -> None:
    doc = _two_items(1.0)
    doc["items"]["B"]["initial_on_hand"] = 0
    doc["items"]["B"]["substitutes"] = ["A"]  # A <-> B: the chain must stop after B
    r = simulate(doc)
    items, s = r["items_frame"], r["summary_by_name"]
    assert items.served_from_stock_units.sum() == 0
    # every unit wanted first at A or B is lost once to the store, whatever chain it went through
    assert s["lost_units"] == s["demand_units"]
    assert s["saved_by_substitute_units"] == 0
    a_first_choice = items.loc["A"].demand_units - items.loc["A"].substitute_demand_units
    assert items.loc["B"].substitute_demand_units == a_first_choice


def test_segments_hold_their_shares_and_visit_at_their_rates() -> None:
    doc = json.loads(SHOP.read_text(encoding="utf-8"))
    doc["customers"]["population"] = 10000
    doc["demand"]["visits_per_day"] = 200
    doc["customers"]["behaviour"] = False  # textbook customers: rates do not drift with loyalty
    segs = simulate(doc)["segments_frame"]
    assert abs(segs.loc["hobbyists", "customers"] - 7000) <= 2 and abs(segs.loc["pros", "customers"] - 3000) <= 2
    per_customer = segs.visits / segs.customers
    # pros visit twice as often: visits are Poisson, so the ratio's sd is about 1.5% at these counts
    assert abs(per_customer["pros"] / per_customer["hobbyists"] - 2.0) < 0.1
    # total visits: 200 a day over 180 days
    assert abs(segs.visits.sum() - 200 * 180) < 5 * np.sqrt(200 * 180)


def test_a_share_in_error_is_one_error_not_also_a_wrong_sum() -> None:
    """The shares' sum is checked only when every share could be read: a bad share once counted as 1."""
    doc = sl.load_scenario("camera_shop").to_dict()
    segments = doc["customers"]["segments"]
    segments["regular"]["share"] += segments["gift"]["share"]
    for bad in (0, -0.05, None, "0.05"):
        segments["gift"]["share"] = bad
        with pytest.raises(sl.ScenarioError) as info:
            sl.Scenario.from_dict(doc)
        assert [pointer for pointer, _ in info.value.problems] == ["/customers/segments/gift/share"], bad
    segments["gift"]["share"], segments["regular"]["share"] = 0.05, 0.5
    with pytest.raises(sl.ScenarioError, match="must sum to 1 \\(got 0.7\\)"):
        sl.Scenario.from_dict(doc)


def test_priority_allocation_serves_the_priority_segment_first() -> None:
    doc = json.loads(SHOP.read_text(encoding="utf-8"))
    doc["shortage"] = {"rule": "backorder"}
    doc["run"]["record_events"] = True
    for item in doc["items"].values():
        item.pop("shortage", None)
    doc["customers"]["segments"]["pros"]["patience"] = {"dist": "infinite"}
    doc["customers"]["segments"]["hobbyists"]["patience"] = {"dist": "infinite"}
    waits = {}
    for allocation in ("first_come_first_served", "priority"):
        doc["allocation"] = allocation
        r = simulate(doc, seed=3)
        ev = r["events"]
        kinds = np.array(_core.event_kinds, dtype=object)[ev["kind"]]
        shipped = kinds == "backorder_shipped"
        pros = np.array([_core_segment(doc, c) for c in ev["customer"][shipped]])
        w = ev["value"][shipped]
        waits[allocation] = (w[pros == 1].mean(), w[pros == 0].mean())
    fcfs, prio = waits["first_come_first_served"], waits["priority"]
    assert prio[0] < fcfs[0] and prio[0] < prio[1]


def _core_segment(doc: dict[str, Any], customer: int) -> int:
    """The segment of a customer id: the golden-ratio sequence the engine uses (shares in file order)."""
    shares = np.cumsum([g["share"] for g in doc["customers"]["segments"].values()])
    u = ((customer + 1) * 0.6180339887498949) % 1.0
    return int(np.searchsorted(shares, u, side="right"))


# --- experiments over a store ---------------------------------------------------------------------
POLICIES = {"lost_sales": {}, "all_backorder": "all_backorder"}


def test_experiments_carry_items_and_segments() -> None:
    sc = sl.load_scenario(SHOP)
    exp = sl.compare(sc, policies=POLICIES, replications=6, seed=5, jobs=2, progress=False)
    items, segments = exp.items, exp.segments
    assert items is not None and segments is not None
    assert len(items) == 2 * 6 * 4 and list(items["item"].cat.categories) == ["lens_50", "lens_35", "body", "strap"]
    assert len(segments) == 2 * 6 * 2
    # each replication's items add up to its store totals
    merged = items.groupby(["policy", "replication"], observed=True)["revenue"].sum()
    store = exp.replications.set_index(["policy", "replication"])["revenue"]
    np.testing.assert_allclose(merged.sort_index(), store.sort_index(), rtol=1e-12)
    # paired differences per item: the same pairing as the store's
    d = exp.differences(by="item", metrics="lost_units").set_index("item")
    for item_id in ("lens_50", "strap"):
        per_rep = items[items["item"] == item_id].pivot(index="replication", columns="policy", values="lost_units")
        diff = per_rep["all_backorder"] - per_rep["lost_sales"]
        assert d.loc[item_id, "difference"] == pytest.approx(diff.mean())
    assert set(exp.summary(by="segment", metrics="fill_rate")["segment"]) == {"hobbyists", "pros"}
    picked = exp.select(policies="lost_sales")
    assert picked.items is not None and set(picked.items["policy"]) == {"lost_sales"}
    # an executor gives the same tables
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        again = sl.compare(sc, policies=POLICIES, replications=6, seed=5, executor=pool, chunk_size=2, progress=False)
    pd.testing.assert_frame_equal(again.items, items)


def test_one_item_experiments_have_no_item_tables() -> None:
    exp = sl.compare("camera_lens", replications=2, progress=False)
    assert exp.items is None
    with pytest.raises(ValueError, match="store-format"):
        exp.differences(by="item")


def test_sweep_paths_name_items_by_id() -> None:
    sc = sl.load_scenario(SHOP)
    exp = sl.sweep(sc, {"items.lens_50.replenishment.s": [2, 10]}, policies={"base": {}}, replications=4,
                   progress=False)
    fill = exp.summary(by="item", metrics="fill_rate").set_index(["items.lens_50.replenishment.s", "item"])
    assert fill.loc[(10, "lens_50"), "mean"] > fill.loc[(2, "lens_50"), "mean"]
    with pytest.raises(sl.ScenarioError, match='did you mean "lens_50"') as info:
        sl.sweep(sc, {"items.lens_5O.replenishment.s": [2]}, replications=1, progress=False)
    assert info.value.pointer == "/items/lens_5O"


# --- textbook mode per item: every item is its own Erlang loss system ------------------------------
def erlang_b(S: int, a: float) -> float:
    b = 1.0
    for k in range(1, S + 1):
        b = a * b / (k + a * b)
    return b


def test_independent_items_each_match_erlang_loss() -> None:
    """Poisson visits that pick one item by popularity split into independent Poisson streams (rate x
    share); with base stock and lost sales each item is an M/G/S/S loss system: the fraction lost is
    Erlang's B(S, rate x share x E[L]). Band: 4.5 sem over 30 replications (a correct simulator
    fails with probability about 1e-4 per check); the neighbouring S must fall outside it."""
    items = {"a": (1.0, 4), "b": (2.0, 6), "c": (5.0, 12)}  # popularity, S
    doc = {
        "schema_version": 2, "name": "erlang_store",
        "run": {"horizon_days": 20000, "warmup_days": 100, "snapshot_interval_days": 0},
        "demand": {"model": "poisson", "visits_per_day": 4.0},
        "vendors": {"v": {"lead_time": {"dist": "gamma", "mean": 3.0, "cv": 0.5}}},
        "items": {k: {"price": 10, "unit_cost": 5, "popularity": p, "initial_on_hand": S,
                      "replenishment": {"policy": "base_stock", "S": S}} for k, (p, S) in items.items()},
    }
    exp = sl.compare(sl.Scenario.from_dict(doc), replications=30, seed=11, progress=False)
    assert exp.items is not None
    total = sum(p for p, _ in items.values())
    for k, (p, S) in items.items():
        rows = exp.items[exp.items["item"] == k]
        lost = (rows.lost_units / rows.demand_units).to_numpy()
        mean, sem = lost.mean(), lost.std(ddof=1) / np.sqrt(len(lost))
        a = 4.0 * p / total * 3.0
        assert abs(mean - erlang_b(S, a)) <= 4.5 * sem, (k, mean, erlang_b(S, a), sem)
        for wrong in (erlang_b(S - 1, a), erlang_b(S + 1, a)):
            assert abs(mean - wrong) > 4.5 * sem, (k, "the band also covers a neighbouring S")
