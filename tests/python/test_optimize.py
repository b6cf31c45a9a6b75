"""optimize(): textbook optima, the probability of correct selection, what common random numbers save,
determinism across jobs and executors, Ctrl-C, bad input, the result object and the CLI.

Textbook mode (conftest.textbook): Poisson demand of unit orders, behaviour off, so the optimum is
known in closed form. A check on one optimisation uses pcs = 1 - 1e-4 and an indifference zone
delta smaller than the gap between the exact optimum and every other configuration: a correct
optimiser returns the exact optimum except with probability 1e-4, and any other answer is wrong.
Estimates are compared with exact values within t x sem (Student-t, two-sided 1e-4), as in
test_validation.py.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_validation import band, palm, poisson_backorders, poisson_on_hand

import stocklab as sl
from stocklab import optimization
from stocklab.cli import main
from stocklab.selection import kn_eta, select_best

SEED = 20240611
STRICT = 1 - 1e-4  # pcs of single-run checks: a correct optimiser fails one with probability 1e-4

# Base stock with backorders: demand 1/day, constant lead time 5 days, so by Palm's theorem the
# units on order are N ~ Poisson(5). Cost per day h E[on hand] + b E[backorders] is minimal at the
# critical fractile S* = min{S : P(N <= S) >= b / (b + h)} = 8 for b / (b + h) = 0.92 (P(N <= 7) =
# 0.867, P(N <= 8) = 0.932); the nearest other costs are 0.15 (S = 9) and 0.66 (S = 7) higher.
A, H, B = 5.0, 1.0, 11.5
S_SPACE = range(2, 15)


def base_stock_cost(S: int) -> float:
    return H * poisson_on_hand(S, A) + B * poisson_backorders(S, A)


def cost(summary: pd.Series) -> float:
    """Holding and backorder cost per day: stocklab's profit has no backorder penalty of its own."""
    return H * summary["avg_on_hand"] + B * summary["avg_backorders"]


def base_stock(textbook, horizon: float = 300.0) -> sl.Scenario:
    return textbook(run={"horizon_days": horizon, "warmup_days": 30}, initial={"on_hand": 8},
                    replenishment={"policy": "base_stock", "S": 8}, shortage={"rule": "backorder"})


def critical_fractile() -> int:
    s_star = int(stats.poisson.ppf(B / (B + H), A))
    assert s_star == min(S_SPACE, key=base_stock_cost) == 8  # the closed form agrees with enumeration
    return s_star


def optimize_base_stock(sc: sl.Scenario, seed: int, pcs: float = 0.95, **kw) -> sl.OptimizationResult:
    kw = {"delta": 0.1, "replications": 40, "jobs": 2, "progress": False, **kw}
    return sl.optimize(sc, {"replenishment.S": S_SPACE}, (cost, "min"), pcs=pcs, seed=seed, **kw)


def check_estimate(label: str, values: np.ndarray, exact: float) -> None:
    mean, sem = float(np.mean(values)), float(np.std(values, ddof=1) / math.sqrt(len(values)))
    half = band(len(values)) * sem
    assert abs(mean - exact) <= half, f"{label}: {mean:.5g} +- {half:.3g} does not cover {exact:.5g}"


def fresh_objective(res: sl.OptimizationResult, policy: str = "base") -> np.ndarray:
    df = res.comparison.replications
    return df.loc[df["policy"] == policy, "objective"].to_numpy()


# ---------------------------------------------------------------------------------------------
# textbook optima


def test_base_stock_critical_fractile(textbook):
    s_star = critical_fractile()
    gaps = [base_stock_cost(S) - base_stock_cost(s_star) for S in S_SPACE if S != s_star]
    assert min(gaps) > 0.1  # delta = 0.1: every other S is outside the indifference zone
    res = optimize_base_stock(base_stock(textbook), SEED, pcs=STRICT)
    best = res.best["base"]
    assert best.config == {"replenishment.S": s_star}
    assert best.guaranteed and best.feasible and best.fresh and not res.interrupted
    # The estimate comes from fresh replications, disjoint from those the selection used.
    assert res.comparison.replications["replication"].min() >= 2**49
    check_estimate("cost at S*", fresh_objective(res), base_stock_cost(s_star))
    assert best.ci95[0] <= best.objective <= best.ci95[1]
    h = res.history
    assert sorted(h["replenishment.S"]) == list(S_SPACE) and (h["replications"] >= 10).all()
    assert list(h["status"]).count("selected") == 1 and set(h["status"]) == {"selected", "eliminated"}
    assert best.replications == h.loc[h["status"] == "selected", "replications"].item()
    # Replications are drawn in batches: a configuration may have run a few past its elimination.
    assert best.total_replications >= h["replications"].sum()
    # The fill rate there is Palm's P(N <= S* - 1), within the band.
    fill = res.comparison.replications["fill_rate"].to_numpy()
    check_estimate("fill rate at S*", fill, palm(s_star, A)["fill_rate"])


def rq_cost(r: int, Q: int, lam: float, a: float, K: float, h: float, b: float) -> float:
    """(r, Q) with Poisson demand and full backorders (Zipkin 2000, section 6.2; Hadley & Whitin):
    the inventory position is uniform on {r+1, ..., r+Q}, so the cost per day is
    (K lam + sum_{y=r+1}^{r+Q} G(y)) / Q with G(y) = h E[(y - D)+] + b E[(D - y)+], D ~ Poisson(a)."""
    g = [h * poisson_on_hand(y, a) + b * poisson_backorders(y, a) for y in range(r + 1, r + Q + 1)]
    return (K * lam + sum(g)) / Q


RQ = {"lam": 2.0, "a": 6.0, "K": 20.0, "h": 1.0, "b": 10.0}  # lead time 3 days: D ~ Poisson(2 x 3)
RQ_SPACE = {"replenishment.s": range(2, 10), "replenishment.Q": range(6, 17)}


def rq_problem(textbook, horizon: float) -> tuple[sl.Scenario, tuple]:
    sc = textbook(run={"horizon_days": horizon, "warmup_days": 50},
                  sku={"holding_cost_per_unit_day": RQ["h"]}, initial={"on_hand": 10},
                  demand={"rate_per_day": RQ["lam"]},
                  supplier={"lead_time": {"dist": "constant", "value": RQ["a"] / RQ["lam"]},
                            "order_cost": RQ["K"]},
                  replenishment={"policy": "s_Q", "s": 5, "Q": 10}, shortage={"rule": "backorder"})
    days = horizon - 50
    # A weighted sum of metrics: ordering and holding cost per day, and the backorder penalty.
    objective = ({"ordering_cost": 1 / days, "holding_cost": 1 / days, "avg_backorders": RQ["b"]}, "min")
    return sc, objective


def test_rq_exact_optimum(textbook):
    exact = {(r, Q): rq_cost(r, Q, **RQ) for r in RQ_SPACE["replenishment.s"] for Q in RQ_SPACE["replenishment.Q"]}
    c_star = min(exact.values())
    delta = 0.05
    near = [k for k, v in exact.items() if v <= c_star + delta]
    assert len(near) <= 4 < len(exact)  # a wrong pick has room to be wrong
    sc, objective = rq_problem(textbook, 1000.0)
    res = sl.optimize(sc, RQ_SPACE, objective, delta=delta, pcs=STRICT, seed=SEED, replications=40, jobs=2,
                      progress=False)
    best = res.best["base"]
    pick = (best.config["replenishment.s"], best.config["replenishment.Q"])
    assert pick in near, f"picked {pick} costing {exact[pick]:.4f}; optimum {c_star:.4f} (delta {delta})"
    check_estimate("(r, Q) cost at the pick", fresh_objective(res), exact[pick])


def test_newsvendor_critical_fractile(textbook):
    """One day of Poisson(4) demand, Q units on the shelf and no replenishment; price 10, cost 5.2,
    salvage 1: Q* = min{Q : F(Q) >= (p - c) / (p - v)} = 4, and Q = 3, 5 earn 0.90 and 0.86 less.
    The objective needs the decision itself (the newsvendor pays for all Q units): a callable sees
    the configuration's values beside the metrics."""
    p, c, v, mu = 10.0, 5.2, 1.0, 4.0
    q_star = int(stats.poisson.ppf((p - c) / (p - v), mu))

    def expected(Q: int) -> float:
        sales = Q - poisson_on_hand(Q, mu)
        return p * sales + v * (Q - sales) - c * Q

    assert q_star == max(range(11), key=expected) == 4
    assert min(expected(q_star) - expected(Q) for Q in range(11) if Q != q_star) > 0.8

    def newsvendor(s: pd.Series) -> float:
        sales, q = s["served_from_stock_units"], s["initial.on_hand"]
        return p * sales + v * (q - sales) - c * q

    sc = textbook(run={"horizon_days": 1.0}, sku={"price": p, "unit_cost": c, "salvage_value": v},
                  demand={"rate_per_day": mu}, supplier={"lead_time": {"dist": "constant", "value": 0.5}},
                  replenishment={"policy": "none"}, shortage={"rule": "lost_sales"})
    res = sl.optimize(sc, {"initial.on_hand": range(11)}, newsvendor, delta=0.8, pcs=STRICT, seed=SEED,
                      replications=2000, jobs=2, progress=False)
    assert res.best["base"].config == {"initial.on_hand": q_star}
    check_estimate("newsvendor profit at Q*", fresh_objective(res), expected(q_star))


def test_fill_rate_constraint_is_decided_by_the_textbook(textbook):
    """Least stock subject to fill rate >= 0.95: Palm's fill rate P(N <= S - 1) is 0.932 at S = 9
    and 0.968 at S = 10, each 0.018 from the bound (more than the tolerance 0.0095): S = 10."""
    fills = {S: palm(S, A)["fill_rate"] for S in S_SPACE}
    s_min = min(S for S in S_SPACE if fills[S] >= 0.95)
    assert s_min == 10 and all(abs(f - 0.95) > 0.0095 for f in fills.values())
    res = sl.optimize(base_stock(textbook, horizon=1000.0), {"replenishment.S": S_SPACE}, ("avg_on_hand", "min"),
                      constraints="fill_rate >= 0.95", delta=0.2, pcs=STRICT, seed=SEED, replications=40, jobs=2,
                      progress=False)
    best = res.best["base"]
    assert best.config == {"replenishment.S": s_min} and best.feasible is True
    h = res.history.set_index("replenishment.S")
    assert (h.loc[h.index < s_min, "feasible"] == False).all()  # noqa: E712
    assert (h.loc[h.index < s_min, "status"] == "infeasible").all()
    check_estimate("fill rate at the pick", res.comparison.replications["fill_rate"].to_numpy(), fills[s_min])


def test_infeasible_everywhere_says_so_with_the_closest_point(textbook):
    with pytest.warns(UserWarning, match=r"no configuration of policy 'base' was found feasible.*"
                                         r"replenishment.S=7"):
        res = sl.optimize(base_stock(textbook), {"replenishment.S": range(2, 8)}, ("avg_on_hand", "min"),
                          constraints=["fill_rate >= 0.99"], delta=0.2, seed=SEED, replications=10, jobs=2,
                          progress=False)
    best = res.best["base"]
    # Every configuration was declared infeasible with the stated confidence.
    assert best.feasible is False and not res.feasible and best.guaranteed
    assert best.config == {"replenishment.S": 7}  # the closest to a fill rate of 0.99
    assert set(res.history["status"]) == {"infeasible"}


# ---------------------------------------------------------------------------------------------
# the guarantee, over many runs


def test_kn_on_normal_data():
    """KN alone, on normal data with known means: the slippage configuration (best better by exactly
    delta, the hardest case), correlated as common random numbers make them. Its PCS must not be
    significantly below 1 - alpha; picking the best first-stage mean is, on the same data."""
    k, delta, alpha, runs = 8, 1.0, 0.05, 200
    mu = np.zeros(k)
    mu[3] = delta
    correct, naive = 0, 0
    for run in range(runs):
        rng = np.random.default_rng([SEED, run])

        def draw(systems, first, count, rng=rng):
            common = rng.standard_normal(count)
            own = rng.standard_normal((len(systems), count))
            return mu[list(systems), None] + 4.0 * (0.7 * common + 0.71 * own), np.zeros((len(systems), 0, count))

        sel = select_best(draw, k, delta, alpha, n0=10)
        correct += sel.selected == 3
        first = np.random.default_rng([SEED, run])  # the same first stage KN saw
        naive += int(np.argmax(draw(range(k), 0, 10, rng=first)[0].mean(axis=1))) == 3
    print(f"\nslippage configuration, normal data: KN {correct}/{runs} correct, best first-stage mean {naive}/{runs}")
    assert stats.binom.cdf(correct, runs, 1 - alpha) > 1e-4, f"KN: {correct}/{runs} correct"
    assert stats.binom.cdf(naive, runs, 1 - alpha) < 1e-4, f"naive: {naive}/{runs}: the check has no power"
    assert 0.5 * ((2 * alpha / (k - 1)) ** (-2 / 9) - 1) == pytest.approx(kn_eta(alpha / (k - 1), 10))


@pytest.mark.slow
def test_probability_of_correct_selection_over_seeds(textbook):
    """100 optimisations of the base-stock cost with different seeds, pcs = 0.95, delta = 0.1 (only
    S* is within it): the number of correct picks must not be significantly below 95 (binomial,
    1e-4). The same check on the pick of the best mean after the first stage (n0 = 10 replications
    each) fails: the check has the power to catch an optimiser without the guarantee."""
    s_star, runs, pcs = critical_fractile(), 100, 0.95
    sc = base_stock(textbook, horizon=100.0)  # 70 days measured: noisy enough to fool the naive pick
    correct = naive = 0
    for run in range(runs):
        res = optimize_base_stock(sc, SEED + run, pcs=pcs, replications=2, jobs=1)
        correct += res.best["base"].config["replenishment.S"] == s_star
        first = sl.sweep(sc, {"replenishment.S": S_SPACE}, replications=10, seed=SEED + run, jobs=1, progress=False)
        means = first.replications.assign(c=[cost(r) for _, r in first.replications.iterrows()])
        naive += means.groupby("replenishment.S")["c"].mean().idxmin() == s_star
    print(f"\nP(correct selection): KN {correct}/{runs}, best first-stage mean {naive}/{runs}")
    assert stats.binom.cdf(correct, runs, pcs) > 1e-4
    assert stats.binom.cdf(naive, runs, pcs) < 1e-4


def test_common_random_numbers_cut_the_replications(textbook, record_property):
    """KN on the (r, Q) cost with common random numbers against independent random numbers per
    configuration: CRN must need clearly fewer replications (the ratio is printed and recorded)."""
    sc, objective = rq_problem(textbook, 500.0)
    kw = {"delta": 0.1, "seed": SEED, "replications": 2, "jobs": 2, "progress": False}
    with_crn = sl.optimize(sc, RQ_SPACE, objective, crn=True, **kw)
    without = sl.optimize(sc, RQ_SPACE, objective, crn=False, **kw)
    first_stage = 10 * len(with_crn.history)
    n_crn = with_crn.history["replications"].sum()
    n_ind = without.history["replications"].sum()
    ratio, sequential = n_ind / n_crn, (n_ind - first_stage) / (n_crn - first_stage)
    print(f"\nKN replications: {n_crn} with CRN, {n_ind} without: ratio {ratio:.2f} "
          f"({sequential:.2f} after the common first stage of {first_stage})")
    record_property("crn_replication_ratio", round(ratio, 3))
    assert ratio > 1.5 and sequential > 2


# ---------------------------------------------------------------------------------------------
# large spaces: optuna


def test_optuna_search_then_selection_on_fresh_replications(textbook):
    """400 base-stock levels: too many to simulate each, so TPE proposes 40 (10 replications each,
    the same for all), and KN picks among the best 5 on fresh replications."""
    s_star = critical_fractile()
    res = sl.optimize(base_stock(textbook, horizon=1000.0), {"replenishment.S": range(0, 400)}, (cost, "min"),
                      delta=0.1, pcs=STRICT, seed=SEED, budget_replications=400, replications=20, jobs=2,
                      progress=False)
    assert res.meta["method"] == "optuna"
    h = res.history
    search, selection = h[h["phase"] == "search"], h[h["phase"] == "selection"]
    assert search["replications"].sum() <= 400 and (search["replications"] == 10).all()
    assert len(selection) == 5 and set(selection["replenishment.S"]) <= set(search["replenishment.S"])
    # A configuration keeps its trial number from the search into the selection.
    merged = selection.merge(search, on="trial", suffixes=("", "_search"))
    assert len(merged) == 5 and (merged["replenishment.S"] == merged["replenishment.S_search"]).all()
    shortlisted_costs = {S: base_stock_cost(S) for S in selection["replenishment.S"]}
    pick = res.best["base"].config["replenishment.S"]
    assert base_stock_cost(pick) <= min(shortlisted_costs.values()) + 0.1  # KN's guarantee on the shortlist
    # And the search came near the optimum (S* or its neighbour 9; how near depends on optuna's TPE).
    assert base_stock_cost(pick) <= base_stock_cost(s_star) + 0.2
    assert res.meta["guarantee"].startswith("P(correct selection) >= 0.9999") and "among the 5" in res.meta["guarantee"]


def test_optuna_continuous_space_and_time_budget(textbook):
    res = sl.optimize(base_stock(textbook), {"supplier.lead_time.value": sl.Continuous(1.0, 8.0)}, (cost, "min"),
                      delta=0.5, seed=SEED, budget_seconds=0.5, search_replications=4, replications=4, jobs=2,
                      progress=False)
    values = res.history.loc[res.history["phase"] == "search", "supplier.lead_time.value"]
    assert len(values) >= 2 and values.between(1.0, 8.0).all() and values.nunique() == len(values)
    # Shorter lead times cost less here: the pick is in the lower part of the range.
    assert res.best["base"].config["supplier.lead_time.value"] < 4.5


def test_optuna_missing_gives_a_clear_message(textbook, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_optuna(name, *args, **kwargs):
        if name == "optuna":
            raise ImportError("No module named 'optuna'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_optuna)
    with pytest.raises(ImportError, match=r"pip install 'stocklab\[optimize\]'"):
        sl.optimize(base_stock(textbook), {"replenishment.S": range(400)}, (cost, "min"), delta=0.1)


# ---------------------------------------------------------------------------------------------
# determinism, executors, Ctrl-C


def _same(a: sl.OptimizationResult, b: sl.OptimizationResult) -> None:
    pd.testing.assert_frame_equal(a.history, b.history)
    pd.testing.assert_frame_equal(a.comparison.replications, b.comparison.replications)
    assert {p: o.config for p, o in a.best.items()} == {p: o.config for p, o in b.best.items()}


@pytest.fixture(scope="module")
def lens_short():
    """The camera lens over 90 days: quick, with customers, loyalty and two policies."""
    return sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 90})


LENS_SPACE = {"replenishment.s": [60, 100, 140], "replenishment.S": [160, 220]}


def test_same_result_on_every_jobs_and_executor(lens_short):
    kw = {"delta": 300.0, "seed": 3, "replications": 6, "progress": False}
    base = sl.optimize(lens_short, LENS_SPACE, "profit", jobs=1, **kw)
    _same(base, sl.optimize(lens_short, LENS_SPACE, "profit", jobs=2, **kw))
    with ThreadPoolExecutor(2) as pool:
        _same(base, sl.optimize(lens_short, LENS_SPACE, "profit", executor=pool, **kw))
    with ProcessPoolExecutor(2) as pool:
        _same(base, sl.optimize(lens_short, LENS_SPACE, "profit", executor=pool, **kw))
    assert list(base.best) == ["out_of_stock", "backorder"]


def test_optuna_is_deterministic_on_an_executor(textbook):
    kw = {"delta": 0.1, "seed": 5, "budget_replications": 60, "replications": 4, "progress": False}
    sc = base_stock(textbook)
    a = sl.optimize(sc, {"replenishment.S": range(300)}, (cost, "min"), jobs=1, **kw)
    with ThreadPoolExecutor(2) as pool:
        b = sl.optimize(sc, {"replenishment.S": range(300)}, (cost, "min"), executor=pool, **kw)
    _same(a, b)


def test_dask_executor(lens_short):
    distributed = pytest.importorskip("distributed")
    kw = {"delta": 300.0, "seed": 3, "replications": 4, "progress": False}
    base = sl.optimize(lens_short, LENS_SPACE, "profit", policies=["backorder"], jobs=1, **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        _same(base, sl.optimize(lens_short, LENS_SPACE, "profit", policies=["backorder"],
                                executor=client.get_executor(), **kw))


def _interrupt_after(monkeypatch, calls: int) -> None:
    """Ctrl-C in the engine after ``calls`` calls of the runner."""
    real = optimization._run_ranges
    count = {"n": 0}

    def run(*args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(optimization, "_run_ranges", run)


def test_ctrl_c_during_selection_returns_the_best_so_far(textbook, monkeypatch):
    _interrupt_after(monkeypatch, 2)
    res = optimize_base_stock(base_stock(textbook), SEED)
    assert res.interrupted and res.comparison is None
    best = res.best["base"]
    assert not best.guaranteed and not best.fresh and best.replications >= 10
    assert best.config["replenishment.S"] in S_SPACE and math.isfinite(best.objective)
    assert "interrupted" in repr(res)


def test_ctrl_c_during_the_search(textbook, monkeypatch):
    _interrupt_after(monkeypatch, 5)
    res = sl.optimize(base_stock(textbook), {"replenishment.S": range(300)}, (cost, "min"), delta=0.1, seed=SEED,
                      budget_replications=500, replications=4, progress=False)
    assert res.interrupted and set(res.history["phase"]) == {"search"} and len(res.history) == 5
    assert res.best["base"].config["replenishment.S"] in set(res.history["replenishment.S"])


def test_ctrl_c_before_anything_ran(textbook, monkeypatch):
    _interrupt_after(monkeypatch, 0)
    res = optimize_base_stock(base_stock(textbook), SEED)
    assert res.interrupted and res.best == {} and res.comparison is None
    assert "No configuration was evaluated" in res._repr_html_()


# ---------------------------------------------------------------------------------------------
# the space, the policies, the result


def test_invalid_combinations_are_skipped_and_listed(lens_short):
    res = sl.optimize(lens_short, {"replenishment.s": [100, 200], "replenishment.S": [150, 180]}, "profit",
                      policies=["backorder"], delta=300.0, seed=1, replications=4, jobs=2, progress=False)
    bad = res.history[res.history["status"] == "invalid"]
    assert len(bad) == 2 and (bad["replications"] == 0).all()
    assert bad["error"].str.contains("must be below S").all()
    assert res.best["backorder"].configurations == 2


def test_each_policy_at_its_own_best(lens_short):
    """The space applies on top of each policy variant; the comparison at the optima is paired."""
    res = sl.optimize(lens_short, LENS_SPACE, "profit", delta=300.0, seed=2, replications=20, jobs=2,
                      progress=False)
    cmp = res.comparison
    assert cmp.meta["optima"] == {p: b.config for p, b in res.best.items()}
    for policy, b in res.best.items():
        doc = sl.load_scenario("camera_lens").with_policy(policy).with_overrides(
            {"run.horizon_days": 90, **b.config})
        one = sl.simulate(doc, seed=2, replication=2**49 + 3).summary
        row = cmp.replications[(cmp.replications["policy"] == policy) & (cmp.replications["replication"] == 2**49 + 3)]
        assert row["profit"].item() == one["profit"] and row["objective"].item() == one["profit"]
    d = res.differences()
    assert list(d["metric"]) == ["objective"] and d["n"].item() == 20
    paired = res.differences(metrics=["profit", "fill_rate"])
    assert paired.loc[paired["metric"] == "profit", "difference"].item() == pytest.approx(d["difference"].item())


def test_result_views(lens_short, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    res = sl.optimize(lens_short, LENS_SPACE, "profit", delta=300.0, seed=2, replications=5, jobs=2,
                      constraints="fill_rate >= 0.5", progress=False)
    s = res.summary()
    assert list(s["policy"]) == ["out_of_stock", "backorder"] and {"replenishment.s", "fill_rate"} <= set(s)
    doc = res.to_dict()
    json.dumps(doc)  # JSON-ready
    assert doc["best"]["backorder"]["config"] == res.best["backorder"].config and doc["constraints"]
    html = res._repr_html_()
    assert "Kim &amp; Nelson 2001" in html and "fill_rate &gt;= 0.5" in html and "Paired differences" in html
    ax = res.plot()
    assert ax.get_xlabel() == "replenishment.s" and len(ax.get_legend().get_texts()) == 2
    assert repr(res).startswith("OptimizationResult('camera_lens', profit max:")


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(("space", "message"), [
    ({"replenishment.ss": [1, 2]}, r"space\['replenishment.ss'\].*unknown key"),
    ({"nothing.here": [1]}, r"space\['nothing.here'\].*/nothing: unknown key"),
    ({"replenishment.s": range(5, 5)}, r"space\['replenishment.s'\] is empty"),
    ({"replenishment.s": []}, r"space\['replenishment.s'\] is empty"),
    ({"replenishment.s": 40}, r"space\['replenishment.s'\] must be a range, a list of values"),
    ({"replenishment.s": [40, 40]}, r"repeats a value"),
    ({}, r"space must be a non-empty dict"),
    ({"replenishment.s": [300, 400]}, r"space: none of the 2 configurations is a valid scenario.*must be below S"),
])
def test_bad_space(lens_short, space, message):
    with pytest.raises(ValueError, match=message):
        sl.optimize(lens_short, space, "profit", delta=100.0, progress=False)


@pytest.mark.parametrize(("objective", "error", "message"), [
    ("proft", ValueError, r"objective: 'proft' is not a metric.*did you mean profit"),
    (("profit", "largest"), ValueError, r'objective as a pair must be \(objective, "max"\)'),
    ({"profit": 1, "nope": 2}, ValueError, r"objective weights: 'nope' is not a metric"),
    ({"profit": "one"}, ValueError, r"the weight of 'profit' must be a finite number"),
    ({}, ValueError, r"a weighted sum needs at least one metric"),
    (42, TypeError, r"objective must be a metric name, a dict of metric weights or a function"),
    (lambda s: "high", TypeError, r"objective <lambda>\(summary\) must return a real number, got str"),
    (lambda s: float("nan"), ValueError, r"is NaN \(undefined\) in replication 0 of configuration"),
    ("mean_backorder_wait_days", ValueError, r"mean_backorder_wait_days is NaN .* policy 'out_of_stock'"),
])
def test_bad_objective(lens_short, objective, error, message):
    with pytest.raises(error, match=message):
        sl.optimize(lens_short, {"replenishment.s": [80, 100]}, objective, delta=100.0, replications=2, jobs=2,
                    progress=False)


@pytest.mark.parametrize(("constraints", "message"), [
    ("fill_rate > 0.95", r"the comparison must be >= or <="),
    ("fill_rate == 0.95", r"the comparison must be >= or <="),
    ("fill_rate >= high", r"the bound 'high' is not a number"),
    ("fill rate >= 0.9", r"is not of the form 'metric >= number'"),
    ("fillrate >= 0.9", r"constraint 'fillrate >= 0.9': 'fillrate' is not a metric.*did you mean fill_rate"),
    ("fill_rate >= 1.5", r"constraint 'fill_rate >= 1.5' can never hold: fill_rate is in \[0, 1\]"),
    ("days_cash_negative <= -1", r"can never hold: days_cash_negative is never negative"),
    ("fill_rate >= 0.9 +- 0", r"the tolerance must be a number > 0"),
    ([3], r"each must be a text such as 'fill_rate >= 0.95' or a Constraint"),
])
def test_bad_constraints(lens_short, constraints, message):
    with pytest.raises((ValueError, TypeError), match=message):
        sl.optimize(lens_short, {"replenishment.s": [80, 100]}, "profit", constraints=constraints, delta=100.0)


def test_constraint_texts():
    c = sl.Constraint.parse("days_cash_negative<=0")
    assert (c.metric, c.op, c.bound, c.epsilon) == ("days_cash_negative", "<=", 0.0, 0.01)
    c = sl.Constraint.parse("fill_rate => 0.95 +- 0.005")
    assert (c.op, c.bound, c.epsilon, c.text) == (">=", 0.95, 0.005, "fill_rate >= 0.95 +- 0.005")
    assert sl.Constraint("profit", ">=", 1000).epsilon == 10.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"delta": 0}, r"delta must be a number > 0 \(the indifference zone"),
    ({"delta": -5}, r"delta must be a number > 0"),
    ({"delta": 10, "pcs": 1.0}, r"pcs \(the probability of correct selection\) must be in \[0.5, 1\)"),
    ({"delta": 10, "n0": 1}, r"n0 must be an int >= 2"),
    ({"delta": 10, "method": "grid"}, r'method must be "auto", "exhaustive" or "optuna"'),
    ({"delta": 10, "max_replications": 5}, r"max_replications must be an int >= 10"),
    ({"delta": 10, "budget_seconds": 0}, r"budget_seconds must be a number > 0"),
    ({"delta": 10, "policies": ["nope"]}, r"nope"),
])
def test_bad_settings(lens_short, kwargs, message):
    with pytest.raises((ValueError, KeyError), match=message):
        sl.optimize(lens_short, {"replenishment.s": [80, 100]}, "profit", progress=False, **kwargs)


def test_delta_is_required_and_exhaustive_needs_a_discrete_space(lens_short):
    with pytest.raises(TypeError, match="delta"):
        sl.optimize(lens_short, {"replenishment.s": [80, 100]}, "profit")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match=r"method=\"exhaustive\" needs a discrete space.*supplier.order_cost"):
        sl.optimize(lens_short, {"supplier.order_cost": sl.Continuous(10, 50)}, "profit", delta=10,
                    method="exhaustive")
    with pytest.raises(ValueError, match=r"Continuous\(low, high\) needs low < high"):
        sl.Continuous(5, 1)


# ---------------------------------------------------------------------------------------------
# the command line


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """``stocklab ARGS`` in this process: (exit code, stdout, stderr)."""
    try:
        code = main(list(args))
    except SystemExit as e:  # argparse rejected the arguments
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_optimize(tmp_path, lens_short, capsys):
    path = tmp_path / "lens90.json"
    path.write_text(lens_short.to_json())
    code, out, err = cli(capsys, "optimize", str(path), "--space", "replenishment.s=60:140:40", "--space",
                         "replenishment.S=160,220", "--delta", "300", "-n", "6", "--seed", "3", "--jobs", "1", "--json",
                         "--no-progress")
    assert code == 0, err
    doc = json.loads(out)
    res = sl.optimize(lens_short, LENS_SPACE, "profit", delta=300.0, seed=3, replications=6, jobs=2, progress=False)
    assert doc["best"] == json.loads(json.dumps(res.to_dict()["best"]))  # the CLI agrees with Python
    history = tmp_path / "history.csv"
    code, out, err = cli(capsys, "optimize", str(path), "--space", "replenishment.s=60,100", "--objective",
                         "holding_cost+ordering_cost:min", "--constraint", "fill_rate>=0.5", "--policies", "backorder",
                         "--delta", "100", "-n", "4", "--out", str(history), "--no-progress")
    assert code == 0, err
    assert "minimise holding_cost + ordering_cost subject to fill_rate >= 0.5" in out
    assert len(pd.read_csv(history)) == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--space", "replenishment.s=1:2", "--delta", "5"], "--space needs KEY=LO:HI:STEP"),
    (["--space", "replenishment.s=1:9:2", "--delta", "5", "--objective", "profit*2"], "--objective needs METRIC"),
    (["--space", "replenishment.s=1:9:2"], "--delta"),
    (["--space", "replenishment.ss=1:9:2", "--delta", "5"], "space['replenishment.ss']"),
    (["--space", "replenishment.s=80,90", "--delta", "5", "--constraint", "fill_rate>2"], "must be >= or <="),
])
def test_cli_optimize_errors(args, message, capsys):
    code, _, err = cli(capsys, "optimize", "camera_lens", "--no-progress", *args)
    assert code == 2 and message in err, err
