"""The cash ledger: it reconciles with the income statement and the balances, to the cent."""

from __future__ import annotations

import numpy as np
import pytest

import stocklab as sl


def lens(**over) -> sl.Scenario:
    return sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 240, **over})


def cents(run: sl.RunResult, *cats: str) -> int:
    led = run.ledger
    return int(led.loc[led["category"].isin(cats), "amount_cents"].sum())


CASES = {
    "lost_sales_net30": ({}, "out_of_stock"),
    "prepaid_backorders": ({}, "backorder"),
    "deposit_and_apology": ({"policies.backorder.shortage.deposit_fraction": 0.3,
                             "policies.backorder.shortage.apology_discount": 0.1}, "backorder"),
    "supplier_prepay_unreliable": ({"supplier": {"lead_time": {"dist": "gamma", "mean": 21, "cv": 0.5},
                                                 "unit_price": 150.0, "order_cost": 40.0, "prepay": True,
                                                 "reliability": {"partial_probability": 0.3,
                                                                 "partial_fraction": {"dist": "uniform", "low": 0.2,
                                                                                      "high": 0.9}}}}, "backorder"),
    "interest_and_period_end_holding": ({"initial.cash": -5000.0, "finance": {
        "holding_cost_accrual": "period_end", "accrual_period_days": 30, "overdraft_rate_per_year": 0.15,
        "deposit_rate_per_year": 0.02}}, "backorder"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_ledger_reconciles(case):
    over, policy = CASES[case]
    run = sl.simulate(lens(**over), seed=21, policy=policy)
    s = run.summary
    led = run.ledger
    total = int(led["amount_cents"].sum())
    # Cash is the initial cash plus every entry, exactly (integer cents).
    assert round(run.initial_cash * 100) + total == round(s["final_cash"] * 100)
    # Customer cash: sales + prepayments - refunds - apology discounts = revenue recognised (units
    # shipped x price - discounts) + prepayments still held for orders not yet shipped (a liability).
    customer = cents(run, "sale", "prepayment", "refund", "apology_discount")
    assert customer == round(s["revenue"] * 100) + round(s["customer_prepayments_outstanding"] * 100)
    shipped = s["served_from_stock_units"] + s["fulfilled_backorder_units"]
    assert round(s["revenue"] * 100) == round(shipped * 24900) + cents(run, "apology_discount")
    # Refunds never exceed what was prepaid, and no cancelled order keeps its prepayment.
    assert -cents(run, "refund") <= cents(run, "prepayment")
    # Supplier cash: payments net of refunds = -(goods received at the unit price) + payables still
    # open (advances for prepaid orders not yet received count as negative payables). Goods received
    # = cost of goods sold + closing stock - opening stock.
    supplier = cents(run, "supplier_payment", "supplier_refund")
    received_value = s["cost_of_goods_sold"] + _closing_stock_value(run) - _opening_stock_value(run)
    assert supplier == -round(received_value * 100) + round(s["supplier_payables_outstanding"] * 100)
    # The income statement reconciles with the ledger's cost categories.
    stmt = run.income_statement
    assert -cents(run, "holding_cost") == round(s["holding_cost"] * 100)
    assert -cents(run, "ordering_cost") == round(s["ordering_cost"] * 100)
    assert -cents(run, "interest_paid", "interest_earned") == round(s["net_interest"] * 100)
    assert stmt["profit"] == pytest.approx(s["revenue"] - s["cost_of_goods_sold"] - s["holding_cost"]
                                           - s["ordering_cost"] - s["net_interest"], abs=1e-6)


def _opening_stock_value(run: sl.RunResult) -> float:
    return float(run.timeseries["on_hand"].iloc[0]) * 150.0


def _closing_stock_value(run: sl.RunResult) -> float:
    return float(run.timeseries["on_hand"].iloc[-1]) * 150.0


def test_holding_cost_accrual_has_no_drift_over_a_century():
    """Holding cost posted daily for 100 years equals h x (time integral of on hand) to the cent."""
    sc = lens(**{"run.horizon_days": 36500, "run.snapshot_interval_days": 0, "run.record_ledger": False,
                 "sku.holding_cost_per_unit_day": 0.0333333})
    s = sl.simulate(sc, seed=2, policy="out_of_stock").summary
    exact = 0.0333333 * s["avg_on_hand"] * 36500
    assert abs(s["holding_cost"] - exact) <= 0.01 + 1e-9 * exact
    daily = s["holding_cost"]
    monthly = sl.simulate(sc.with_overrides({"finance": {"holding_cost_accrual": "period_end",
                                                         "accrual_period_days": 30}}),
                          seed=2, policy="out_of_stock").summary["holding_cost"]
    assert abs(daily - monthly) <= 0.01


def test_ledger_is_dated_and_sorted():
    run = sl.simulate(lens(), seed=5, policy="backorder")
    t = run.ledger["time"].to_numpy()
    assert np.all(np.diff(t) >= 0)
    assert set(run.ledger["category"].unique()) >= {"sale", "prepayment", "supplier_payment", "holding_cost",
                                                     "ordering_cost"}
    prepay = run.ledger[run.ledger["category"] == "prepayment"]
    assert (prepay["reference"] >= 0).all()  # customer ids


def test_prepaid_backorders_bring_cash_forward():
    """With customer prepayment the cash during a stock-out is higher than when charging at shipment."""
    sc = lens()
    pre = sl.simulate(sc, seed=8, policy="backorder")
    post = sl.simulate(sc.with_overrides({"policies.backorder.shortage.prepay": False}), seed=8, policy="backorder")
    assert pre.summary["revenue"] == post.summary["revenue"]  # same customers, same shipments
    diff = pre.timeseries["cash"] - post.timeseries["cash"]
    assert (diff >= -1e-9).all() and diff.max() > 0


def test_salvage_value_of_the_stock_left_is_reported_and_counted_in_profit_when_asked(textbook):
    # A newsvendor: 60 units, never reordered, salvage 3 a unit; a 30-day season of 1 unit a day.
    base = {"sku": {"price": 10.0, "unit_cost": 5.0, "salvage_value": 3.0}, "initial": {"on_hand": 60},
            "run": {"horizon_days": 30, "snapshot_interval_days": 1}, "shortage": {"rule": "lost_sales"}}
    operating = sl.simulate(textbook(**base), seed=4)
    with_salvage = sl.simulate(textbook(**base, finance={"salvage_in_profit": True}), seed=4)
    s, t = operating.summary, with_salvage.summary
    left = operating.timeseries["on_hand"].iloc[-1]
    assert s["ending_on_hand"] == left == 60 - s["served_from_stock_units"] > 0
    assert s["salvage_value"] == pytest.approx(3.0 * left)
    assert t["profit"] == pytest.approx(s["profit"] + s["salvage_value"])
    assert t["final_cash"] == s["final_cash"]  # salvage is a valuation, never cash
