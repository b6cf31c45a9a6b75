"""Validation against closed forms (DESIGN.md section 6; ../shared/reference/textbook_conventions.md).

Textbook mode: anonymous Poisson demand of unit orders (``"demand": {"model": "poisson"}``), no
behaviour: every customer waits forever under "backorder" and leaves under "lost_sales".

Every estimate is compared with its exact value within a band derived from the variance:
|mean - exact| <= t * sem, where sem is the standard error of the mean over independent
replications and t is the Student-t quantile for a two-sided false-failure probability of 1e-4 per
check (about 4.5 sem for 40 replications). Each test also asserts that the exact value of a
plausible *wrong* simulator (a neighbouring parameter, an off-by-one reorder rule, the other
shortage rule...) lies outside the same band, so the test has the power to catch that bug.
Seeds are fixed, so the outcome is deterministic; the band says how unlucky a correct simulator
would have to be to fail with another seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import stocklab as sl

ALPHA = 1e-4  # two-sided false-failure probability of one check for a correct simulator
JOBS = 2
SEED = 20240611


# ---------------------------------------------------------------------------------------------
# helpers


def band(n: int) -> float:
    """Half-width multiplier of the sem: Student-t quantile with n - 1 degrees of freedom."""
    return float(stats.t.ppf(1.0 - ALPHA / 2.0, n - 1))


def mean_sem(x: np.ndarray | pd.Series) -> tuple[float, float, int]:
    x = np.asarray(x, dtype=float)
    assert not np.isnan(x).any()
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x))), len(x)


def check(label: str, values: np.ndarray | pd.Series, exact: float,
          wrong: dict[str, float] | None = None) -> tuple[float, float]:
    """Assert the mean of per-replication ``values`` matches ``exact`` within t * sem, and that every
    value in ``wrong`` (what a plausible buggy simulator would converge to) is rejected by the band."""
    mean, sem, n = mean_sem(values)
    half = band(n) * sem
    assert abs(mean - exact) <= half, (
        f"{label}: estimate {mean:.6g} +- {half:.3g} (t={band(n):.2f} x sem {sem:.3g}, n={n}) "
        f"does not cover the exact {exact:.6g} (off by {abs(mean - exact) / sem:.1f} sem)")
    for why, w in (wrong or {}).items():
        assert abs(mean - w) > half, (
            f"{label}: the band {mean:.6g} +- {half:.3g} also covers {w:.6g} ({why}): the test is too weak")
    return mean, half


def run(sc: sl.Scenario, replications: int) -> pd.DataFrame:
    """Per-replication summaries (one row per replication), run in C++ threads."""
    exp = sl.compare(sc, replications=replications, seed=SEED, jobs=JOBS, progress=False)
    assert exp.policies == ["base"]
    return exp.replications


def poisson_on_hand(S: int, a: float) -> float:
    """E[(S - N)^+] for N ~ Poisson(a)."""
    k = np.arange(max(S, 0))
    return float(((S - k) * stats.poisson.pmf(k, a)).sum())


def poisson_backorders(S: int, a: float) -> float:
    """E[(N - S)^+] = E[(S - N)^+] - (S - a)."""
    return poisson_on_hand(S, a) - (S - a)


def palm(S: int, a: float) -> dict[str, float]:
    """Base stock S, full backorders, outstanding orders N ~ Poisson(a = lambda E[L]) (Palm).

    Net inventory = S - N. An arriving demand (PASTA) is served from stock iff N <= S - 1.
    """
    return {
        "fill_rate": float(stats.poisson.cdf(S - 1, a)),
        "avg_on_hand": poisson_on_hand(S, a),
        "avg_backorders": poisson_backorders(S, a),
    }


def erlang_b(S: int, a: float) -> float:
    """Erlang loss B(S, a) by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)), B(0) = 1."""
    b = 1.0
    for k in range(1, S + 1):
        b = a * b / (k + a * b)
    return b


def rq_exact(s: int, Q: int, a: float) -> dict[str, float]:
    """(r, Q) with r = s, full backorders, constant lead time, Poisson lead-time demand D ~ Poisson(a).

    Inventory position IP is uniform on {s+1, ..., s+Q} and independent of the lead-time demand
    that follows, and net inventory at t equals IP(t - L) - D(t - L, t]. So every quantity is the
    average over y in {s+1..s+Q} of the base-stock value with level y.
    """
    ys = range(s + 1, s + Q + 1)
    return {
        "fill_rate": float(np.mean([stats.poisson.cdf(y - 1, a) for y in ys])),
        "avg_on_hand": float(np.mean([poisson_on_hand(y, a) for y in ys])),
        "avg_backorders": float(np.mean([poisson_backorders(y, a) for y in ys])),
        "avg_inventory_position": s + (Q + 1) / 2.0,
    }


# ---------------------------------------------------------------------------------------------
# Base stock, full backorders: Palm's theorem

LEAD_TIMES = {
    "constant": {"dist": "constant", "value": 5.0},
    "exponential": {"dist": "exponential", "mean": 5.0},
    "gamma_cv2": {"dist": "gamma", "mean": 5.0, "cv": 2.0},
}


@pytest.mark.parametrize("lead", list(LEAD_TIMES), ids=list(LEAD_TIMES))
def test_palm_base_stock_backorders(textbook, lead):
    """Base stock S = 8, rate 1/day, E[L] = 5 days: outstanding orders ~ Poisson(5) for any i.i.d.
    lead time (orders may cross). Fill rate = P(N <= 7), E[on hand] = sum_{k<S} (S-k) p_k,
    E[backorders] = sum_{k>S} (k-S) p_k, E[on order] = 5, inventory position == S at all times."""
    lam, mean_lead, S = 1.0, 5.0, 8
    sc = textbook(
        run={"horizon_days": 50_000, "warmup_days": 200},
        initial={"on_hand": S},
        demand={"rate_per_day": lam},
        supplier={"lead_time": LEAD_TIMES[lead]},
        replenishment={"policy": "base_stock", "S": S},
        shortage={"rule": "backorder"},
    )
    df = run(sc, 40)
    a = lam * mean_lead
    exact, below, above = palm(S, a), palm(S - 1, a), palm(S + 1, a)
    for m in ("fill_rate", "avg_on_hand", "avg_backorders"):
        check(f"{lead}: {m}", df[m], exact[m], {"S - 1": below[m], "S + 1": above[m]})
    check(f"{lead}: avg_on_order", df["avg_on_order"], a)
    np.testing.assert_allclose(df["avg_inventory_position"], S, rtol=0, atol=1e-9)
    assert (df["lost_units"] == 0).all() and (df["cancelled_units"] == 0).all()


# ---------------------------------------------------------------------------------------------
# Base stock, lost sales: Erlang loss, insensitive to the lead-time distribution


@pytest.mark.parametrize("lead", list(LEAD_TIMES), ids=list(LEAD_TIMES))
def test_erlang_loss_base_stock_lost_sales(textbook, lead):
    """Base stock S = 7 with lost sales is an M/G/S/S loss system (a server = a unit on order; a lost
    demand orders nothing), so the fraction lost is Erlang's B(S, lambda E[L]) whatever the
    lead-time distribution; E[on order] = a (1 - B), E[on hand] = S - a (1 - B), on hand + on
    order == S. Warm-up 200 days (40 mean lead times; conventions ask for about 10)."""
    lam, mean_lead, S = 1.0, 5.0, 7
    sc = textbook(
        run={"horizon_days": 50_000, "warmup_days": 200},
        initial={"on_hand": S},
        demand={"rate_per_day": lam},
        supplier={"lead_time": LEAD_TIMES[lead]},
        replenishment={"policy": "base_stock", "S": S},
        shortage={"rule": "lost_sales"},
    )
    df = run(sc, 40)
    a = lam * mean_lead
    B = erlang_b(S, a)
    lost_fraction = df["lost_units"] / df["demand_units"]
    check(f"{lead}: fraction lost", lost_fraction, B, {
        "B(S - 1)": erlang_b(S - 1, a),
        "B(S + 1)": erlang_b(S + 1, a),
        # A simulator that kept ordering for lost demand (or backordered it) would lose P(N >= S)
        # of a Poisson(a) pipeline, the backorder stock-out probability.
        "Palm P(N >= S)": float(stats.poisson.sf(S - 1, a)),
    })
    np.testing.assert_allclose(df["fill_rate"], 1.0 - lost_fraction, rtol=0, atol=1e-12)
    check(f"{lead}: avg_on_order", df["avg_on_order"], a * (1 - B), {"no losses (a)": a})
    check(f"{lead}: avg_on_hand", df["avg_on_hand"], S - a * (1 - B), {"Palm on hand": poisson_on_hand(S, a)})
    np.testing.assert_allclose(df["avg_inventory_position"], S, rtol=0, atol=1e-9)
    assert (df["avg_backorders"] == 0).all() and (df["backordered_units"] == 0).all()


# ---------------------------------------------------------------------------------------------
# (R, Q) = s_Q with full backorders: inventory position uniform on {s+1, ..., s+Q}


def test_rq_uniform_inventory_position(textbook):
    """s_Q with s = 10, Q = 5, rate 2/day, constant lead time 4 days (lead-time demand Poisson(8)).

    Order when IP <= s (at or below). Checks: the time-average IP = s + (Q+1)/2; the daily-sampled
    IP never leaves {s+1..s+Q} and each value has frequency 1/Q; fill rate, average on hand and
    backorders = the average over the uniform IP of the base-stock values. The "strictly below s"
    rule would make IP uniform on {s..s+Q-1}: mean s + (Q-1)/2, and the metrics of s - 1."""
    lam, L, s, Q = 2.0, 4.0, 10, 5
    a = lam * L
    doc = dict(
        run={"horizon_days": 40_000, "warmup_days": 40},
        initial={"on_hand": s + Q},
        demand={"rate_per_day": lam},
        supplier={"lead_time": {"dist": "constant", "value": L}},
        replenishment={"policy": "s_Q", "s": s, "Q": Q},
        shortage={"rule": "backorder"},
    )
    df = run(textbook(**doc), 40)
    exact, strict = rq_exact(s, Q, a), rq_exact(s - 1, Q, a)
    for m in ("fill_rate", "avg_on_hand", "avg_backorders", "avg_inventory_position"):
        check(f"(R,Q): {m}", df[m], exact[m], {"order when IP < s": strict[m]})

    # The distribution of IP, from daily snapshots of separate replications (independent of each
    # other; within one run the snapshots are correlated, so the sem comes from across runs).
    ts_doc = {**doc, "run": {"horizon_days": 10_000, "warmup_days": 40, "snapshot_interval_days": 1}}
    sc = textbook(**ts_doc)
    freq = []
    for rep in range(20):
        ts = sl.simulate(sc, seed=SEED, replication=rep).timeseries
        ip = ts.loc[ts["time"] >= 40, "inventory_position"].to_numpy()
        assert ip.min() >= s + 1 and ip.max() <= s + Q, "IP left {s+1..s+Q}"
        freq.append([(ip == y).mean() for y in range(s + 1, s + Q + 1)])
    freq_arr = np.array(freq)
    for j, y in enumerate(range(s + 1, s + Q + 1)):
        # A wrong simulator whose IP were uniform on {s..s+Q-1} would give 0 at y = s + Q.
        wrong = {"IP uniform on {s..s+Q-1}": 0.0} if y == s + Q else {}
        check(f"(R,Q): P(IP = {y})", freq_arr[:, j], 1.0 / Q, wrong)


# ---------------------------------------------------------------------------------------------
# Periodic review (R, S) with full backorders


def test_periodic_review_order_up_to(textbook):
    """R_S with review period R = 7 days (offset 0), S = 25, rate 1/day, constant lead time
    L = 2R + 0.5 = 14.5 days.

    Exact derivation. Reviews at kR raise IP to S (IP <= S always, as on hand starts at S). With
    a constant lead time orders arrive in order; if the last order that has arrived by time t was
    placed at review time tau, then net inventory NI(t) = S - D(tau, t] (everything ordered up to
    tau is in, nothing after). Demand over a window of length w is Poisson(lambda w).

    * Period end. Snapshots fall at jR (interval R); the order placed at kR arrives at
      (k+2)R + 0.5, so no arrival coincides with a snapshot. By jR the orders placed up to (j-3)R
      have arrived (the last at (j-1)R + 0.5) and the one placed at (j-2)R arrives 0.5 day later:
      the snapshot is the textbook period end, just before an arrival (lead time 2 periods),
      w = 3R = 21 and NI_end = S - Poisson(21). The review at jR is handled before the snapshot
      at jR (same-time order: arrival, demand, review, snapshot) but changes only the on-order
      count, not net inventory.
    * Time averages. Between arrivals w runs from L to L + R, uniformly over a cycle, so
      E[f(NI)] = (1/R) int_L^{L+R} E[f(S - Poisson(lambda w))] dw; by PASTA the fill rate is the
      time-average of P(NI > 0). The time-average IP is S - lambda R / 2.
    """
    lam, R, L, S = 1.0, 7.0, 14.5, 25
    horizon, warmup = 7 * 4000, 70.0
    sc = textbook(
        run={"horizon_days": horizon, "warmup_days": warmup, "snapshot_interval_days": R},
        initial={"on_hand": S},
        demand={"rate_per_day": lam},
        supplier={"lead_time": {"dist": "constant", "value": L}},
        replenishment={"policy": "R_S", "S": S, "review_period_days": R},
        shortage={"rule": "backorder"},
    )

    def cycle_average(f, level: int) -> float:
        return integrate.quad(lambda w: f(level, lam * w), L, L + R, epsabs=1e-12, epsrel=1e-12)[0] / R

    def fill(level: int, m: float) -> float:
        return float(stats.poisson.cdf(level - 1, m))

    df = run(sc, 40)
    per_level = {"fill_rate": fill, "avg_on_hand": poisson_on_hand, "avg_backorders": poisson_backorders}
    for m, f in per_level.items():
        check(f"(R,S): {m}", df[m], cycle_average(f, S),
              {"S - 1": cycle_average(f, S - 1), "S + 1": cycle_average(f, S + 1)})
    check("(R,S): avg_inventory_position", df["avg_inventory_position"], S - lam * R / 2,
          {"IP averaged as S - lambda R": S - lam * R})

    # Period-end distribution, sampled at the snapshots.
    w = 3 * R
    rows = []
    for rep in range(20):
        ts = sl.simulate(sc, seed=SEED, replication=rep).timeseries
        ts = ts[(ts["time"] >= warmup) & (ts["time"] < horizon)]
        assert np.allclose(ts["time"] % R, 0.0)
        ni = (ts["on_hand"] - ts["backorders"]).to_numpy()
        rows.append([ni.mean(), (ni > 0).mean(), np.maximum(ni, 0).mean(), np.maximum(-ni, 0).mean()])
    end = np.array(rows)
    check("(R,S): E[NI at period end]", end[:, 0], S - lam * w, {
        "snapshot after the arrival (w = 2R)": S - lam * 2 * R,
        "w = L + R": S - lam * (L + R),
        "S - 1": S - 1 - lam * w,
    })
    check("(R,S): P(on hand > 0 at period end)", end[:, 1], fill(S, lam * w),
          {"S - 1": fill(S - 1, lam * w), "w = 2R": fill(S, lam * 2 * R)})
    check("(R,S): E[on hand at period end]", end[:, 2], poisson_on_hand(S, lam * w),
          {"S - 1": poisson_on_hand(S - 1, lam * w)})
    check("(R,S): E[backorders at period end]", end[:, 3], poisson_backorders(S, lam * w),
          {"S + 1": poisson_backorders(S + 1, lam * w)})
    # The same period ends, reported by the engine itself (no snapshots needed).
    check("(R,S): period_end_on_hand", df["period_end_on_hand"], poisson_on_hand(S, lam * w),
          {"S - 1": poisson_on_hand(S - 1, lam * w), "w = 2R": poisson_on_hand(S, lam * 2 * R)})
    check("(R,S): period_end_backorders", df["period_end_backorders"], poisson_backorders(S, lam * w),
          {"S + 1": poisson_backorders(S + 1, lam * w)})


def test_period_end_comes_before_the_arrival_at_the_same_instant(textbook):
    """(R,S) with L = 2R exactly: the order placed at (j-2)R arrives at jR, the instant of review j.
    The textbooks' period end is just before that arrival, so net inventory there is
    S - Poisson(lambda 3R); a figure taken after the arrival would see S - Poisson(lambda 2R)."""
    lam, R, S = 1.0, 7.0, 25
    sc = textbook(
        run={"horizon_days": 7 * 4000, "warmup_days": 70.0, "snapshot_interval_days": 0},
        initial={"on_hand": S},
        demand={"rate_per_day": lam},
        supplier={"lead_time": {"dist": "constant", "value": 2 * R}},
        replenishment={"policy": "R_S", "S": S, "review_period_days": R},
        shortage={"rule": "backorder"},
    )
    df = run(sc, 30)
    check("period_end_on_hand, L = 2R", df["period_end_on_hand"], poisson_on_hand(S, lam * 3 * R),
          {"after the arrival (w = 2R)": poisson_on_hand(S, lam * 2 * R)})
    check("period_end_backorders, L = 2R", df["period_end_backorders"], poisson_backorders(S, lam * 3 * R),
          {"after the arrival (w = 2R)": poisson_backorders(S, lam * 2 * R)})


# ---------------------------------------------------------------------------------------------
# Newsvendor


def test_newsvendor(textbook):
    """One selling period: Q units on hand at the start, no replenishment, lost sales, horizon one
    day, demand D ~ Poisson(4). Price p = 10, cost c = 5.2, salvage v = 1.

    stocklab's ``profit`` = revenue - COGS of units sold - holding - ordering - interest, with holding,
    ordering and interest all zero here, so profit = (p - c) * sales (asserted per replication).
    The newsvendor pays for all Q units and salvages the leftover Q - sales:
        profit_nv = p * sales + v * leftover - c * Q = profit - (c - v) * leftover.
    E[leftover] = sum_{k<Q} (Q-k) P(D=k), E[sales] = Q - E[leftover].
    Critical fractile beta = (p-c)/(p-v) = 0.533: Q* = min{Q : F(Q) >= beta} = 4 (F(3) = 0.433,
    F(4) = 0.629). Every Q in Q*-2..Q*+2 sees the same demand (same seed, same replication: common
    random numbers), so profit_nv(Q*) - profit_nv(Q) is a paired difference whose mean must be > 0
    beyond the band. The gaps to Q*-1 and Q*+1 are (p-v)(beta - F(3)) = 0.90 and
    (p-v)(F(4) - beta) = 0.86.
    """
    p, c, v, mu = 10.0, 5.2, 1.0, 4.0
    beta = (p - c) / (p - v)
    q_star = int(stats.poisson.ppf(beta, mu))
    assert q_star == 4 and stats.poisson.cdf(q_star - 1, mu) < beta <= stats.poisson.cdf(q_star, mu)

    def exact(Q: int) -> dict[str, float]:
        left = poisson_on_hand(Q, mu)
        return {"sales": Q - left, "leftover": left, "profit": p * (Q - left) + v * left - c * Q}

    sc = textbook(
        run={"horizon_days": 1.0, "warmup_days": 0},
        sku={"price": p, "unit_cost": c, "salvage_value": v},
        initial={"on_hand": q_star},
        demand={"rate_per_day": mu},
        supplier={"lead_time": {"dist": "constant", "value": 0.5}},
        replenishment={"policy": "none"},
        shortage={"rule": "lost_sales"},
    )
    qs = list(range(q_star - 2, q_star + 3))
    n = 4000
    exp = sl.sweep(sc, grid={"initial.on_hand": qs}, replications=n, seed=SEED, jobs=JOBS, progress=False,
                   chunk_size=n)  # one task per Q: thousands of tiny runs
    df = exp.replications.rename(columns={"initial.on_hand": "Q"})
    sales = df["served_from_stock_units"]
    np.testing.assert_allclose(df["profit"], (p - c) * sales, rtol=0, atol=1e-6)
    assert (df["orders_placed"] == 0).all()
    assert (sales + df["lost_units"] == df["demand_units"]).all()
    df = df.assign(sales=sales, leftover=df["Q"] - sales)
    df = df.assign(profit_nv=df["profit"] - (c - v) * df["leftover"])
    np.testing.assert_allclose(df["profit_nv"], p * df["sales"] + v * df["leftover"] - c * df["Q"], atol=1e-6)

    by_q = {Q: g.set_index("replication").sort_index() for Q, g in df.groupby("Q")}
    # Common random numbers: every Q saw the same demand in each replication.
    for Q in qs:
        assert (by_q[Q]["demand_units"] == by_q[q_star]["demand_units"]).all()
    for Q in qs:
        ex = exact(Q)
        # The unpaired bands (about 0.1 for sales, 0.76 for profit) are as wide as the gaps between
        # neighbouring Q at the upper end (sales differ by P(D >= Q), 0.11 at Q = 7), so which Q was
        # simulated is pinned down by the paired differences below, not by these level checks.
        for m, key in (("sales", "sales"), ("leftover", "leftover"), ("profit", "profit_nv")):
            check(f"newsvendor Q={Q}: {m}", by_q[Q][key], ex[m])

    # Q* maximises expected profit: exactly, and in the simulation with paired differences.
    assert max(qs, key=lambda Q: exact(Q)["profit"]) == q_star
    for Q in qs:
        if Q == q_star:
            continue
        diff = by_q[q_star]["profit_nv"] - by_q[Q]["profit_nv"]
        mean, half = check(f"newsvendor profit(Q*) - profit({Q})", diff,
                           exact(q_star)["profit"] - exact(Q)["profit"])
        assert mean - half > 0, f"profit(Q* = {q_star}) - profit({Q}) = {mean:.3f} +- {half:.3f} is not > 0"
