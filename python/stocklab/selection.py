"""Ranking and selection: pick the best of a finite set of simulated systems with a stated probability
of correct selection, and decide which of them satisfy constraints on other means.

The procedure is KN, the fully sequential indifference-zone procedure of

    Kim, S.-H. and Nelson, B. L. (2001). A fully sequential procedure for indifference-zone
    selection in simulation. ACM Transactions on Modeling and Computer Simulation 11(3), 251-273.

implemented from the published algorithm. KN compares systems pair by pair through the variance of
their *differences*, so it is valid under common random numbers and profits from them: the more
positively correlated two systems are, the sooner the worse one is eliminated.

Stochastic constraints (a mean that must stay above or below a bound) are decided by the same kind
of triangular continuation region, a sequential test of each system's mean against the bound with a
tolerance epsilon, as in Batur, D. and Kim, S.-H. (2010), Finding feasible systems in the presence
of constraints on multiple performance measures, ACM TOMACS 20(3), article 13; feasibility checks
and comparisons run together as in Andradottir, S. and Kim, S.-H. (2010), Fully sequential
procedures for comparing constrained systems via simulation, Naval Research Logistics 57(5),
403-421: only a system declared feasible may eliminate others.

This module knows nothing of stocklab: it draws observations through a callback, so it is tested on
normal data with known means as well as on simulations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["kn_eta", "select_best", "Selection"]

# draw(systems, first, count) -> (objective values, constraint values): observations first..first+count-1
# of each listed system, shaped (len(systems), count) and (len(systems), n_constraints, count).
Draw = Callable[[Sequence[int], int, int], "tuple[np.ndarray, np.ndarray]"]


def kn_eta(beta: float, n0: int) -> float:
    """KN's eta for a per-comparison error ``beta`` and first-stage size ``n0``.

    eta = ((2 beta)^(-2 / (n0 - 1)) - 1) / 2; KN uses beta = alpha / (k - 1) and the continuation
    constant h^2 = 2 eta (n0 - 1) (Kim & Nelson 2001, section 3, with c = 1).
    """
    if not 0 < beta < 0.5:
        raise ValueError(f"the per-comparison error must be in (0, 0.5), got {beta}")
    if n0 < 2:
        raise ValueError(f"the first stage needs n0 >= 2 observations, got {n0}")
    return 0.5 * ((2.0 * beta) ** (-2.0 / (n0 - 1)) - 1.0)


@dataclass
class Selection:
    """Outcome of :func:`select_best`.

    ``selected``: index of the chosen system, or None when every system was declared infeasible.
    Per system: ``status`` ("selected", "eliminated", "infeasible", or "contending" when the
    procedure stopped early), ``replications`` (observations the procedure used), ``feasible``
    (True, False, or None while undecided). ``guaranteed`` is False when the procedure stopped at the
    replication cap or was interrupted before it could end on its own: the pick is then the best
    mean so far, without the stated probability.
    """

    selected: int | None
    status: list[str]
    replications: np.ndarray
    feasible: list[bool | None]
    means: np.ndarray = field(repr=False)
    sems: np.ndarray = field(repr=False)
    constraint_means: np.ndarray = field(repr=False)
    simulated: int = 0
    guaranteed: bool = True
    interrupted: bool = False


class _Store:
    """Cumulative sums of the observations of k systems, grown in batches."""

    def __init__(self, k: int, n_constraints: int) -> None:
        self.x: list[list[np.ndarray]] = [[] for _ in range(k)]
        self.g: list[list[np.ndarray]] = [[] for _ in range(k)]
        self.n = np.zeros(k, dtype=np.int64)
        self.cx = [np.zeros(1) for _ in range(k)]  # cx[i][r] = sum of the first r observations
        self.cg = [np.zeros((n_constraints, 1)) for _ in range(k)]

    def add(self, systems: Sequence[int], x: np.ndarray, g: np.ndarray) -> None:
        for j, i in enumerate(systems):
            self.cx[i] = np.concatenate([self.cx[i], self.cx[i][-1] + np.cumsum(x[j])])
            self.cg[i] = np.concatenate([self.cg[i], self.cg[i][:, -1:] + np.cumsum(g[j], axis=1)], axis=1)
            self.x[i].append(x[j])
            self.g[i].append(g[j])
            self.n[i] += x.shape[1]

    def first(self, i: int, r: int) -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate(self.x[i])[:r], np.concatenate(self.g[i], axis=1)[:, :r]


def select_best(
    draw: Draw,
    k: int,
    delta: float,
    alpha: float,
    *,
    n0: int = 10,
    tolerances: Sequence[float] = (),
    max_replications: int = 100_000,
    growth: float = 0.25,
) -> Selection:
    """Select the system with the largest mean, with probability >= 1 - alpha when the best mean
    exceeds every other by at least ``delta`` (the indifference zone), by KN (Kim & Nelson 2001).

    Constraints: ``draw`` also returns, per system, one series per constraint oriented so that the
    system is feasible when that series' mean is <= 0; ``tolerances[c]`` (> 0) is the half-width of
    the band of means within which either decision is acceptable. With constraints, alpha is split
    evenly between the feasibility decisions (Bonferroni over the best system's constraints and one
    violated constraint of each other system) and the comparisons.

    The procedure is exact replication by replication (screening after every observation, as
    published); observations are drawn in batches of about ``growth`` times the current count so
    that the simulator runs efficiently, and a system's observations past its elimination are not
    used. ``max_replications`` caps the observations per system: reaching it ends the procedure
    with the best current mean and ``guaranteed=False``. Ctrl-C (KeyboardInterrupt in ``draw``) ends
    it the same way, with ``interrupted=True``.
    """
    if k < 1:
        raise ValueError("ranking and selection needs at least one system")
    if not delta > 0:
        raise ValueError(f"delta must be > 0, got {delta}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if max_replications < n0:
        raise ValueError(f"max_replications ({max_replications}) must be >= n0 ({n0})")
    tol = np.asarray(tolerances, dtype=float)
    if (tol <= 0).any():
        raise ValueError(f"constraint tolerances must be > 0, got {list(tolerances)}")
    m = len(tol)
    alpha_cmp = alpha / 2 if m else alpha
    h2 = 2.0 * kn_eta(alpha_cmp / max(k - 1, 1), n0) * (n0 - 1)
    h2f = 2.0 * kn_eta((alpha / 2) / (m + k - 1), n0) * (n0 - 1) if m else 0.0

    store = _Store(k, m)
    active = np.ones(k, dtype=bool)
    feasible = np.full((k, m), -1, dtype=np.int8)  # -1 undecided, 0 infeasible, 1 feasible
    status = ["contending"] * k
    used = np.zeros(k, dtype=np.int64)
    guaranteed, interrupted = True, False

    try:
        x, g = draw(list(range(k)), 0, n0)
    except KeyboardInterrupt:
        return _finish(store, status, used, feasible, active, False, True)
    store.add(list(range(k)), np.asarray(x, float), np.asarray(g, float).reshape(k, m, n0))
    s2, s2f = _first_stage_variances(store, k, m, n0)
    r = n0
    while True:
        idx = np.flatnonzero(active)
        _check_feasibility(store, idx, r, feasible, s2f, h2f, tol, status, active, used)
        _screen(store, np.flatnonzero(active), r, feasible, s2, h2, delta, status, active, used)
        idx = np.flatnonzero(active)
        decided = (feasible[idx] == 1).all()
        if len(idx) == 0 or (len(idx) == 1 and decided):
            break
        if decided and _no_more_screening(s2, idx, h2, delta, r):
            break  # every W_il(r) is 0 and ties remain: KN ends with the best mean
        if r >= max_replications:
            guaranteed = False
            break
        if (store.n[idx] <= r).any():
            count = int(min(max(1, math.ceil(growth * r)), max_replications - r))
            try:
                x, g = draw(idx.tolist(), r, count)
            except KeyboardInterrupt:
                guaranteed, interrupted = False, True
                break
            store.add(idx.tolist(), np.asarray(x, float), np.asarray(g, float).reshape(len(idx), m, count))
        r += 1
    used[active] = r
    return _finish(store, status, used, feasible, active, guaranteed, interrupted)


def _first_stage_variances(store: _Store, k: int, m: int, n0: int) -> tuple[np.ndarray, np.ndarray]:
    """S^2_il = variance of X_i - X_l over the first n0 observations (KN); S^2_ic of each constraint."""
    x = np.stack([store.first(i, n0)[0] for i in range(k)])
    d = x - x.mean(axis=1, keepdims=True)
    cov = d @ d.T / (n0 - 1)
    var = np.diag(cov)
    s2 = np.maximum(var[:, None] + var[None, :] - 2.0 * cov, 0.0)
    gs = np.stack([store.first(i, n0)[1] for i in range(k)]) if m else np.zeros((k, 0, n0))
    s2f = gs.var(axis=2, ddof=1) if m else np.zeros((k, 0))
    return s2, s2f


def _check_feasibility(store: _Store, idx: np.ndarray, r: int, feasible: np.ndarray, s2f: np.ndarray,
                       h2f: float, tol: np.ndarray, status: list[str], active: np.ndarray,
                       used: np.ndarray) -> None:
    """Sequential test of each undecided constraint: sum_j g_j against +- R(r), R(r) =
    max(0, h^2 S^2 / (2 eps) - eps r / 2): feasible at or below -R, infeasible above +R."""
    for i in idx:
        und = feasible[i] == -1
        if not und.any():
            continue
        total = store.cg[i][:, r]
        half = np.maximum(0.0, h2f * s2f[i] / (2.0 * tol) - tol * r / 2.0)
        feasible[i, und & (total <= -half)] = 1
        feasible[i, und & (total > half)] = 0
        if (feasible[i] == 0).any():
            active[i] = False
            status[i] = "infeasible"
            used[i] = r


def _screen(store: _Store, idx: np.ndarray, r: int, feasible: np.ndarray, s2: np.ndarray, h2: float,
            delta: float, status: list[str], active: np.ndarray, used: np.ndarray) -> None:
    """KN's screening at r: i leaves if mean_i(r) < mean_l(r) - W_il(r) for some l declared feasible,
    W_il(r) = max(0, delta / (2r) (h^2 S^2_il / delta^2 - r)); all against the set at the start."""
    if len(idx) < 2:
        return
    means = np.array([store.cx[i][r] for i in idx]) / r
    w = np.maximum(0.0, delta / (2.0 * r) * (h2 * s2[np.ix_(idx, idx)] / delta**2 - r))
    beaten = means[:, None] < means[None, :] - w
    judges = (feasible[idx] == 1).all(axis=1)
    out = beaten[:, judges].any(axis=1)
    for i in idx[out]:
        active[i] = False
        status[i] = "eliminated"
        used[i] = r


def _no_more_screening(s2: np.ndarray, idx: np.ndarray, h2: float, delta: float, r: int) -> bool:
    return bool((h2 * s2[np.ix_(idx, idx)] / delta**2 <= r).all())


def _finish(store: _Store, status: list[str], used: np.ndarray, feasible: np.ndarray, active: np.ndarray,
            guaranteed: bool, interrupted: bool) -> Selection:
    k, m = feasible.shape
    means, sems, cmeans = np.full(k, np.nan), np.full(k, np.nan), np.full((k, m), np.nan)
    for i in range(k):
        if used[i]:
            x, g = store.first(i, int(used[i]))
            means[i], cmeans[i] = x.mean(), g.mean(axis=1)
            sems[i] = x.std(ddof=1) / np.sqrt(len(x)) if len(x) > 1 else np.nan
    feas: list[bool | None] = [False if (f == 0).any() else True if (f == 1).all() else None for f in feasible]
    idx = np.flatnonzero(active)
    selected: int | None = None
    if len(idx):
        # The best current mean among the survivors, preferring those declared feasible.
        pool = [i for i in idx if feas[i]] or list(idx)
        selected = int(max(pool, key=lambda i: (means[i], -i)))
        status[selected] = "selected"
        guaranteed = guaranteed and feas[selected] is True
    return Selection(selected, status, used.copy(), feas, means, sems, cmeans,
                     simulated=int(store.n.sum()), guaranteed=guaranteed, interrupted=interrupted)
