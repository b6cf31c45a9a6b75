"""Writes scenarios/camera_shop.json from the tables and rules below, so every derived number (unit
costs, holding costs, popularity, reorder points, order-up-to levels) can be recomputed and checked.

    .venv/bin/python scripts/make_camera_shop.py            # rewrite the scenario
    .venv/bin/python scripts/make_camera_shop.py --check    # fail if the file differs from the rules
    .venv/bin/python scripts/make_camera_shop.py --table    # print the items with their derived numbers
    .venv/bin/python scripts/make_camera_shop.py --calibrate  # out-of-stock time of each item alone, by z

Needs only the standard library. The sources and assumptions are written into the scenario's
description (DESCRIPTION below); the description is built from the same constants.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "scenarios" / "camera_shop.json"

# --- The store ---------------------------------------------------------------------------------
VISITS_PER_DAY = 40.0     # purchase occasions a day at the start (assumption, see the description)
BASKET_MEAN = 1.3         # geometric number of distinct items a visit picks (assumption)
POPULATION = 6000         # active customers (assumption)
HOLDING_RATE = 0.25       # annual carrying cost as a share of unit cost
ZIPF_EXPONENT = 1.0       # popularity of the item of rank r is 100 / r ** ZIPF_EXPONENT
SAFETY_Z = 0.0            # safety factor of the reorder point (see calibrate() and the description)
INITIAL_CASH = 50000.0

# Gross margin (price - unit cost) / price by category: an assumption within published ranges.
MARGIN = {"body": 0.08, "lens": 0.18, "lens_3p": 0.25, "card": 0.35, "power": 0.40, "carry": 0.45,
          "filter": 0.55, "care": 0.60}

# id: name, lead-time distribution, order cost, payment terms (days), reliability (or None)
VENDORS = {
    "maker_a": ("Mount A camera maker (bodies and lenses)", {"dist": "gamma", "mean": 21, "cv": 0.3}, 40.0, 30, None),
    "maker_b": ("Mount B camera maker (bodies and lenses)", {"dist": "gamma", "mean": 28, "cv": 0.4}, 40.0, 30, None),
    "lens_3p": ("Third-party lens maker (both mounts)", {"dist": "gamma", "mean": 35, "cv": 0.4}, 40.0, 60,
                {"late_probability": 0.2, "late_days": {"dist": "constant", "value": 14}}),
    "distributor": ("Accessory distributor", {"dist": "gamma", "mean": 5, "cv": 0.4}, 15.0, 30, None),
}

# Items in order of popularity (rank 1 sells the most units): id, name, category, price, vendor,
# substitutes (same mount for lenses), in order of preference.
ITEMS = [
    ("sd_128", "SD card 128 GB (V60)", "card", 39, "distributor", ["sd_256", "sd_64"]),
    ("sd_64", "SD card 64 GB (V30)", "card", 22, "distributor", ["sd_128"]),
    ("batt_a", "Battery for mount A bodies", "power", 79, "distributor", []),
    ("lens_a_50_f18", "50mm f/1.8 (mount A)", "lens", 249, "maker_a", ["lens_a_50_f14", "lens_a_35_f18"]),
    ("filter_uv_67", "UV filter 67 mm", "filter", 45, "distributor", []),
    ("cleaning_kit", "Lens cleaning kit", "care", 25, "distributor", []),
    ("strap", "Camera strap", "carry", 39, "distributor", []),
    ("batt_b", "Battery for mount B bodies", "power", 69, "distributor", []),
    ("lens_b_50_f18", "50mm f/1.8 (mount B)", "lens", 219, "maker_b", ["lens_b_50_f14", "lens_b_35_f18"]),
    ("body_a_ff", "Full-frame body (mount A)", "body", 1999, "maker_a", []),
    ("blower", "Air blower", "care", 15, "distributor", []),
    ("filter_cpl_77", "Circular polariser 77 mm", "filter", 99, "distributor", []),
    ("lens_a_35_f18", "35mm f/1.8 (mount A)", "lens", 549, "maker_a", ["lens_a_3p_35_f14", "lens_a_50_f18"]),
    ("body_a_apsc", "APS-C body (mount A)", "body", 999, "maker_a", []),
    ("filter_uv_77", "UV filter 77 mm", "filter", 55, "distributor", []),
    ("card_reader", "Card reader (SD/CFexpress)", "care", 29, "distributor", []),
    ("lens_a_24_105_f4", "24-105mm f/4 (mount A)", "lens", 1099, "maker_a",
     ["lens_a_3p_28_75_f28", "lens_a_24_70_f28"]),
    ("bag_shoulder", "Shoulder bag", "carry", 89, "distributor", ["backpack"]),
    ("charger_a", "Charger for mount A batteries", "power", 59, "distributor", []),
    ("lens_a_3p_28_75_f28", "28-75mm f/2.8, third party (mount A)", "lens_3p", 879, "lens_3p",
     ["lens_a_24_70_f28", "lens_a_24_105_f4"]),
    ("body_b_ff", "Full-frame body (mount B)", "body", 1799, "maker_b", []),
    ("cfx_256", "CFexpress B card 256 GB", "card", 199, "distributor", []),
    ("lens_a_85_f18", "85mm f/1.8 (mount A)", "lens", 599, "maker_a", ["lens_a_50_f14"]),
    ("lens_b_35_f18", "35mm f/1.8 (mount B)", "lens", 499, "maker_b", ["lens_b_3p_35_f14", "lens_b_50_f18"]),
    ("backpack", "Camera backpack", "carry", 169, "distributor", ["bag_shoulder"]),
    ("body_b_apsc", "APS-C body (mount B)", "body", 899, "maker_b", []),
    ("lens_a_50_f14", "50mm f/1.4 (mount A)", "lens", 449, "maker_a", ["lens_a_50_f18", "lens_a_3p_35_f14"]),
    ("tripod_travel", "Travel tripod (aluminium)", "carry", 199, "distributor", ["tripod_carbon"]),
    ("lens_b_24_105_f4", "24-105mm f/4 (mount B)", "lens", 999, "maker_b",
     ["lens_b_3p_28_75_f28", "lens_b_24_70_f28"]),
    ("filter_nd_77", "ND filter 77 mm (6 stops)", "filter", 119, "distributor", []),
    ("lens_a_70_200_f4", "70-200mm f/4 (mount A)", "lens", 1399, "maker_a", ["lens_a_70_200_f28", "lens_a_100_400"]),
    ("lens_a_24_70_f28", "24-70mm f/2.8 (mount A)", "lens", 2099, "maker_a",
     ["lens_a_3p_28_75_f28", "lens_a_24_105_f4"]),
    ("lens_b_3p_28_75_f28", "28-75mm f/2.8, third party (mount B)", "lens_3p", 879, "lens_3p",
     ["lens_b_24_70_f28", "lens_b_24_105_f4"]),
    ("charger_b", "Charger for mount B batteries", "power", 59, "distributor", []),
    ("lens_a_3p_35_f14", "35mm f/1.4, third party (mount A)", "lens_3p", 799, "lens_3p", ["lens_a_35_f18"]),
    ("body_a_pro", "Professional body (mount A)", "body", 3999, "maker_a", []),
    ("lens_b_85_f18", "85mm f/1.8 (mount B)", "lens", 549, "maker_b", ["lens_b_50_f14"]),
    ("remote", "Remote shutter release", "care", 35, "distributor", []),
    ("lens_a_16_35_f4", "16-35mm f/4 (mount A)", "lens", 1199, "maker_a", []),
    ("sd_256", "SD card 256 GB (V60)", "card", 79, "distributor", ["sd_128"]),
    ("lens_a_70_200_f28", "70-200mm f/2.8 (mount A)", "lens", 2599, "maker_a", ["lens_a_70_200_f4"]),
    ("lens_b_50_f14", "50mm f/1.4 (mount B)", "lens", 499, "maker_b", ["lens_b_50_f18", "lens_b_3p_35_f14"]),
    ("lens_pen", "Lens pen", "care", 12, "distributor", []),
    ("lens_b_70_200_f4", "70-200mm f/4 (mount B)", "lens", 1299, "maker_b", ["lens_b_70_200_f28"]),
    ("lens_b_24_70_f28", "24-70mm f/2.8 (mount B)", "lens", 1899, "maker_b",
     ["lens_b_3p_28_75_f28", "lens_b_24_105_f4"]),
    ("body_b_pro", "Professional body (mount B)", "body", 2999, "maker_b", []),
    ("tripod_carbon", "Carbon tripod with ball head", "carry", 449, "distributor", ["tripod_travel"]),
    ("lens_a_100_400", "100-400mm (mount A)", "lens", 2299, "maker_a", ["lens_a_70_200_f4"]),
    ("lens_b_3p_35_f14", "35mm f/1.4, third party (mount B)", "lens_3p", 799, "lens_3p", ["lens_b_35_f18"]),
    ("lens_b_70_200_f28", "70-200mm f/2.8 (mount B)", "lens", 2399, "maker_b", ["lens_b_70_200_f4"]),
]

BACKORDER = {"rule": "backorder", "prepay": True, "quote": {"mode": "honest"}}


def popularity(rank: int) -> float:
    return round(100.0 / rank**ZIPF_EXPONENT, 3)


def derived() -> list[dict]:
    """Each item with its derived numbers: unit cost, holding cost, demand, s, Q and S."""
    total = sum(popularity(r) for r in range(1, len(ITEMS) + 1))
    rows = []
    for rank, (iid, name, cat, price, vendor, subs) in enumerate(ITEMS, start=1):
        unit_cost = round(price * (1.0 - MARGIN[cat]), 2)
        holding = round(HOLDING_RATE * unit_cost / 365.0, 4)
        pop = popularity(rank)
        d = VISITS_PER_DAY * BASKET_MEAN * pop / total              # units a day
        lt = VENDORS[vendor][1]
        mean_l, cv_l = lt["mean"], lt["cv"]
        mu = d * mean_l                                              # lead-time demand
        sigma = math.sqrt(d * mean_l + (d * cv_l * mean_l) ** 2)     # Poisson demand, random lead time
        s = math.ceil(mu + SAFETY_Z * sigma)
        order_cost = VENDORS[vendor][2]
        eoq = math.sqrt(2.0 * order_cost * 365.0 * d / (HOLDING_RATE * unit_cost))
        q = max(1, round(eoq))
        rows.append({"rank": rank, "id": iid, "name": name, "category": cat, "price": float(price),
                     "unit_cost": unit_cost, "holding": holding, "popularity": pop, "demand_per_day": d,
                     "vendor": vendor, "substitutes": subs, "lead_time_demand": mu, "sigma": sigma, "s": s,
                     "Q": q, "S": s + q, "cover_days": q / d})
    return rows


def scenario() -> dict:
    rows = derived()
    items = {}
    for r in rows:
        item = {"name": r["name"], "price": r["price"], "unit_cost": r["unit_cost"],
                "holding_cost_per_unit_day": r["holding"], "popularity": r["popularity"],
                "initial_on_hand": r["S"],
                "replenishment": {"policy": "s_S", "s": r["s"], "S": r["S"]}, "vendors": [r["vendor"]]}
        if r["substitutes"]:
            item["substitutes"] = r["substitutes"]
        items[r["id"]] = item
    vendors = {}
    for vid, (name, lead, order_cost, terms, reliability) in VENDORS.items():
        v = {"name": name, "lead_time": lead, "order_cost": order_cost, "payment_terms_days": terms}
        if reliability:
            v["reliability"] = reliability
        vendors[vid] = v
    hardware = [r["id"] for r in rows if r["category"] in ("body", "lens", "lens_3p")]
    return {
        "schema_version": 2,
        "name": "camera_shop",
        "description": description(),
        "run": {"horizon_days": 365, "warmup_days": 0, "replications": 100, "seed": 1, "snapshot_interval_days": 1},
        "initial": {"cash": INITIAL_CASH},
        "demand": {"model": "customers", "visits_per_day": VISITS_PER_DAY,
                   "basket": {"dist": "geometric", "mean": BASKET_MEAN},
                   "order_size": {"dist": "constant", "value": 1}},
        "customers": {
            "population": POPULATION,
            "initial_loyalty": 0.8,
            "behaviour": True,
            "source": "docs/sources.md",
            "response": {"buy_elsewhere": 0.57, "substitute": 0.19, "delay": 0.15, "no_purchase": 0.09,
                         "delay_days": {"dist": "exponential", "mean": 7}},
            "backorder_acceptance": {"form": "exponential", "beta0": 0.5, "rate_per_day": 0.1},
            "patience": {"dist": "exponential", "mean": 14},
            "expected_wait_days": 14,
            "loyalty": {"served": 0.02, "backorder_on_time": 0.021, "backorder_late": 0.061, "turned_away": 0.06,
                        "cancelled": 0.10, "churn_probability": 0.05},
            "new_customers": {"rate_per_day": 1.0},
            "word_of_mouth": {"review_probability": 0.1, "review_weight": 0.05, "memory_days": 90},
            "segments": {
                "regular": {"share": 0.80},
                "enthusiast": {"share": 0.15, "visit_rate_factor": 2.5, "priority": 1,
                               "patience": {"dist": "exponential", "mean": 21},
                               "backorder_acceptance": {"form": "exponential", "beta0": 0.6, "rate_per_day": 0.1}},
                "gift": {"share": 0.05, "visit_rate_factor": 0.5, "basket": {"dist": "geometric", "mean": 1.6},
                         "patience": {"dist": "exponential", "mean": 7},
                         "backorder_acceptance": {"form": "exponential", "beta0": 0.3, "rate_per_day": 0.1}},
            },
        },
        "vendors": vendors,
        "items": items,
        "shortage": {"rule": "lost_sales"},
        "allocation": "priority",
        "policies": {
            "out_of_stock": {"shortage": {"rule": "lost_sales"}},
            "backorder": {"shortage": BACKORDER},
            "mixed": {"items": {iid: {"shortage": BACKORDER} for iid in hardware}},
        },
    }


def item_alone_stockout(d: float, s: int, S: int, lead: dict, years: int = 50, seed: int = 1) -> tuple[float, float]:
    """One item by itself, the textbook way: Poisson demand of single units at rate d, continuous
    review (s, S) on the inventory position, gamma lead times (orders may cross), lost sales, no
    customers and no lateness. Returns (share of time with nothing on hand, share of demand lost)."""
    rng = random.Random(seed)
    shape = 1.0 / lead["cv"] ** 2
    scale = lead["mean"] / shape
    horizon = 365.0 * years
    t, on_hand, on_order, out, lost, demand = 0.0, S, 0, 0.0, 0, 0
    pipeline: list[tuple[float, int]] = []
    next_demand = rng.expovariate(d)
    while True:
        arrival = pipeline[0][0] if pipeline else math.inf
        t_next = min(next_demand, arrival)
        if t_next > horizon:
            break
        if on_hand == 0:
            out += t_next - t
        t = t_next
        if arrival <= next_demand:
            _, q = heapq.heappop(pipeline)
            on_hand += q
            on_order -= q
        else:
            demand += 1
            if on_hand > 0:
                on_hand -= 1
            else:
                lost += 1
            next_demand = t + rng.expovariate(d)
        if on_hand + on_order <= s:
            q = S - on_hand - on_order
            on_order += q
            heapq.heappush(pipeline, (t + rng.gammavariate(shape, scale), q))
    return out / horizon, lost / demand


def calibrate(z: float) -> tuple[float, float]:
    """Mean over items of the stock-out time share, and the share of all units lost, at safety factor z."""
    global SAFETY_Z
    saved, SAFETY_Z = SAFETY_Z, z
    try:
        rows = derived()
    finally:
        SAFETY_Z = saved
    out = [item_alone_stockout(r["demand_per_day"], r["s"], r["S"], VENDORS[r["vendor"]][1]) for r in rows]
    units = sum(r["demand_per_day"] for r in rows)
    return (sum(o for o, _ in out) / len(rows),
            sum(lost * r["demand_per_day"] for (_, lost), r in zip(out, rows, strict=True)) / units)


def plan() -> dict:
    """The planned year's figures quoted in the description (demand at the start, no stock-outs)."""
    rows = derived()
    revenue = {c: 0.0 for c in ("body", "lens", "accessory")}
    margin = 0.0
    for r in rows:
        c = {"body": "body", "lens": "lens", "lens_3p": "lens"}.get(r["category"], "accessory")
        revenue[c] += 365 * r["demand_per_day"] * r["price"]
        margin += 365 * r["demand_per_day"] * (r["price"] - r["unit_cost"])
    total = sum(revenue.values())
    return {"pop_total": sum(r["popularity"] for r in rows), "revenue": total, "margin": margin / total,
            "share": {c: v / total for c, v in revenue.items()},
            "d_max": rows[0]["demand_per_day"], "d_min": rows[-1]["demand_per_day"],
            "q_min": min(r["Q"] for r in rows), "q_max": max(r["Q"] for r in rows),
            "cover_min": min(r["cover_days"] for r in rows), "cover_max": max(r["cover_days"] for r in rows),
            "stock_value": sum(r["S"] * r["unit_cost"] for r in rows)}


def description() -> str:
    f = plan()
    ranks = ", ".join(f"{i} {row[0]}" for i, row in enumerate(ITEMS, start=1))
    return "\n\n".join([
        "An online camera shop over one year: 50 items (6 camera bodies, 22 lenses of two mounts, 22 accessories) "
        "sold to one customer base by one store with one cash account, bought from 4 vendors, for customers in 3 "
        "segments. Which items should take backorders, and what does a stock-out of one item do to the sales of the "
        "others? Variants: out_of_stock (lost sales on every item), backorder (prepaid backorders with honest "
        "quotes on every item) and mixed (backorders on the 28 bodies and lenses, lost sales on the 22 "
        "accessories). Money is in an unnamed currency (read it as US dollars). Every number below comes from a "
        "cited source or is an assumption, and says which. scripts/make_camera_shop.py writes this file from its "
        "tables and the rules below (--check verifies it, --table prints every derived number, --calibrate "
        "reruns the stock-out calibration).",

        "ITEMS. Ids: body_* camera bodies; lens_a_* and lens_b_* lenses of mount A and mount B (lens_*_3p_* made "
        "by a third-party lens maker); the others accessories. Prices: typical street prices of each product class "
        "in 2024-25, rounded (assumption: generic products, not one brand's price list). salvage_value 0.",

        "MARGINS. unit_cost = price x (1 - margin), to the cent, with gross margins by category: bodies 8%, the "
        "makers' own lenses 18%, third-party lenses 25%, memory cards 35%, batteries and chargers 40%, bags, "
        "straps and tripods 45%, filters 55%, cleaning kits and small items 60%. The order (bodies low, lenses "
        "mid, accessories high) is the photo trade's: a former Nikon sales representative reports that camera "
        "specialty dealers averaged about 8-20% margins on hardgoods, depending on category (Photo Marketing "
        "Association figures), and that mail-order dealers sold bodies close to dealer cost "
        "(dpreview.com forums, post 3776165; secondary); the PMA's UK director (Amateur Photographer, 'Camera "
        "shop battle plan unveiled') and a camera seller's blog ('The unconsidered accessory', "
        "frontierandcolonial.wordpress.com, 2017) say a shop's margin is made on accessories (secondary, no "
        "figures). The per-category figures are assumptions within these ranges. camera_lens.json's 40% on one "
        "lens describes a launch lens sold near list price; an online shop competing on price earns less on "
        f"lenses. At the planned demand the shop sells about {f['revenue'] / 1e6:.1f} million a year "
        f"(bodies {f['share']['body']:.0%}, lenses {f['share']['lens']:.0%}, accessories "
        f"{f['share']['accessory']:.0%}) at a gross margin of {f['margin']:.1%}.",

        "HOLDING COST. 25% of the unit cost a year (camera_lens.json's carrying-cost rate; assumption): "
        "holding_cost_per_unit_day = 0.25 x unit_cost / 365, to 4 decimals.",

        "POPULARITY. A long tail by Zipf's law with exponent 1: the item of rank r has popularity 100 / r (3 "
        f"decimals; they sum to {f['pop_total']:.1f}). Ranks (1 sells the most units) are the order of the items "
        f"in this file: {ranks}. The order is a judgment (assumption): memory cards and batteries sell the most "
        "units, then the cheap fast primes and the mid-range bodies, filters and bags, with long zooms, "
        "professional bodies and the smaller mount's expensive lenses in the tail; mount A is the larger system. "
        "A power law of sales against sales rank is what Brynjolfsson, Hu & Smith (2003, 'Consumer surplus in the "
        "digital economy', Management Science 49(11)) found at an online retailer (Amazon's books); the exponent 1 "
        "is an assumption. A visit picks items with probabilities proportional to popularity, so item i's demand "
        f"is about visits x basket mean x popularity_i / {f['pop_total']:.1f} units a day at the start: from "
        f"{f['d_max']:.1f} (sd_128) to {f['d_min']:.2f} (lens_b_70_200_f28).",

        "DEMAND. 40 visits a day at the start, the store's total over all segments (visits are purchase occasions, "
        "customers who come to buy, not web sessions; assumption, sized so that the shop sells a few million a "
        "year, a small online specialist). "
        "Basket: a geometric number of distinct items, mean 1.3 (assumption: camera gear is mostly bought one "
        "expensive item at a time; general e-commerce benchmarks of 4-5 units a transaction are driven by "
        "groceries and beauty and do not transfer); one unit of each item picked. Population: 6,000 active "
        "customers (assumption: about 2.4 visits a customer a year), initial loyalty 0.8 (camera_lens.json), "
        "1 new customer a day (the 6%-a-year inflow of camera_lens.json, assumption).",

        "SEGMENTS (shares sum to 1; all parameters are assumptions). regular 0.80: the store-wide settings. "
        "enthusiast 0.15: camera-club members who visit 2.5 times as often as a regular, come first when scarce "
        "stock is allocated (priority 1, allocation 'priority'), wait longer for a specific lens (patience "
        "exponential, mean 21 days) and accept a backorder more readily (beta0 0.6). gift 0.05: buy rarely (0.5 "
        "times a regular's visit rate), larger baskets (geometric, mean 1.6), need the item by a date (patience "
        "mean 7 days, beta0 0.3). With these visit-rate factors regulars make 0.80 / 1.2 = 67% of the visits, "
        "enthusiasts 0.375 / 1.2 = 31%, gift buyers 2%.",

        "VENDORS (lead times, reliability and terms are assumptions). maker_a, mount A bodies and lenses: gamma lead "
        "time, mean 21 days, cv 0.3 (camera_lens.json's lens maker). maker_b, mount B, the smaller system whose "
        "importer ships less often: mean 28 days, cv 0.4. lens_3p, third-party lenses for both mounts, shipped from "
        "overseas: mean 35 days, cv 0.4, 20% of shipments 14 days later than confirmed (so honest quotes are "
        "sometimes wrong). distributor, every accessory, domestic: mean 5 days, cv 0.4. Order cost: 40 a purchase "
        "order from the lens and camera makers (camera_lens.json), 15 from the distributor. Payment: net 30 days "
        "(the common term, docs/sources.md section 3); net 60 from the third-party "
        "lens maker (assumption: it buys shelf space with terms).",

        "REPLENISHMENT. Continuous review (s, S) per item, sized from the item's demand d (above) and its "
        "vendor's mean lead time L: the lead-time demand has mean mu = d L and standard deviation "
        "sqrt(d L + (d cv L)^2) (Poisson demand over a gamma lead time). s = ceil(mu + z sigma) with z = 0, that "
        "is, the mean lead-time demand with no safety stock: calibrated so that an item simulated alone "
        "(Poisson demand, gamma lead times, lost sales, no lateness, 50 years: make_camera_shop.py --calibrate) "
        f"is out of stock {CALIBRATION[0]:.1%} of the time on average over the 50 items, the 8.3% average "
        "out-of-stock rate of retail (Gruen, Corsten & Bharadwaj 2002); z = 1 would give "
        f"{CALIBRATION[1]:.1%}. Order quantity Q = max(1, round(EOQ)), EOQ = sqrt(2 K D / h) (Harris 1913), K "
        "the vendor's order cost, D = 365 d, h = 0.25 x unit cost a year: from "
        f"{f['q_min']} to {f['q_max']} units, {f['cover_min']:.0f} to {f['cover_max']:.0f} days of demand. "
        f"S = s + Q. The year starts with S units of every item on the shelf (stock worth {f['stock_value']:,.0f} "
        "at cost, already paid for) and 50,000 in cash (assumption).",

        "STOCK-OUT RESPONSES (customers.response). Gruen, Corsten & Bharadwaj (2002) worldwide averages mapped as "
        "in camera_lens.json: buy elsewhere 0.57 (0.31 buy the item at another store + 0.26 'substitute another "
        "brand': a lens or battery fits one mount, and online the same item is one click away at another shop), "
        "substitute 0.19 ('same brand, other variant': in this store, the item's substitutes tried in order; for an "
        "item without substitutes the sale is lost), delay 0.15 (back after an exponential delay, mean 7 days: "
        "assumption), do not buy 0.09. Substitutes (assumption): a lens's are lenses of the same mount for the same "
        "use, in order of preference (50mm f/1.8 -> 50mm f/1.4, 35mm f/1.8; a standard zoom -> the other standard "
        "zooms; 70-200mm f/4 -> 70-200mm f/2.8, 100-400mm), a memory card's the neighbouring SD sizes, the two "
        "bags and the two tripods each other's; bodies, batteries, chargers, filters and small items have none.",

        "BACKORDERS. Acceptance beta(w) = 0.5 exp(-0.1 w) of the quoted wait w (Abad 1996 form; parameters an "
        "assumption, docs/sources.md section 2); patience exponential, mean 14 days "
        "(assumption); a customer told nothing assumes 14 days.",

        "LOYALTY AND WORD OF MOUTH, as camera_lens.json. Served from stock: +0.02 toward 1 (assumption). Backorder "
        "delivered on time: -2.1%; late: -6.1% (Bhan & Anderson 2023, Marketing Science 42(2):314-335). Turned "
        "away: -6% (size an assumption; direction from Anderson, Fitzsimons & Simester 2006). Cancelled backorder: "
        "-10% (assumption). After a bad experience a customer churns with probability 0.05 and posts a negative "
        "review with probability 0.1, weight 0.05, remembered for 90 days (assumptions). Loyalty belongs to the "
        "store: a customer turned away on one lens visits less often for every item.",

        "POLICIES. out_of_stock: lost sales on every item. backorder: every item takes backorders, prepaid (the "
        "customer pays in full at order and is refunded on cancellation), with honest quotes (the date the vendor "
        "confirmed). mixed: prepaid, honest backorders on the 6 bodies and 22 lenses (listed by id), lost sales on "
        "the 22 accessories.",
    ])


# (mean stock-out time share at z = 0, at z = 1): calibrate(0.0)[0] and calibrate(1.0)[0], stored so that
# writing the file needs no simulation; --calibrate recomputes them and --check compares.
CALIBRATION = (0.084, 0.021)


def render() -> str:
    return json.dumps(scenario(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="fail if the file differs from the rules")
    ap.add_argument("--table", action="store_true", help="print the items and their derived numbers")
    ap.add_argument("--calibrate", action="store_true", help="rerun the stock-out calibration of the reorder points")
    args = ap.parse_args()
    if args.calibrate:
        for z in (0.0, 0.5, 1.0):
            out, lost = calibrate(z)
            print(f"z = {z}: items out of stock {out:.1%} of the time on average; {lost:.1%} of the units lost")
        return
    if args.table:
        print(f"{'rank':>4} {'id':22} {'price':>7} {'cost':>8} {'d/day':>6} {'LTD':>6} {'s':>4} {'Q':>4} {'S':>4} "
              f"{'cover':>5}")
        for r in derived():
            print(f"{r['rank']:>4} {r['id']:22} {r['price']:>7.0f} {r['unit_cost']:>8.2f} {r['demand_per_day']:>6.2f} "
                  f"{r['lead_time_demand']:>6.1f} {r['s']:>4} {r['Q']:>4} {r['S']:>4} {r['cover_days']:>5.0f}")
        return
    text = render()
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            sys.exit(f"{OUT} differs from what {Path(__file__).name} writes: run it without --check")
        measured = (round(calibrate(0.0)[0], 3), round(calibrate(1.0)[0], 3))
        if measured != CALIBRATION:
            sys.exit(f"CALIBRATION is {CALIBRATION}, the calibration gives {measured}: update it")
        print(f"{OUT.name} matches the rules")
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
