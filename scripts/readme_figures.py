"""Every figure in the README's story sections, recomputed: run it after a change that moves numbers
and copy the tables into README.md (the commit that moves numbers says so).

    .venv/bin/python scripts/readme_figures.py [--section camera|slow|cash|forecast|notebook|shop|notices]
"""

from __future__ import annotations

import argparse

import pandas as pd

import stocklab as sl
from stocklab.stats import paired_differences

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


# The camera shop (scenarios/camera_shop.json) ----------------------------------------------------
SHOP_BACKORDER = {"rule": "backorder", "prepay": True, "quote": {"mode": "honest"}}
POPULAR_LENSES = ["lens_a_50_f18", "lens_b_50_f18", "lens_a_35_f18", "lens_a_24_105_f4"]  # the 4 most popular
LOYALTY_OFF = {"customers.loyalty.served": 0, "customers.loyalty.turned_away": 0,
               "customers.loyalty.churn_probability": 0, "customers.word_of_mouth.review_probability": 0}


def shop_groups(doc: dict) -> dict[str, list[str]]:
    """The shop's items by kind: the popular lenses, the other lenses, the bodies, the accessories."""
    ids = list(doc["items"])
    lenses = [i for i in ids if i.startswith(("lens_a_", "lens_b_"))]  # (lens_pen is an accessory)
    return {"popular lenses": POPULAR_LENSES,
            "other lenses": [i for i in lenses if i not in POPULAR_LENSES],
            "bodies": [i for i in ids if i.startswith("body_")],
            "accessories": [i for i in ids if i not in lenses and not i.startswith("body_")]}


def group_differences(exp: sl.Experiment, groups: dict[str, list[str]], metric: str, baseline: str) -> pd.DataFrame:
    """Paired differences of a per-item metric summed over groups of items (replication by replication)."""
    items = exp.items
    sums = {name: items[items["item"].isin(ids)].groupby(["policy", "replication"], observed=True)[metric].sum()
            for name, ids in groups.items()}
    frame = pd.DataFrame(sums).reset_index()
    return paired_differences(frame, baseline, list(groups)).set_index("metric")


def understocked(sc: sl.Scenario) -> sl.Scenario:
    """The shop with the popular lenses' s and S halved (rounded down)."""
    doc = sc.to_dict()
    over = {}
    for i in POPULAR_LENSES:
        r = doc["items"][i]["replenishment"]
        over[f"items.{i}.replenishment.s"] = r["s"] // 2
        over[f"items.{i}.replenishment.S"] = r["S"] // 2
    return sc.with_overrides(over)


def shop() -> None:
    """The camera shop: the three variants, which items gain from backorders, the cross-item effect."""
    sc = sl.load_scenario("camera_shop")
    kw = {"replications": 100, "seed": 42, "progress": False}
    exp = sl.compare(sc, **kw)
    s = exp.summary().set_index(["policy", "metric"])["mean"]
    d = exp.differences().set_index(["policy", "metric"])
    a, b, m = "out_of_stock", "backorder", "mixed"
    print("| metric (one year) | out of stock | backorder, every item | mixed: bodies and lenses only |")
    print("|---|---|---|---|")
    for metric, label, dg in [("profit", "profit", 0), ("revenue", "revenue", 0),
                              ("lost_units", "units lost to the store", 0),
                              ("churned_customers", "customers who stopped buying here", 1),
                              ("active_customers_end", "active customers at the end", 0),
                              ("final_cash", "final cash", 0)]:
        print(f"| {label} | {fmt(s[(a, metric)], dg)} | {fmt(s[(b, metric)], dg)} ({ci(d.loc[(b, metric)], dg)}) | "
              f"{fmt(s[(m, metric)], dg)} ({ci(d.loc[(m, metric)], dg)}) |")
    print(f"| backorders shipped / cancelled (units) | - | {fmt(s[(b, 'fulfilled_backorder_units')])} / "
          f"{fmt(s[(b, 'cancelled_units')])} | {fmt(s[(m, 'fulfilled_backorder_units')])} / "
          f"{fmt(s[(m, 'cancelled_units')])} |")
    for metric in ["supplier_payables_outstanding", "customer_prepayments_outstanding"]:
        print(f"{metric} at the end, backorder - out of stock: {ci(d.loc[(b, metric)])}")
    acc = exp.differences(baseline=m, metrics=["profit"]).set_index("policy").loc[b]
    print(f"\nbackorder - mixed (backorders on the accessories too), profit: {ci(acc)}")
    print(f"variance reduction of profit (backorder): {d.loc[(b, 'profit'), 'variance_reduction']:.0f}x")
    oos = exp.summary(["stockout_time_fraction"], by="item")
    oos = oos[oos["policy"] == a]["mean"]
    print(f"items out of stock, mean share of the year (out of stock): {oos.mean():.3f} "
          f"(from {oos.min():.3f} to {oos.max():.3f})")

    # Which items gain: backorders on one item at a time, against lost sales everywhere.
    base = sc.with_policy(a)
    ids = list(sc.to_dict()["items"])
    single = sl.compare(sc, policies={a: base, **{i: base.with_overrides({f"items.{i}.shortage": SHOP_BACKORDER})
                                                  for i in ids}}, **kw)
    gain = single.differences(metrics=["profit"]).set_index("policy")
    own = exp.differences(metrics=["gross_margin"], by="item")
    own = own[own["policy"] == b].set_index("item")
    doc = sc.to_dict()
    ranked = gain.sort_values("difference", ascending=False)
    lost = exp.summary(["lost_units", "stockout_time_fraction"], by="item")
    lost = lost[lost["policy"] == a].set_index(["item", "metric"])["mean"]
    print("\n| item | price | units short a year, out of stock | store profit, backorders on this item alone | "
          "the item's own gross margin, backorders on every item |")
    print("|---|---|---|---|---|")
    for i in [*ranked.index[:5], *ranked.index[-5:]]:
        print(f"| `{i}` | {fmt(doc['items'][i]['price'])} | {fmt(lost[(i, 'lost_units')])} "
              f"({lost[(i, 'stockout_time_fraction')]:.1%} of the year) | {ci(ranked.loc[i])} | {ci(own.loc[i])} |")
    above = int((ranked["ci95_low"] > 0).sum())
    below = int((ranked["ci95_high"] < 0).sum())
    print(f"\nitems: {above} gain (CI above 0), {below} lose (CI below 0), {len(ranked) - above - below} no clear "
          f"difference; the single-item gains sum to {fmt(ranked['difference'].sum())} (every item at once: "
          f"{fmt(d.loc[(b, 'profit'), 'difference'])})")
    hurt = own[own["ci95_high"] < 0]
    print("items whose own gross margin falls when every item takes backorders:",
          ", ".join(f"{i} {ci(hurt.loc[i])}" for i in hurt.index) or "none")
    saved = exp.summary(["substitute_sales_units"], by="item").set_index(["policy", "item"])["mean"]
    for i in hurt.index:
        print(f"  {i}: sold as a substitute {fmt(saved[(a, i)], 1)} units (out of stock), "
              f"{fmt(saved[(b, i)], 1)} (backorder)")

    # The cross-item effect: the popular lenses under-stocked, everything else the same.
    groups = shop_groups(doc)
    for label, scenario in [("", base), (" (loyalty rules off)", base.with_overrides(LOYALTY_OFF))]:
        cross = sl.compare(sc, policies={"well stocked": scenario, "popular lenses short": understocked(scenario)},
                           **kw)
        rev = group_differences(cross, groups, "revenue", "well stocked")
        units = group_differences(cross, groups, "demand_units", "well stocked")
        level = cross.summary(by="item")
        level = level[(level["policy"] == "well stocked") & (level["metric"] == "revenue")].set_index("item")["mean"]
        store = cross.differences(metrics=["profit", "purchase_occasions", "churned_customers", "new_customers",
                                           "active_customers_end"]).set_index("metric")
        print(f"\npopular lenses' s and S halved{label}: paired differences, short - well stocked")
        print("| | well stocked | revenue | units wanted |")
        print("|---|---|---|---|")
        for g, members in groups.items():
            print(f"| {g} ({len(members)} items) | {fmt(level[members].sum())} | {ci(rev.loc[g])} | "
                  f"{ci(units.loc[g])} |")
        for metric in store.index:
            print(f"| store: {metric} | | {ci(store.loc[metric], 1)} | |")


def notices() -> None:
    """Does telling customers the truth pay? delay_notices.json: silent against notify on slip (and weekly
    notices, and an express vendor), paired by replication."""
    exp = sl.compare(sl.load_scenario("delay_notices"), replications=200, seed=42, progress=False)
    s = exp.summary().set_index(["policy", "metric"])["mean"]
    d = exp.differences().set_index(["policy", "metric"])
    print("| metric (two years, per run) | silent | notify on slip | paired difference [95% CI] | "
          "notify weekly: difference [95% CI] |")
    print("|---|---|---|---|---|")
    rows = [("backordered_units", "units backordered (customers who accepted a wait)", 0),
            ("notices_sent", "notices sent", 0),
            ("cancelled_units", "backorders cancelled (units)", 0),
            ("cancelled_after_notice_units", "... of them on a notice", 0),
            ("late_backorder_surprise_units", "late deliveries, unannounced (units)", 0),
            ("late_backorder_announced_units", "late deliveries, announced (units)", 0),
            ("loyalty_lost_to_surprise_delays", "loyalty lost to surprise delays", 1),
            ("loyalty_lost_to_announced_delays", "loyalty lost to announced delays", 1),
            ("churned_customers", "customers who stopped buying here", 1),
            ("active_customers_end", "active customers at the end", 0),
            ("lost_units", "units lost (bought elsewhere or not at all)", 0),
            ("revenue", "revenue", 0),
            ("profit", "profit", 0)]
    for m, label, dg in rows:
        print(f"| {label} | {fmt(s[('silent', m)], dg)} | {fmt(s[('notify_on_slip', m)], dg)} | "
              f"{ci(d.loc[('notify_on_slip', m)], dg)} | {ci(d.loc[('notify_weekly', m)], dg)} |")
    print("\nexpress vendor (dual_sourcing, silent) against silent:")
    for m, dg in [("backordered_units", 0), ("cancelled_units", 0), ("churned_customers", 1),
                  ("purchase_price_variance", 0), ("profit", 0)]:
        print(f"  {m}: {fmt(s[('dual_sourcing', m)], dg)} ({ci(d.loc[('dual_sourcing', m)], dg)})")
    vr = d.loc[("notify_on_slip", "profit"), "variance_reduction"]
    print(f"\nvariance reduction of profit (notify on slip): {vr:.1f}x")
    notice_sensitivity()


def notice_sensitivity() -> None:
    """Notify on slip against silent as the loyalty assumptions move (100 replications each, seed 42)."""
    print("\nnotify on slip against silent, as the assumptions move:")
    grids = {"customers.loyalty.backorder_late": [0.021, 0.061, 0.2],
             "customers.loyalty.backorder_late_announced": [0.021, 0.061],
             "customers.loyalty.churn_probability": [0.02, 0.05, 0.10]}
    for key, values in grids.items():
        exp = sl.sweep(sl.load_scenario("delay_notices"), grid={key: values}, replications=100, seed=42,
                       policies=["silent", "notify_on_slip"], progress=False)
        d = exp.differences().set_index([key, "metric"])
        for v in values:
            print(f"  {key} = {v}: profit {ci(d.loc[(v, 'profit')])}, "
                  f"customers who stopped buying {ci(d.loc[(v, 'churned_customers')], 1)}")


SECTIONS = {"camera": camera, "slow": slow, "cash": cash, "forecast": forecast, "notebook": notebook, "shop": shop,
            "notices": notices}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--section", choices=list(SECTIONS), action="append", help="default: all")
    for name in ap.parse_args().section or list(SECTIONS):
        print(f"\n== {name} ==")
        SECTIONS[name]()


if __name__ == "__main__":
    main()
