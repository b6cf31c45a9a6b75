"""The camera-lens model written again in SimPy 4, run beside stocklab: do they agree, how much faster?

Each peer is an independent pure-Python implementation of stocklab's customers model, read from the
same scenario file, with Python's own random numbers (so they agree statistically, never bitwise).
There are two peers, which share all model code (ProcessPeer subclasses Peer) and differ only in how
purchase occasions are generated (--peer superposed, per-customer or both):

- superposed (Peer): the engine's algorithm until per-customer clocks (commit 430db93), kept as the
  efficient SimPy program. One long-lived candidate process at the bound rate
  (loyalty 1) x every customer id ever seen (churned ones included), a customer picked uniformly,
  accepted with probability loyalty x active (thinning); a new customer redraws the next candidate
  (interrupt). Over 100 years about half its events are rejected candidates.
- per-customer (ProcessPeer): the style the SimPy documentation teaches (a process per entity, as in
  its bank-renege example), and the engine's algorithm since per-customer clocks (without processes:
  a heap of the customers' next occasions). Each active customer is a process that sleeps an
  exponential time at its own current rate, has a purchase occasion and loops, and ends when the
  customer churns; when a sleeping customer's loyalty changes (or the customer churns) its sleep is
  interrupted and redrawn (exact: exponential sleeps are memoryless). A word-of-mouth process starts
  a process per new customer. No thinning and no processes for churned customers, so no rejected
  candidates; but it has its own overheads: a process start per customer (3000 at time 0, so more
  events than the superposed peer over one year), an interrupt per loyalty change of a sleeping
  customer and the stale timeout each interrupt leaves in the calendar. Over long horizons it handles
  fewer events.

The model (both peers):

- one SKU; continuous review (s,S) on the inventory position (on hand + on order - backorders),
  checked after every purchase occasion, shipment and cancellation; gamma lead times; orders may cross
- a population of customers, each with a loyalty; purchase occasions are Poisson with rate
  proportional to the current loyalty (rate_per_day / population at the initial loyalty); a customer
  with an open backorder still has purchase occasions; churned customers have none
- served from stock: loyalty += served x (1 - loyalty); backorders wait FIFO and new customers are
  served from stock only when nobody waits
- stock-out: under backorders, the store quotes the confirmed arrival of the open shipment that covers
  the customer's place in line (else the mean lead time) and the customer accepts with probability
  beta0 exp(-rate x quote); a customer who accepts prepays and may cancel after an exponential
  patience (refund, loyalty x (1 - cancelled)); otherwise (and always under lost sales) the customer
  buys elsewhere / substitutes / does not buy (lost) or comes back after a delay (a new occasion)
- a bad experience (turned away, late backorder, cancellation) scales loyalty down, posts a negative
  review with some probability (reputation decays with memory_days; new customers arrive at
  rate x 2 / (1 + exp(-reputation))) and churns the customer with churn_probability; a backorder
  shipped on time costs loyalty x (1 - backorder_on_time)
- cash in integer cents: sales, prepayments and refunds, 40 per purchase order, supplier invoices
  paid net 30 after delivery, holding cost accrued continuously and posted daily (rounded cents, the
  remainder carried)

One-shot timers (shipments, supplier payments, cancellations, delayed returns) are SimPy Timeout events
with a callback; the long-lived streams (candidates or customers, new customers, daily accrual) are
processes.

For each horizon (1, 10, 100 years) stocklab and each chosen peer run R replications of both policies;
the script prints, per peer, each model's mean of fill rate, units sold (served from stock + fulfilled
backorders) and final cash, the difference and its 95% Welch CI, then per peer events/s, wall time and
the speed ratio. SimPy events are the events its calendar handled (for the superposed peer the same
kinds of events as stocklab's before per-customer clocks, thinned candidates included; for the
per-customer peer also process
starts and ends, interrupts and stale timeouts).

`--scenario FILE` runs another scenario file within the camera-lens feature set (the peer refuses
anything else), e.g. benchmarks/decaying_loyalty.json; its policies are the file's own.

    python benchmarks/simpy_peer.py [--peer both] [--reps 100,20,6] [--years 1,10,100] [--repeats 3]
                                    [--scenario scenarios/camera_lens.json]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections import deque
from typing import Any

import _common as C
import numpy as np

try:
    import simpy
except ImportError as e:  # pragma: no cover
    raise SystemExit("this benchmark needs SimPy 4: pip install 'simpy>=4.1'") from e

# ---------------------------------------------------------------------------------------------------
# The peer model


class Peer:
    """One replication of the camera-lens customers model in SimPy."""

    def __init__(self, doc: dict[str, Any], horizon: float, seed: int) -> None:
        self.rng = random.Random(seed)
        self.env = simpy.Environment()
        self.horizon = horizon
        sku, cust, sup, rep, sho = (
            doc["sku"],
            doc["customers"],
            doc["supplier"],
            doc["replenishment"],
            doc["shortage"],
        )
        dem = doc["demand"]
        self._check(doc)
        # parameters ------------------------------------------------------------------------------
        self.price = round(sku["price"] * 100)
        self.hold = sku["holding_cost_per_unit_day"]
        self.unit_price = round(sup.get("unit_price", sku.get("unit_cost", 0.0)) * 100)
        self.order_cost = round(sup.get("order_cost", 0.0) * 100)
        self.terms = sup.get("payment_terms_days", 0.0)
        lt = sup["lead_time"]
        self.lt_mean = lt["mean"]
        self.lt_shape = 1.0 / lt["cv"] ** 2
        self.lt_scale = lt["mean"] / self.lt_shape
        self.s, self.S = rep["s"], rep["S"]
        self.backorders = sho["rule"] == "backorder"
        self.deposit = round(self.price * sho.get("deposit_fraction", 1.0)) if sho.get("prepay", False) else 0
        n = cust["population"]
        self.l0 = cust["initial_loyalty"]
        self.cand_rate = dem["rate_per_day"] / n / self.l0  # candidates per customer per day (loyalty 1)
        r = cust["response"]
        self.p_elsewhere, self.p_subst, self.p_delay = r["buy_elsewhere"], r["substitute"], r["delay"]
        self.delay_mean = r["delay_days"]["mean"]
        a = cust["backorder_acceptance"]
        self.beta0, self.acc_rate = a["beta0"], a["rate_per_day"]
        self.patience_mean = cust["patience"]["mean"]
        L = cust["loyalty"]
        self.g_served, self.l_on_time, self.l_late = L["served"], L["backorder_on_time"], L["backorder_late"]
        self.l_away, self.l_cancel, self.p_churn = (
            L["turned_away"],
            L["cancelled"],
            L.get("churn_probability", 0.0),
        )
        self.grace = cust.get("late_grace_days", 0.0)
        self.new_rate = cust.get("new_customers", {}).get("rate_per_day", 0.0)
        w = cust.get("word_of_mouth", {})
        self.p_review, self.review_w, self.memory = (
            w.get("review_probability", 0.0),
            w.get("review_weight", 0.05),
            w.get("memory_days", 90.0),
        )
        # state -----------------------------------------------------------------------------------
        self.loyalty = [self.l0] * n
        self.active = [1] * n
        self.on_hand = doc["initial"]["on_hand"]
        self.on_order = 0
        self.bo_units = 0
        self.queue: deque[list] = deque()  # [customer, due, open]
        self.pipeline: list[list] = []  # open shipments [arrival, units]
        self.cash = round(doc["initial"]["cash"] * 100)
        self.hold_pending = 0.0  # holding cost accrued, not yet posted (currency units)
        self.last_t = 0.0
        self.reputation, self.rep_time = 0.0, 0.0
        self.m = dict(
            demand=0,
            served=0,
            fulfilled=0,
            lost=0,
            delayed=0,
            backordered=0,
            cancelled=0,
            late=0,
            churned=0,
            new_customers=0,
            reviews=0,
            orders=0,
        )
        env = self.env
        self.start_occasions()
        if self.new_rate > 0:
            env.process(self.new_customers())
        env.process(self.accrual())
        self.review()

    @staticmethod
    def _check(doc: dict[str, Any]) -> None:
        """The peer models the camera-lens feature set only: refuse anything else loudly."""
        ok = (
            doc["demand"]["model"] == "customers"
            and doc["customers"].get("behaviour", True)
            and doc["demand"].get("order_size", {"dist": "constant", "value": 1}) == {"dist": "constant", "value": 1}
            and "seasonality" not in doc["demand"]
            and doc["replenishment"]["policy"] == "s_S"
            and doc["supplier"]["lead_time"]["dist"] == "gamma"
            and doc["customers"]["patience"]["dist"] == "exponential"
            and doc["customers"]["response"]["delay_days"]["dist"] == "exponential"
            and doc["customers"]["backorder_acceptance"]["form"] == "exponential"
            and doc["shortage"]["rule"] in ("lost_sales", "backorder")
            and doc["shortage"].get("quote", {}).get("mode", "honest") == "honest"
            and doc["run"].get("warmup_days", 0) == 0
            and "finance" not in doc
            and not any(k in doc["supplier"] for k in ("reliability", "capacity", "disruptions", "prepay"))
        )
        if not ok:
            raise ValueError("the SimPy peer models only the camera-lens feature set")

    # bookkeeping ----------------------------------------------------------------------------------
    def accrue(self) -> None:
        """Holding cost on the stock held since the last change (call before on_hand changes)."""
        now = self.env.now
        self.hold_pending += self.hold * self.on_hand * (now - self.last_t)
        self.last_t = now

    def post_holding(self) -> None:
        cents = self.hold_pending * 100.0
        whole = math.floor(cents + 0.5)
        self.hold_pending = (cents - whole) / 100.0
        self.cash -= int(whole)

    def reputation_at(self, t: float) -> float:
        return self.reputation * math.exp(-(t - self.rep_time) / self.memory) if self.reputation else 0.0

    # how purchase occasions are generated (what ProcessPeer overrides) ------------------------------
    def start_occasions(self) -> None:
        """Start the purchase occasions of the initial population: here one superposed candidate stream."""
        self.demand_proc = self.env.process(self.candidates())

    def joined(self, i: int) -> None:
        """Customer i has just joined (word of mouth): the candidate rate grew, so redraw (interrupt)."""
        self.demand_proc.interrupt()

    def loyalty_changed(self, i: int) -> None:
        """Customer i's loyalty or active flag has just changed: nothing to do, thinning reads them."""

    # processes --------------------------------------------------------------------------------------
    def candidates(self):
        """Superposed purchase-occasion candidates at the bound rate, thinned by loyalty and churn."""
        env, rng, loyalty, active = self.env, self.rng, self.loyalty, self.active
        while True:
            try:
                yield env.timeout(rng.expovariate(self.cand_rate * len(loyalty)))
            except simpy.Interrupt:  # the population grew: redraw (memoryless)
                continue
            i = int(rng.random() * len(loyalty))
            if rng.random() < loyalty[i] * active[i]:
                self.occasion(i)

    def new_customers(self):
        env, rng = self.env, self.rng
        while True:
            yield env.timeout(rng.expovariate(self.new_rate))
            if rng.random() >= 2.0 / (1.0 + math.exp(-self.reputation_at(env.now))):
                continue
            self.loyalty.append(self.l0)
            self.active.append(1)
            self.m["new_customers"] += 1
            self.joined(len(self.loyalty) - 1)

    def accrual(self):
        """Post the accrued holding cost at k x 1 day (rounded cents, remainder carried)."""
        env, k = self.env, 1
        while k < self.horizon:
            yield env.timeout(k - env.now)
            self.accrue()
            self.post_holding()
            k += 1

    def at(self, delay: float, fn, *args) -> None:
        """A one-shot timer: fn(*args) after `delay` days (a SimPy Timeout with a callback)."""
        if self.env.now + delay < self.horizon:
            self.env.timeout(delay).callbacks.append(lambda _ev: fn(*args))

    # the store ----------------------------------------------------------------------------------------
    def occasion(self, i: int) -> None:
        m = self.m
        m["demand"] += 1
        if self.on_hand > 0 and not self.queue:
            self.accrue()
            self.on_hand -= 1
            self.cash += self.price
            m["served"] += 1
            lo = self.loyalty[i]
            self.loyalty[i] = lo + self.g_served * (1.0 - lo)
            self.loyalty_changed(i)
        else:
            self.stockout(i)
        self.review()

    def quoted_wait(self, needed: int) -> float:
        cum = 0
        for arrival, units in sorted(self.pipeline):
            cum += units
            if cum >= needed:
                return max(0.0, arrival - self.env.now)
        return self.lt_mean

    def stockout(self, i: int) -> None:
        rng, m, now = self.rng, self.m, self.env.now
        if self.backorders:
            quote = self.quoted_wait(self.bo_units + 1)
            if rng.random() < self.beta0 * math.exp(-self.acc_rate * quote):
                bo = [i, now + quote, True]
                self.queue.append(bo)
                self.bo_units += 1
                m["backordered"] += 1
                self.cash += self.deposit
                self.at(rng.expovariate(1.0 / self.patience_mean), self.cancel, bo)
                return
        u = rng.random()
        if self.p_elsewhere + self.p_subst <= u < self.p_elsewhere + self.p_subst + self.p_delay:
            m["delayed"] += 1
            self.at(rng.expovariate(1.0 / self.delay_mean), self.come_back, i)
        else:
            m["lost"] += 1
        self.bad_experience(i, self.l_away)

    def come_back(self, i: int) -> None:
        if self.active[i]:
            self.occasion(i)

    def bad_experience(self, i: int, penalty: float) -> None:
        rng = self.rng
        self.loyalty[i] *= 1.0 - penalty
        if rng.random() < self.p_review:
            self.m["reviews"] += 1
            now = self.env.now
            self.reputation = self.reputation_at(now) - self.review_w
            self.rep_time = now
        if self.active[i] and rng.random() < self.p_churn:
            self.active[i] = 0
            self.m["churned"] += 1
        self.loyalty_changed(i)

    def cancel(self, bo: list) -> None:
        if not bo[2]:
            return
        bo[2] = False
        self.bo_units -= 1
        self.m["cancelled"] += 1
        self.cash -= self.deposit
        self.bad_experience(bo[0], self.l_cancel)
        self.review()

    def review(self) -> None:
        ip = self.on_hand + self.on_order - self.bo_units
        if ip <= self.s:
            q = self.S - ip
            self.cash -= self.order_cost
            self.m["orders"] += 1
            lead = self.rng.gammavariate(self.lt_shape, self.lt_scale)
            po = [self.env.now + lead, q]
            self.pipeline.append(po)
            self.on_order += q
            self.at(lead, self.receive, po)

    def receive(self, po: list) -> None:
        self.pipeline.remove(po)
        units = po[1]
        self.accrue()
        self.on_hand += units
        self.on_order -= units
        self.at(self.terms, self.pay, units * self.unit_price)
        self.serve_backorders()
        self.review()

    def pay(self, amount: int) -> None:
        self.cash -= amount

    def serve_backorders(self) -> None:
        q, now = self.queue, self.env.now
        while q and self.on_hand > 0:
            bo = q.popleft()
            if not bo[2]:
                continue  # cancelled
            bo[2] = False
            self.on_hand -= 1
            self.bo_units -= 1
            self.m["fulfilled"] += 1
            self.cash += self.price - self.deposit
            i = bo[0]
            if now - bo[1] > self.grace + 1e-9:
                self.m["late"] += 1
                self.bad_experience(i, self.l_late)
            else:
                self.loyalty[i] *= 1.0 - self.l_on_time
                self.loyalty_changed(i)

    # run ------------------------------------------------------------------------------------------------
    def run(self) -> dict[str, float]:
        env = self.env
        env.run(until=self.horizon)
        self.accrue()
        self.post_holding()
        m = dict(self.m)
        # events handled by the calendar: scheduled minus still pending, minus the stop event itself
        m["events"] = next(env._eid) - len(env._queue) - 1
        m["fill_rate"] = m["served"] / m["demand"] if m["demand"] else float("nan")
        m["units_sold"] = m["served"] + m["fulfilled"]
        m["final_cash"] = self.cash / 100.0
        return m


class ProcessPeer(Peer):
    """The same model written the way the SimPy documentation teaches: a process per customer.

    Everything but the generation of purchase occasions is Peer's code. Each active customer is a
    process that sleeps an exponential time at its own current rate (cand_rate x loyalty), has a
    purchase occasion, and loops; it ends when the customer churns. Loyalty (or the active flag) can
    change while the customer sleeps (a delayed return served from stock, a backorder shipped or
    cancelled): the sleep is then interrupted and redrawn at the new rate, exact because exponential
    sleeps are memoryless. No candidates, no thinning, no processes for churned customers.
    """

    def start_occasions(self) -> None:
        # asleep[i]: customer i's process while it sleeps with no interrupt pending, else None (awake,
        # being interrupted, or ended). Only these can be interrupted, so at most one interrupt is in
        # flight per customer and none reaches an ended process or the process that is running.
        self.asleep: list[Any] = [None] * len(self.loyalty)
        for i in range(len(self.loyalty)):
            self.env.process(self.customer(i))

    def joined(self, i: int) -> None:
        self.asleep.append(None)
        self.env.process(self.customer(i))

    def loyalty_changed(self, i: int) -> None:
        proc = self.asleep[i]
        if proc is not None:
            self.asleep[i] = None
            proc.interrupt()

    def customer(self, i: int):
        """Customer i: purchase occasions at rate cand_rate x loyalty[i] until the customer churns."""
        env, rng, loyalty, active, asleep = self.env, self.rng, self.loyalty, self.active, self.asleep
        me = env.active_process
        rate = self.cand_rate
        while active[i]:
            lo = loyalty[i]
            asleep[i] = me
            try:
                # loyalty 0 means no occasions until it changes: wait on an event that never fires
                yield env.timeout(rng.expovariate(rate * lo)) if lo > 0 else env.event()
            except simpy.Interrupt:  # loyalty changed or the customer churned: redraw (memoryless) or end
                continue
            asleep[i] = None
            self.occasion(i)


PEERS = {"superposed": Peer, "per-customer": ProcessPeer}


def run_peer(
    doc: dict[str, Any], horizon: float, reps: int, seed: int = 2024, cls: type[Peer] = Peer
) -> list[dict[str, float]]:
    return [cls(doc, horizon, seed * 1_000_003 + r).run() for r in range(reps)]


# ---------------------------------------------------------------------------------------------------
# Comparison

METRICS = [("fill_rate", "fill rate"), ("units_sold", "units sold"), ("final_cash", "final cash")]
DIAGNOSTICS = [
    "demand",
    "served",
    "fulfilled",
    "lost",
    "delayed",
    "backordered",
    "cancelled",
    "churned",
    "new_customers",
    "orders",
]
STOCKLAB_NAMES = {
    "demand": "demand_units",
    "served": "served_from_stock_units",
    "fulfilled": "fulfilled_backorder_units",
    "lost": "lost_units",
    "delayed": "delayed_units",
    "backordered": "backordered_units",
    "cancelled": "cancelled_units",
    "churned": "churned_customers",
    "new_customers": "new_customers",
    "orders": "orders_placed",
    "fill_rate": "fill_rate",
    "final_cash": "final_cash",
    "events": "events",
}


def welch(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """(difference a - b, CI low, CI high, Welch t statistic)."""
    from scipy import stats

    na, nb = len(a), len(b)
    va, vb = a.var(ddof=1) / na, b.var(ddof=1) / nb
    d = float(a.mean() - b.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return d, d, d, 0.0 if d == 0 else math.inf
    df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    h = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return d, d - h, d + h, d / se


def stocklab_table(out: np.ndarray) -> dict[str, np.ndarray]:
    col = {k: out[:, C.metric_index(v)] for k, v in STOCKLAB_NAMES.items()}
    col["units_sold"] = col["served"] + col["fulfilled"]
    return col


def agreement(pol: str, label: str, a: np.ndarray, b: np.ndarray) -> list[Any]:
    """One table row: policy, label, both means, the difference and its Welch CI ('*' if it excludes 0)."""
    d, lo, hi, _t = welch(a, b)
    flag = "*" if lo > 0 or hi < 0 else ""
    return [pol, label, float(a.mean()), float(b.mean()), d, f"[{C._fmt(lo)}, {C._fmt(hi)}]{flag}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", default="1,10,100", help="horizons in years (default 1,10,100)")
    ap.add_argument("--reps", default="100,20,6", help="replications per horizon (default 100,20,6)")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats, the best kept (default 3)")
    ap.add_argument(
        "--peer",
        choices=(*PEERS, "both"),
        default="both",
        help="which SimPy peer(s) to run: superposed (one thinned candidate stream, the engine's former algorithm), "
        "per-customer (a process per customer) or both (default both)",
    )
    ap.add_argument(
        "--simpy-budget",
        type=float,
        default=10.0,
        help="repeat a SimPy pass only if it took less than this many seconds (default 10)",
    )
    ap.add_argument("--diagnostics", action="store_true", help="also compare the counts behind the metrics")
    ap.add_argument(
        "--scenario",
        default=str(C.SCENARIO.relative_to(C.ROOT)),
        help="scenario file with the camera-lens feature set, e.g. benchmarks/decaying_loyalty.json "
        "(default scenarios/camera_lens.json); runs the file's policies",
    )
    args = ap.parse_args()
    years = [float(x) for x in args.years.split(",")]
    reps = [int(x) for x in args.reps.split(",")]
    if len(reps) == 1:
        reps *= len(years)
    if len(reps) != len(years):
        raise SystemExit("--reps needs one value, or one per horizon")
    peers = list(PEERS) if args.peer == "both" else [args.peer]

    import stocklab as sl
    from stocklab import _core

    sc0 = sl.load_scenario(C.ROOT / args.scenario)  # an absolute path stays as it is
    policies = sc0.policies
    if not policies:
        raise SystemExit(f"{args.scenario}: no policies to compare")
    C.header(f"SimPy peer vs stocklab: the {sc0.name} model ({args.scenario})", args.repeats)
    print(
        f"SimPy {simpy.__version__}; peer(s): {', '.join(peers)} (superposed: one thinned candidate stream, "
        "the engine's former algorithm; per-customer: a process per customer, exact rates, no thinning)."
    )
    print(
        "stocklab: _core.run_replications(jobs=1). Timed passes are interleaved (stocklab, then each SimPy "
        f"peer, stocklab, ...), best of {args.repeats}; SimPy passes longer than {args.simpy_budget:g} s are "
        "not repeated (column 'SimPy passes')."
    )
    print("Statistical agreement: Welch 95% CI of (stocklab - SimPy); '*' marks a CI excluding 0. Six")
    print("comparisons per table at 95% each: a '*' somewhere in a table is expected up to one time in")
    print("four by chance alone; rerun with more replications (--reps) before calling it a model difference.")
    print()
    speed_rows = []
    for y, r in zip(years, reps, strict=True):
        horizon = 365.0 * y
        sc = sc0.with_overrides({**C.QUIET, "run.horizon_days": horizon})
        rows: dict[str, list] = {p: [] for p in peers}
        diag_rows: dict[str, list] = {p: [] for p in peers}
        for pol in policies:
            doc = sc.with_policy(pol).to_dict()
            parsed = sc.parsed(pol)
            # Interleaved repeats, best of each: all models see the same machine load. A SimPy peer repeats
            # only while its pass takes under --simpy-budget seconds (a 100-year pass is long).
            t_sl = float("inf")
            t_py = dict.fromkeys(peers, float("inf"))
            passes = dict.fromkeys(peers, 0)
            results: dict[str, list[dict[str, float]]] = {}
            out = None
            for k in range(args.repeats):
                t0 = time.perf_counter()
                out = _core.run_replications(parsed, 1, 0, r, 1)
                t_sl = min(t_sl, time.perf_counter() - t0)
                for p in peers:
                    if k == 0 or t_py[p] < args.simpy_budget:
                        t0 = time.perf_counter()
                        results[p] = run_peer(doc, horizon, r, cls=PEERS[p])
                        t_py[p] = min(t_py[p], time.perf_counter() - t0)
                        passes[p] = k + 1
            sl_cols = stocklab_table(out)
            ev_sl = float(sl_cols["events"].sum())
            for p in peers:
                res = results[p]
                py_cols = {k: np.array([m[k] for m in res], dtype=float) for k in res[0]}
                rows[p] += [agreement(pol, label, sl_cols[key], py_cols[key]) for key, label in METRICS]
                diag_rows[p] += [agreement(pol, key, sl_cols[key], py_cols[key]) for key in DIAGNOSTICS]
                ev_py = float(py_cols["events"].sum())
                speed_rows.append(
                    [
                        f"{y:g}",
                        pol,
                        p,
                        r,
                        C.si(ev_sl / t_sl, "ev/s"),
                        t_sl,
                        C.si(ev_py / t_py[p], "ev/s"),
                        t_py[p],
                        passes[p],
                        f"{t_py[p] / t_sl:,.0f}x",
                        f"{(ev_sl / t_sl) / (ev_py / t_py[p]):,.0f}x",
                    ]
                )
        for p in peers:
            C.table(
                ["policy", "metric", "stocklab", "SimPy", "difference", "95% CI (Welch)"],
                rows[p],
                title=f"-- {y:g} year(s), {r} replications per model and policy; SimPy peer: {p} --",
            )
            if args.diagnostics:
                C.table(
                    ["policy", "count", "stocklab", "SimPy", "difference", "95% CI (Welch)"],
                    diag_rows[p],
                    title=f"   diagnostics (means per replication; SimPy peer: {p})",
                )
        C.flush()
    C.table(
        [
            "years",
            "policy",
            "peer",
            "reps",
            "stocklab rate",
            "stocklab s",
            "SimPy rate",
            "SimPy s",
            "SimPy passes",
            "wall-time ratio",
            "events/s ratio",
        ],
        speed_rows,
        title="-- speed (single thread; wall time for the same replications and horizon) --",
    )
    print("wall-time ratio = SimPy seconds / stocklab seconds for the same work (the fair figure: the models")
    print("count events differently, e.g. SimPy's interrupts and the superposed peer's thinned candidates of")
    print("churned customers and of prospects who never joined; the")
    print("per-customer peer has no thinned candidates but a process start per customer, an interrupt per")
    print("loyalty change of a sleeping customer and the stale timeout each interrupt leaves behind).")


if __name__ == "__main__":
    main()
