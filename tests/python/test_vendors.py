"""Vendors and promises (issue 15): several vendors per item, sourcing rules, each vendor's record
(run.vendors), the ledger per vendor, custom policies choosing the vendor; and keeping waiting
customers informed (notices), with the statistics of both checked against what the model implies.

Store-format scenarios go through ``_core.parse_scenario`` (as tests/python/test_store.py does).
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stocklab as sl
from stocklab import _core
from stocklab.interactive import describe_event
from stocklab.results import RunResult

ROOT = Path(__file__).resolve().parents[2]
M = {name: i for i, name in enumerate(sl.METRICS)}

SHOP: dict[str, Any] = {
    "schema_version": 2, "name": "vendors",
    "run": {"horizon_days": 365, "record_events": True},
    "initial": {"cash": 10000},
    "demand": {"model": "customers", "visits_per_day": 6},
    "customers": {"population": 500},
    "vendors": {
        "maker": {"lead_time": {"dist": "gamma", "mean": 20, "cv": 0.3}, "order_cost": 30,
                  "reliability": {"late_probability": 0.3, "late_days": {"dist": "uniform", "low": 5, "high": 15},
                                  "partial_probability": 0.1, "late_notice_days": 6}},
        "express": {"lead_time": {"dist": "constant", "value": 3}, "order_cost": 10, "price_factor": 1.2},
    },
    "items": {"lens": {"price": 250, "unit_cost": 150, "initial_on_hand": 40,
                       "replenishment": {"policy": "s_S", "s": 40, "S": 120}, "vendors": ["maker", "express"]}},
    "shortage": {"rule": "backorder"},
}


def shop(**patch: Any) -> dict[str, Any]:
    """SHOP with a (shallow per section) merge of `patch`."""
    doc = copy.deepcopy(SHOP)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            _merge(doc[key], value)
        else:
            doc[key] = value
    return doc


def _merge(into: dict[str, Any], patch: dict[str, Any]) -> None:
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v


def run(doc: dict[str, Any], seed: int = 1, rep: int = 0, policy: Any = None) -> RunResult:
    raw = _core.simulate(_core.parse_scenario(json.dumps(doc), ""), seed, rep, policy)
    return RunResult(raw, {"scenario": doc["name"], "policy": "", "seed": seed, "replication": rep})


# --- the Python surface --------------------------------------------------------------------------------
def test_run_vendors_ledger_and_events_name_the_vendor() -> None:
    r = run(shop(items={"lens": {"sourcing": {"rule": "split", "shares": {"maker": 0.6, "express": 0.4}}}}))
    v = r.vendors
    assert list(v.index) == ["maker", "express"] and v.index.name == "vendor"
    assert list(v.columns) == [m["name"] for m in _core.vendor_metric_info]
    assert (v.orders_placed > 0).all()
    assert v.loc["express", "on_time_rate"] == 1.0 and v.loc["express", "mean_lead_time_days"] == 3.0
    led = r.ledger
    paid = led[led.category.isin(["supplier_payment", "supplier_refund"])]
    assert paid.vendor.notna().all()
    np.testing.assert_allclose(-paid.groupby("vendor", observed=True).amount.sum().reindex(v.index), v.spend)
    assert led[led.category == "sale"].vendor.isna().all()
    orders = r.events[r.events.event == "order_placed"]
    assert set(orders.vendor) == {"maker", "express"}
    assert orders.groupby("vendor", observed=True).quantity.sum().reindex(v.index).tolist() == v.ordered_units.tolist()
    # the express price: 1.2 x the unit cost, the difference a cost of its own
    assert r.summary["purchase_price_variance"] == pytest.approx(v.loc["express", "received_units"] * 30.0)


def test_a_version_1_run_has_one_vendor_called_supplier() -> None:
    r = sl.simulate("camera_lens", seed=1)
    assert list(r.vendors.index) == ["supplier"]
    assert r.vendors.loc["supplier", "orders_placed"] == r.summary["orders_placed"]
    assert r.summary["purchase_price_variance"] == 0.0
    assert r.summary["notices_sent"] == 0.0


class ExpressWhenLow(sl.ReplenishmentPolicy):
    """(s, S) from the maker; when customers are already waiting, their units from express as well."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def order(self, view: sl.InventoryView) -> Any:
        self.seen = [v.id for v in view.vendors]
        ip = view.inventory_position
        if ip > 40:
            return 0
        if view.backorders > 0:
            return [sl.Order(120 - ip, "maker"), sl.Order(view.backorders, "express")]
        return sl.Order(120 - ip, "maker")


def test_a_python_policy_chooses_vendors_and_quantities() -> None:
    policy = ExpressWhenLow()
    r = run(SHOP, policy=policy)
    assert policy.seen == ["maker", "express"]
    assert (r.vendors.orders_placed > 0).all()
    orders = r.events[r.events.event == "order_placed"]
    maker = orders[orders.vendor == "maker"]
    assert (maker.quantity >= 80).all()


@pytest.mark.parametrize("returned, message", [
    (sl.Order(5, "exprss"), "bought from \"maker\", \"express\""),
    ([5, "express"], "whole number"),
    (-1, ">= 0"),
])
def test_a_policy_choosing_an_unknown_vendor_is_told_which_there_are(returned: Any, message: str) -> None:
    class Bad(sl.ReplenishmentPolicy):
        def order(self, view: sl.InventoryView) -> Any:
            return returned

    with pytest.raises(ValueError, match=message):
        run(SHOP, policy=Bad())


def test_order_checks_its_fields() -> None:
    with pytest.raises(ValueError, match="whole number"):
        sl.Order(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="vendor id"):
        sl.Order(1, 2)  # type: ignore[arg-type]


def test_a_paused_decision_may_name_the_vendor() -> None:
    sim = _core.Simulation(_core.parse_scenario(json.dumps(SHOP), ""), 1, 0)
    assert sim.run_until_decision(365.0)
    view = sim.decision_view()
    assert [v.id for v in view.vendors] == ["maker", "express"]
    assert view.vendors[1].unit_price == 180.0 and view.vendors[0].lead_time_days == 20.0
    assert math.isnan(view.vendors[0].record.on_time_rate)
    with pytest.raises(ValueError, match="bought from \"maker\", \"express\""):
        sim.decide(10, "nobody")
    sim.decide(10, "express")
    sim.run_until(365.0)
    assert sim.vendors()[1][0] >= 1  # orders placed with express


def test_notices_are_narrated() -> None:
    r = run(shop(shortage={"updates": {"mode": "notify_on_slip"}}))
    rows = r.events[r.events.event.isin(["notice_kept_waiting", "notice_cancelled"])].to_dict("records")
    assert rows
    text = describe_event(rows[0])
    who = f"day {rows[0]['time']:.1f}: told customer {rows[0]['customer']}"
    assert text.startswith(f"{who} their lens now ships on day")
    assert "(was day" in text and ("kept waiting" in text or "cancelled" in text)
    delayed = r.events[r.events.event == "shipment_delayed"].to_dict("records")
    assert describe_event(delayed[0]).split(": ", 1)[1].startswith("maker announced that order")


# --- random multi-vendor stores: every vendor's books balance ---------------------------------------------
RULES = ["single", "cheapest", "fastest", "split", "dual_index", "switch_after_late"]


@st.composite
def vendor_spec(draw: Any) -> dict[str, Any]:
    v: dict[str, Any] = {"lead_time": draw(st.sampled_from([{"dist": "constant", "value": 2.0},
                                                            {"dist": "exponential", "mean": 6.0},
                                                            {"dist": "gamma", "mean": 12.0, "cv": 0.5}])),
                         "order_cost": float(draw(st.integers(0, 40))),
                         "price_factor": draw(st.sampled_from([0.8, 1.0, 1.3]))}
    pay = draw(st.sampled_from(["on_delivery", "net", "prepay"]))
    if pay == "net":
        v["payment_terms_days"] = 15.0
    elif pay == "prepay":
        v["prepay"] = True
    if draw(st.booleans()):
        v["reliability"] = {"late_probability": draw(st.sampled_from([0.2, 0.5])),
                            "partial_probability": draw(st.sampled_from([0.0, 0.2])),
                            "late_days": {"dist": "uniform", "low": 1.0, "high": 9.0},
                            "late_notice_days": draw(st.sampled_from([0.0, 3.0, 30.0]))}
    if draw(st.booleans()):
        v["min_order"] = draw(st.integers(1, 8))
    if draw(st.booleans()):
        v["capacity"] = {"units": draw(st.integers(3, 30)), "period_days": 5.0}
    if draw(st.booleans()):
        v["disruptions"] = {"up_days": {"dist": "exponential", "mean": 30.0},
                            "down_days": {"dist": "constant", "value": 8.0}}
    return v


@st.composite
def multi_vendor_stores(draw: Any) -> dict[str, Any]:
    vendor_ids = [f"v{k}" for k in range(draw(st.integers(2, 4)))]
    vendors = {vid: draw(vendor_spec()) for vid in vendor_ids}
    items: dict[str, Any] = {}
    for k in range(draw(st.integers(1, 3))):
        listed = draw(st.lists(st.sampled_from(vendor_ids), min_size=1, max_size=len(vendor_ids), unique=True))
        s = draw(st.integers(0, 10))
        item: dict[str, Any] = {"price": 40.0 + k, "unit_cost": 20.0, "initial_on_hand": draw(st.integers(0, 20)),
                                "popularity": 1.0, "vendors": listed,
                                "replenishment": {"policy": "s_S", "s": s, "S": s + draw(st.integers(5, 30))}}
        rule = draw(st.sampled_from(RULES)) if len(listed) > 1 else "single"
        if rule == "split":
            raw = [draw(st.integers(1, 5)) for _ in listed]
            shares = [x / sum(raw) for x in raw]
            shares[-1] = 1.0 - sum(shares[:-1])
            item["sourcing"] = {"rule": "split", "shares": dict(zip(listed, shares, strict=True))}
        elif rule == "dual_index":
            item["vendors"] = listed[:2]
            item["sourcing"] = {"rule": "dual_index", "expedite_below": draw(st.integers(-3, s)),
                                "expedite_up_to": s + draw(st.integers(0, 5))}
        elif rule == "switch_after_late":
            item["sourcing"] = {"rule": rule, "late_deliveries": draw(st.integers(1, 3)),
                                "window_days": draw(st.sampled_from([10.0, 40.0]))}
        elif rule != "single":
            item["sourcing"] = {"rule": rule}
        if draw(st.booleans()):
            item["vendor_prices"] = {item["vendors"][0]: 18.5}
        mode = draw(st.sampled_from(["silent", "notify_on_slip", "notify_periodically"]))
        period = {"period_days": 4.0} if mode == "notify_periodically" else {}
        item["shortage"] = {"updates": {"mode": mode, **period}}
        items[f"i{k}"] = item
    shortage: dict[str, Any] = {"rule": draw(st.sampled_from(["backorder", "partial_backorder"])),
                                "prepay": draw(st.booleans())}
    if shortage["rule"] == "partial_backorder":
        shortage["max_open_backorders"] = 6
    return {
        "schema_version": 2, "name": "random_vendors",
        "run": {"horizon_days": draw(st.sampled_from([40.0, 120.0])), "record_events": True,
                "warmup_days": draw(st.sampled_from([0.0, 0.0, 15.0]))},
        "initial": {"cash": 2000.0},
        "demand": {"model": "customers", "visits_per_day": draw(st.sampled_from([3.0, 10.0]))},
        "customers": {"population": 200, "behaviour": draw(st.booleans()),
                      "patience": draw(st.sampled_from([{"dist": "exponential", "mean": 10.0}, {"dist": "infinite"}]))},
        "vendors": vendors, "items": items,
        "shortage": shortage,
        "allocation": draw(st.sampled_from(["first_come_first_served", "priority"])),
    }


def _check_vendor_books(doc: dict[str, Any], r: RunResult, inv: dict[str, Any]) -> None:
    assert inv["cash_cents"] == inv["initial_cash_cents"] + inv["ledger_sum_cents"]
    # every unit ordered from a vendor arrived, was short, or is still due
    for k in range(len(r.vendor_ids)):
        assert inv["vendor_ordered_units"][k] == (inv["vendor_received_units"][k] + inv["vendor_short_units"][k]
                                                  + inv["vendor_due_units"][k]), r.vendor_ids[k]
    # spend is what the ledger paid each vendor (in the window), to the cent
    led = r.ledger
    win = led[(led.time >= doc["run"]["warmup_days"]) & led.category.isin(["supplier_payment", "supplier_refund"])]
    paid = -win.groupby("vendor", observed=True).amount_cents.sum().reindex(r.vendors.index).fillna(0)
    np.testing.assert_array_equal(np.round(r.vendors.spend.to_numpy() * 100), paid.to_numpy())
    if doc["run"]["warmup_days"] == 0:
        assert (r.vendors.ordered_units == r.vendors.received_units + r.vendors.short_units
                + r.vendors.due_units_end).all()
        lifetime = -led[led.category.isin(["supplier_payment", "supplier_refund"])].groupby(
            "vendor", observed=True).amount_cents.sum().reindex(r.vendors.index).fillna(0)
        assert lifetime.tolist() == inv["vendor_spend_cents"]
    s = r.summary
    assert r.vendors.orders_placed.sum() == s["orders_placed"]
    assert s["late_backorder_units"] == s["late_backorder_announced_units"] + s["late_backorder_surprise_units"]
    assert 0 <= s["cancelled_after_notice_units"] <= s["cancelled_units"]
    assert abs(s["profit"] - (s["revenue"] - s["cost_of_goods_sold"] - s["purchase_price_variance"]
                              - s["holding_cost"] - s["ordering_cost"] - s["net_interest"])) < 1e-6
    # an item orders only from the vendors it lists
    orders = r.events[r.events.event == "order_placed"]
    for item_id, vendor in zip(orders.item, orders.vendor, strict=True):
        assert vendor in doc["items"][item_id]["vendors"]


def _check_notices(doc: dict[str, Any], r: RunResult) -> None:
    ev = r.events
    told = ev[ev.event.isin(["notice_kept_waiting", "notice_cancelled"])]
    for item_id, rows in told.groupby("item", observed=True):
        mode = doc["items"][item_id]["shortage"]["updates"]["mode"]
        assert mode != "silent"
        if mode == "notify_on_slip":  # nobody is told unless their date moved later
            assert (rows.value > rows.previous + 1e-9).all()
        else:
            assert np.allclose(rows.time / 4.0, np.round(rows.time / 4.0))  # at the rounds
    if not doc["customers"]["behaviour"]:
        assert (told.event == "notice_kept_waiting").all()
    assert len(told[told.time >= doc["run"]["warmup_days"]]) == r.summary["notices_sent"]


STORE_SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])


@STORE_SETTINGS
@given(doc=multi_vendor_stores(), seed=st.integers(0, 2**32), rep=st.integers(0, 50))
def test_random_multi_vendor_stores_balance_every_vendor(doc: dict[str, Any], seed: int, rep: int) -> None:
    parsed = _core.parse_scenario(json.dumps(doc), "")
    sim = _core.Simulation(parsed, seed, rep)
    sim.run_until(parsed.horizon_days)
    inv = sim.invariants()
    r = run(doc, seed, rep)
    _check_vendor_books(doc, r, inv)
    _check_notices(doc, r)
    np.testing.assert_array_equal(r._raw["summary"], sim.summary())
    np.testing.assert_array_equal(r._raw["vendors"], sim.vendors())
    np.testing.assert_array_equal(_core.run_replications(parsed, seed, rep, 1, 1)[0], r._raw["summary"])


# --- statistics: the record measures the vendor the scenario describes ---------------------------------------
def _pooled(doc: dict[str, Any], reps: int) -> pd.DataFrame:
    parsed = _core.parse_scenario(json.dumps(doc), "")
    cols = [m["name"] for m in _core.vendor_metric_info]
    return pd.DataFrame([_core.simulate(parsed, 11, k, None)["vendors"][0] for k in range(reps)], columns=cols)


def test_a_vendors_on_time_rate_and_fill_rate_estimate_its_reliability() -> None:
    """One vendor, fixed orders of 40 (s, Q): shipments are late with p = 0.3 and short (half of 40) with
    q = 0.2 (exclusive), so the on-time rate estimates 0.7 and the fill rate 1 - 0.2 x 0.5 = 0.9; with n
    shipments the pooled estimates have binomial sd sqrt(p (1 - p) / n) (the fill rate: 0.5 x that of q)."""
    doc = shop(vendors={"maker": {"reliability": {"late_probability": 0.3, "partial_probability": 0.2,
                                                  "partial_fraction": {"dist": "constant", "value": 0.5}}}},
               items={"lens": {"replenishment": {"policy": "s_Q", "s": 40, "Q": 40, "S": None}}})
    doc["items"]["lens"]["replenishment"].pop("S")
    df = _pooled(doc, 60)
    n = df.shipments.sum()
    assert n > 1000
    on_time = 1 - df.late_shipments.sum() / n
    assert abs(on_time - 0.7) < 4 * math.sqrt(0.3 * 0.7 / n)
    fill = df.received_units.sum() / (df.received_units.sum() + df.short_units.sum())
    assert abs(fill - 0.9) < 4 * 0.5 * math.sqrt(0.2 * 0.8 / n)


def test_the_realised_lead_time_adds_the_expected_lateness() -> None:
    """Lead time gamma(mean 20, cv 0.3), late with p = 0.3 by U(5, 15) days: realised mean 20 + 0.3 x 10 = 23,
    variance 36 + 0.3 x (100/12 + 100) - 9 = 59.5 per shipment."""
    doc = shop(vendors={"maker": {"reliability": {"partial_probability": 0.0}}})
    df = _pooled(doc, 60)
    n = df.shipments.sum()
    mean = (df.mean_lead_time_days * df.shipments).sum() / n
    assert abs(mean - 23.0) < 4 * math.sqrt(59.5 / n)


def test_a_notified_customer_keeps_waiting_with_the_ratio_of_acceptance() -> None:
    """Exponential acceptance with rate a: told that the date moved d days later, a customer keeps waiting
    with probability exp(-a d). Constant late days d = 8 and a = 0.1: 0.449; the kept share of n notices
    that moved by exactly d has binomial sd sqrt(p (1 - p) / n)."""
    doc = shop(customers={"backorder_acceptance": {"form": "exponential", "beta0": 0.9, "rate_per_day": 0.1},
                          "patience": {"dist": "infinite"}},
               shortage={"updates": {"mode": "notify_on_slip"}})
    doc["vendors"]["maker"]["reliability"] = {"late_probability": 0.5, "late_days": {"dist": "constant", "value": 8.0},
                                              "late_notice_days": 5.0}
    parsed = _core.parse_scenario(json.dumps(doc), "")
    kept = told = 0
    for rep in range(40):
        ev = RunResult(_core.simulate(parsed, 5, rep, None), {"scenario": "x", "policy": "", "seed": 5,
                                                                "replication": rep}).events
        rows = ev[ev.event.isin(["notice_kept_waiting", "notice_cancelled"])]
        rows = rows[np.isclose(rows.value - rows.previous, 8.0) & (rows.previous >= rows.time)]
        told += len(rows)
        kept += int((rows.event == "notice_kept_waiting").sum())
    p = math.exp(-0.8)
    assert told > 300
    assert abs(kept / told - p) < 4 * math.sqrt(p * (1 - p) / told)


def test_split_shares_hold_in_every_run() -> None:
    doc = shop(items={"lens": {"sourcing": {"rule": "split", "shares": {"maker": 0.65, "express": 0.35}}}})
    for rep in range(5):
        r = run(doc, 3, rep)
        units = r.vendors.ordered_units
        assert abs(units["express"] - 0.35 * units.sum()) < 1.0
