"""Every figure in the README's story sections, recomputed: run it after a change that moves numbers
and copy the tables into README.md (the commit that moves numbers says so).

    .venv/bin/python scripts/readme_figures.py [--section camera|slow|cash|forecast|notebook]
"""

from __future__ import annotations

import argparse

import stocklab as sl

FORECAST = {"policy": "forecast", "alpha": 0.2, "cover_days": 32, "review_period_days": 7}


def fmt(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def ci(row, digits: int = 0) -> str:
    sign = "+" if row["difference"] > 0 else ""
    return f"{sign}{fmt(row['difference'], digits)} [{fmt(row['ci95_low'], digits)}, {fmt(row['ci95_high'], digits)}]"


def camera() -> None:
    exp = sl.compare(sl.load_scenario("camera_lens"), replications=200, seed=42, progress=False)
    s = exp.summary().set_index(["policy", "metric"])["mean"]
    lo = exp.summary().set_index(["policy", "metric"])
    d = exp.differences().set_index("metric")

    def cell(p, m, digits=0):
        r = lo.loc[(p, m)]
        return f"{fmt(r['mean'], digits)} [{fmt(r['ci95_low'], digits)}, {fmt(r['ci95_high'], digits)}]"

    print("| metric (one year) | out of stock | backorder (prepaid) | paired difference [95% CI] |")
    print("|---|---|---|---|")
    print(f"| units lost | {cell('out_of_stock', 'lost_units')} | {cell('backorder', 'lost_units')} | "
          f"{ci(d.loc['lost_units'])} |")
    print(f"| backorders shipped / cancelled | - | {fmt(s[('backorder', 'fulfilled_backorder_units')])} / "
          f"{fmt(s[('backorder', 'cancelled_units')])} | |")
    for m, label, dg in [("revenue", "revenue", 0), ("profit", "profit", 0), ("final_cash", "final cash", 0),
                         ("churned_customers", "customers who stopped buying here", 1),
                         ("negative_reviews", "negative reviews", 1),
                         ("demand_capture_ratio", "demand the store recorded / true demand", 3)]:
        print(f"| {label} | {fmt(s[('out_of_stock', m)], dg)} | {fmt(s[('backorder', m)], dg)} | "
              f"{ci(d.loc[m], dg)} |")
    print(f"\nvariance reduction of profit: {d.loc['profit', 'variance_reduction']:.1f}x")


def slow() -> None:
    exp = sl.compare(sl.load_scenario("slow_supplier"), replications=100, seed=42, progress=False)
    s = exp.summary().set_index(["policy", "metric"])["mean"]
    d = exp.differences().set_index(["policy", "metric"])
    print("| metric (two years) | out of stock | backorder, optimistic quotes | backorder, honest quotes |")
    print("|---|---|---|---|")
    print(f"| backorders cancelled after waiting | - | {fmt(s[('backorder', 'cancelled_units')])} | "
          f"{fmt(s[('honest_backorder', 'cancelled_units')])} |")
    for m, label, dg in [("churned_customers", "customers who stopped buying here", 1),
                         ("mean_loyalty", "mean loyalty of active customers", 3),
                         ("active_customers_end", "active customers at the end", 0)]:
        print(f"| {label} | {fmt(s[('out_of_stock', m)], dg)} | {fmt(s[('backorder', m)], dg)} "
              f"({ci(d.loc[('backorder', m)], dg)}) | {fmt(s[('honest_backorder', m)], dg)} |")
    print(f"| profit | {fmt(s[('out_of_stock', 'profit')])} | {fmt(s[('backorder', 'profit')])} | "
          f"{fmt(s[('honest_backorder', 'profit')])} |")


def cash() -> None:
    exp = sl.compare(sl.load_scenario("cash_flow"), replications=100, seed=42, progress=False)
    s = exp.summary().set_index(["policy", "metric"])["mean"]
    d = exp.differences().set_index(["policy", "metric"])
    a, b, c = "out_of_stock", "backorder_prepaid", "backorder_pay_at_shipment"
    print("| metric | out of stock | backorder, customer prepays | backorder, charged at shipment |")
    print("|---|---|---|---|")
    print(f"| minimum cash | {fmt(s[(a, 'min_cash')])} | {fmt(s[(b, 'min_cash')])} ({ci(d.loc[(b, 'min_cash')])}) | "
          f"{fmt(s[(c, 'min_cash')])} ({ci(d.loc[(c, 'min_cash')])}) |")
    neg = "days_cash_negative"
    print(f"| days with negative cash | {fmt(s[(a, neg)], 1)} | {fmt(s[(b, neg)], 1)} | "
          f"{fmt(s[(c, neg)], 1)} ({ci(d.loc[(c, neg)], 1)}) |")
    print(f"| overdraft interest | {fmt(s[(a, 'net_interest')], 1)} | {fmt(s[(b, 'net_interest')], 1)} | "
          f"{fmt(s[(c, 'net_interest')], 1)} ({ci(d.loc[(c, 'net_interest')], 1)}) |")
    print(f"| refunds of cancelled prepayments | - | {fmt(s[(b, 'refunds')])} | - |")


def forecast() -> None:
    sc = sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 730, "replenishment": FORECAST})
    exp = sl.compare(sc, replications=60, seed=42, progress=False)
    s = exp.summary().set_index(["policy", "metric"])["mean"]
    print(f"replenishment: {FORECAST}")
    print("| | out of stock | backorder |")
    print("|---|---|---|")
    for m, label, dg in [("demand_units", "true demand (units)", 0), ("recorded_demand_units", "recorded demand", 0),
                         ("demand_capture_ratio", "`demand_capture_ratio`", 3), ("fill_rate", "fill rate", 3)]:
        print(f"| {label} | {fmt(s[('out_of_stock', m)], dg)} | {fmt(s[('backorder', m)], dg)} |")


def notebook() -> None:
    """The figures of notebook 01 the README quotes (30 replications, seed 42)."""
    lens = sl.load_scenario("camera_lens")
    kw = {"replications": 30, "seed": 42, "progress": False}
    gain = sl.sweep(lens, {"customers.patience.mean": [1, 14]}, **kw).differences(metrics=["profit"])
    print(gain[["customers.patience.mean", "difference", "ci95_low", "ci95_high"]].to_string(index=False))
    slow = sl.sweep(lens, {"supplier.lead_time.mean": [90]}, **kw).differences(metrics=["profit"])
    print(slow[["supplier.lead_time.mean", "difference", "ci95_low", "ci95_high"]].to_string(index=False))
    optimistic = lens.with_overrides({"policies.backorder.shortage.quote": {"mode": "optimistic", "factor": 0.5}})
    apology = sl.sweep(optimistic, {"policies.backorder.shortage.apology_discount": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]},
                       **kw).differences(metrics=["profit"])
    print(apology[["policies.backorder.shortage.apology_discount", "difference", "ci95_low", "ci95_high"]]
          .to_string(index=False))


SECTIONS = {"camera": camera, "slow": slow, "cash": cash, "forecast": forecast, "notebook": notebook}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--section", choices=list(SECTIONS), action="append", help="default: all")
    for name in ap.parse_args().section or list(SECTIONS):
        print(f"\n== {name} ==")
        SECTIONS[name]()


if __name__ == "__main__":
    main()
