"""optimize(): each policy at its best, by simulation optimisation with common random numbers.

A fair comparison of policies runs each with the replenishment parameters that suit it. optimize()
finds them per policy, with a statistical guarantee on the pick, then compares the policies at their
optima on fresh replications, so that the selection does not flatter the answer.

Small discrete spaces: every configuration runs on the same random numbers (replication r of every
configuration uses the same customers) and Kim & Nelson's fully sequential procedure
(:mod:`stocklab.selection`) picks the best. Large or continuous spaces: optuna's TPE sampler
proposes configurations, each evaluated on the same replications, and the procedure then picks among
the best few on fresh ones.

Replication indices: the search, and the selection of a small space, use replications 0, 1, 2, ...;
the selection after an optuna search starts at 2**48 and the final comparison at 2**49, so neither
reuses random numbers that an earlier step selected on.
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
import os
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import ScenarioError
from .experiment import Experiment, _Progress, _resolve_policies, _run_ranges, _versions, check_jobs, format_number
from .objectives import (
    Constraint,
    Continuous,
    Dimension,
    Objective,
    ObjectiveSpec,
    parse_constraints,
    parse_space,
)
from .results import METRICS
from .run import as_scenario, check_seed
from .scenario import Scenario, split_path
from .selection import Selection, select_best
from .stats import mean_ci, t_quantile

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["optimize", "OptimizationResult", "PolicyOptimum"]

_SELECTION_FIRST = 1 << 48
_COMPARISON_FIRST = 1 << 49
_CONFIG_STRIDE = 1 << 24  # crn=False: configuration i draws replications i * stride + r
_EXHAUSTIVE_LIMIT = 200  # method="auto": a discrete space up to this size is searched exhaustively
_MAX_DUPLICATES = 100  # optuna proposals in a row that were already evaluated: the space is exhausted


# ---------------------------------------------------------------------------------------------
# the problem, checked once


@dataclass
class _Problem:
    dims: list[Dimension]
    objective: Objective
    constraints: list[Constraint]
    delta: float
    pcs: float
    n0: int
    seed: int
    crn: bool
    max_replications: int
    jobs: int
    executor: Executor | None
    progress: bool | None
    interrupted: bool = False

    @property
    def paths(self) -> list[str]:
        return [d.path for d in self.dims]


@dataclass
class _Candidate:
    """A valid configuration: its number (``trial`` in the history), values and scenario document."""

    trial: int
    config: dict[str, Any]
    doc: dict[str, Any]


class _Runner:
    """Runs configurations of one policy and turns their summaries into objective and constraint values."""

    def __init__(self, problem: _Problem, name: str, base: Scenario) -> None:
        self.p, self.name, self.base = problem, name, base
        self.simulated = 0
        self.bar: _Progress | None = None

    def candidate(self, trial: int, config: dict[str, Any]) -> _Candidate:
        """The configuration with its scenario document; raises ScenarioError when it is invalid."""
        return _Candidate(trial, config, self.base.with_overrides(config).to_dict())

    def evaluate(self, cands: Sequence[_Candidate], firsts: Sequence[int],
                 count: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """(objective values, constraint excesses (constraints x count)) of replications
        [first, first + count) of each candidate."""
        assert self.bar is not None
        ranges = [(c.doc, "", f) for c, f in zip(cands, firsts, strict=True)]
        blocks = _run_ranges(ranges, self.p.seed, count, self.p.jobs, self.p.executor, None, self.bar)
        self.simulated += count * len(cands)
        return [self.values(b, c.config, f) for b, c, f in zip(blocks, cands, firsts, strict=True)]

    def values(self, block: np.ndarray, config: dict[str, Any], first: int) -> tuple[np.ndarray, np.ndarray]:
        """Objective values and constraint excesses of replications first, first + 1, ... (``block``)."""
        where = f"configuration {config} of policy {self.name!r}"
        obj = self.p.objective.values(block, config, where, first)
        rows = []
        for c in self.p.constraints:
            col = block[:, METRICS.index(c.metric)]
            if np.isnan(col).any():
                raise ValueError(f"constraint {c.text!r}: {c.metric} is NaN (undefined) in replication "
                                 f"{first + int(np.flatnonzero(np.isnan(col))[0])} of {where}")
            rows.append(c.excess(col))
        return obj, np.array(rows).reshape(len(self.p.constraints), len(obj))


def _check_paths(runner: _Runner, dims: list[Dimension]) -> None:
    """Every path of the space must be one the scenario accepts: a field it has, or one that some
    value of the space can set (the error then names the argument and the scenario's rule)."""
    doc = runner.base.to_dict()
    for d in dims:
        if _has_path(doc, d.path):
            continue
        first_error: ScenarioError | None = None
        for value in d.probes():
            try:
                runner.base.with_overrides({d.path: value})
                break
            except ScenarioError as e:
                first_error = first_error or e
        else:
            raise ValueError(f"space[{d.path!r}]: not a field the scenario accepts (policy {runner.name!r}): "
                             f"{first_error}")


def _has_path(doc: dict[str, Any], path: str) -> bool:
    node: Any = doc
    for key in split_path(path):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


# ---------------------------------------------------------------------------------------------
# results


@dataclass
class PolicyOptimum:
    """The best configuration found for one policy.

    ``objective`` and ``ci95`` estimate it on fresh replications (``fresh=True``; not those it was
    selected on, so the winner's curse does not inflate it), as do ``constraints`` (metric -> mean).
    ``replications``: what the selection gave this configuration; ``total_replications``: what the
    policy's whole optimisation simulated; ``configurations``: how many it evaluated. ``feasible``
    is the selection's decision (None: undecided). ``guaranteed`` is True when the selection ended
    with its stated probability of correct selection (False after Ctrl-C or at the replication cap).
    """

    policy: str
    config: dict[str, Any]
    objective: float
    ci95: tuple[float, float]
    replications: int
    total_replications: int
    configurations: int
    feasible: bool | None
    guaranteed: bool
    constraints: dict[str, float] = field(default_factory=dict)
    fresh: bool = False


class OptimizationResult:
    """What :func:`optimize` found.

    ``best``: policy -> :class:`PolicyOptimum`. ``comparison``: an :class:`Experiment` of every policy
    at its own optimum on fresh replications with common random numbers (an ``objective`` column is
    added to its replications), so ``differences()`` are paired and unbiased by the selection.
    ``history``: one row per (policy, phase, configuration) evaluated. ``constraints``: the
    :class:`Constraint` objects. ``meta``: the settings, the guarantee, timings, ``interrupted``.
    """

    def __init__(self, best: dict[str, PolicyOptimum], comparison: Experiment | None, history: pd.DataFrame,
                 meta: dict[str, Any], constraints: Sequence[Constraint] = ()) -> None:
        self.best = best
        self.comparison = comparison
        self.history = history
        self.meta = meta
        self.constraints = list(constraints)

    @property
    def interrupted(self) -> bool:
        """True when Ctrl-C stopped the optimisation: ``best`` holds the best so far."""
        return bool(self.meta["interrupted"])

    @property
    def feasible(self) -> bool:
        """True when every policy's optimum was declared feasible (always, without constraints)."""
        return all(b.feasible is True for b in self.best.values())

    @property
    def policies(self) -> list[str]:
        """The policies with an optimum, in the order they ran."""
        return list(self.best)

    def summary(self) -> pd.DataFrame:
        """One row per policy: its optimum, the objective's estimate and 95% CI, replications, feasibility."""
        rows = []
        for b in self.best.values():
            rows.append({"policy": b.policy, **b.config, "objective": b.objective, "ci95_low": b.ci95[0],
                         "ci95_high": b.ci95[1], "replications": b.replications,
                         "total_replications": b.total_replications, "configurations": b.configurations,
                         "feasible": b.feasible, "guaranteed": b.guaranteed, **b.constraints})
        return pd.DataFrame(rows)

    def differences(self, baseline: str | None = None, metrics: Sequence[str] | None = None) -> pd.DataFrame:
        """Paired differences between the policies at their optima (fresh replications, common random
        numbers): ``objective`` and the constraint metrics by default."""
        if self.comparison is None:
            raise ValueError("no comparison at the optima: the optimisation was interrupted before it")
        metrics = list(metrics) if metrics is not None else self._default_metrics()
        return self.comparison.differences(baseline=baseline, metrics=metrics)

    def _default_metrics(self) -> list[str]:
        names = ["objective"] + [c.metric for c in self.constraints]
        return list(dict.fromkeys(names))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: settings, each policy's optimum, and the paired differences at the optima."""
        out: dict[str, Any] = {**self.meta, "best": {p: _plain_optimum(b) for p, b in self.best.items()}}
        if self.comparison is not None and len(self.best) > 1:
            d = self.differences()
            out["differences"] = [{k: _json_number(v) for k, v in r.items()} for r in d.to_dict("records")]
        return out

    def plot(self, ax: Axes | None = None) -> Axes:
        """The objective of every configuration evaluated, per policy, against the first path of the
        space (95% CIs; a star marks each policy's optimum, a cross an infeasible configuration).
        matplotlib is imported here."""
        from .plot import _axes, _style

        ax = _axes(ax)
        x = self.meta["paths"][0]
        for i, policy in enumerate(self.best):
            h = self.history[(self.history["policy"] == policy) & self.history["objective"].notna()]
            h = h[h["phase"] == ("search" if (h["phase"] == "search").any() else "selection")]
            color, marker = f"C{i}", _style(i)["marker"]
            bad = h["feasible"].map(lambda f: f is False).astype(bool)  # None (undecided) is drawn as feasible
            ok = h[~bad]
            ax.errorbar(ok[x], ok["objective"], yerr=ok["objective"] - ok["objective_ci95_low"], fmt=marker,
                        ms=3, capsize=2, alpha=0.6, color=color, label=policy)
            ax.plot(h[bad][x], h[bad]["objective"], "x", color=color, alpha=0.6)
            b = self.best[policy]
            ax.plot([b.config[x]], [b.objective], "*", ms=14, color=color, mec="black")
        ax.set_xlabel(x)
        ax.set_ylabel(f"{self.meta['objective']} ({self.meta['direction']})")
        ax.legend()
        return ax

    def __repr__(self) -> str:
        parts = [f"{p}: {_config_text(b.config)} -> {format_number(b.objective)}" for p, b in self.best.items()]
        flag = ", interrupted" if self.interrupted else ""
        return f"OptimizationResult({self.meta['scenario']!r}, {self.meta['objective']} {self.meta['direction']}: " \
               f"{'; '.join(parts)}{flag})"

    def _repr_html_(self) -> str:
        return _result_html(self)


def _config_text(config: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in config.items())


def _json_number(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def _plain_optimum(b: PolicyOptimum) -> dict[str, Any]:
    return {"config": {k: _json_number(v) for k, v in b.config.items()}, "objective": _json_number(b.objective),
            "ci95": [_json_number(b.ci95[0]), _json_number(b.ci95[1])], "replications": int(b.replications),
            "total_replications": int(b.total_replications), "configurations": int(b.configurations),
            "feasible": b.feasible, "guaranteed": b.guaranteed, "fresh": b.fresh,
            "constraints": {k: _json_number(v) for k, v in b.constraints.items()}}


def _result_html(res: OptimizationResult) -> str:
    import html

    m = res.meta
    head = (f"<p><b>{html.escape(m['scenario'])}</b>: {html.escape(m['direction'])}imise "
            f"<code>{html.escape(m['objective'])}</code>")
    if m["constraints"]:
        head += " subject to " + ", ".join(f"<code>{html.escape(c)}</code>" for c in m["constraints"])
    head += f". {html.escape(m['guarantee'])}"
    if res.interrupted:
        head += " <b>Interrupted: the best so far, without the guarantee.</b>"
    head += "</p>"
    if not res.best:
        return head + "<p>No configuration was evaluated.</p>"
    s = res.summary()
    cols = ["policy", *m["paths"], "objective", "ci95_low", "ci95_high", "replications", "feasible"]
    out = head + s[cols].to_html(index=False, float_format=format_number, na_rep="n/a", border=0)
    if res.comparison is not None and len(res.best) > 1:
        d = res.differences()[["policy", "baseline", "metric", "difference", "ci95_low", "ci95_high",
                                "variance_reduction"]]
        out += "<p>Paired differences at the optima (fresh replications):</p>"
        out += d.to_html(index=False, float_format=format_number, na_rep="n/a", border=0)
    return out


# ---------------------------------------------------------------------------------------------
# selection among candidates (Kim & Nelson), and the history rows it leaves


def _select(p: _Problem, runner: _Runner, cands: list[_Candidate], first: int) -> Selection:
    """KN among ``cands`` on replications first, first + 1, ... (one block per candidate without CRN)."""
    sense = p.objective.sense

    def draw(systems: Sequence[int], r: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        firsts = [first + r + (0 if p.crn else i * _CONFIG_STRIDE) for i in systems]
        out = runner.evaluate([cands[i] for i in systems], firsts, count)
        return sense * np.stack([o[0] for o in out]), np.stack([o[1] for o in out])

    return select_best(draw, len(cands), p.delta, 1.0 - p.pcs, n0=p.n0,
                       tolerances=[c.epsilon for c in p.constraints], max_replications=p.max_replications)


def _selection_rows(p: _Problem, policy: str, phase: str, cands: list[_Candidate], sel: Selection) -> list[dict]:
    rows = []
    for i, c in enumerate(cands):
        n = int(sel.replications[i])
        mean = p.objective.sense * sel.means[i]
        rows.append(_row(p, policy, phase, c.trial, c.config, sel.status[i], n, mean, sel.sems[i], sel.feasible[i],
                         [con.value(e) for con, e in zip(p.constraints, sel.constraint_means[i], strict=True)]))
    return rows


def _row(p: _Problem, policy: str, phase: str, trial: int, config: dict[str, Any], status: str, n: int,
         mean: float, sem: float, feasible: bool | None, cmeans: Sequence[float], error: str = "") -> dict:
    half = t_quantile(n) * sem if n >= 2 and not np.isnan(sem) else float("nan")
    row = {"policy": policy, "phase": phase, "trial": trial, **config, "status": status, "replications": n,
           "objective": mean, "objective_sem": sem, "objective_ci95_low": mean - half,
           "objective_ci95_high": mean + half, "feasible": feasible}
    for c, v in zip(p.constraints, cmeans, strict=True):
        row[c.metric] = v
    row["error"] = error
    return row


def _invalid_row(p: _Problem, policy: str, phase: str, trial: int, config: dict[str, Any], e: Exception) -> dict:
    nan = float("nan")
    return _row(p, policy, phase, trial, config, "invalid", 0, nan, nan, None, [nan] * len(p.constraints), str(e))


@dataclass
class _PolicyOutcome:
    """What one policy's optimisation produced: the chosen candidate and its history row."""

    chosen: _Candidate
    row: dict
    rows: list[dict]
    configurations: int
    guaranteed: bool


def _pick(p: _Problem, cands: list[_Candidate], sel: Selection) -> tuple[_Candidate, int]:
    """The selected candidate, or, when every candidate was declared infeasible, the one closest to
    feasible (smallest worst excess in units of its tolerance)."""
    if sel.selected is not None:
        return cands[sel.selected], sel.selected
    eps = np.array([c.epsilon for c in p.constraints])
    worst = [float(np.max(sel.constraint_means[i] / eps)) for i in range(len(cands))]
    i = min(range(len(cands)), key=lambda j: (worst[j], -p.objective.sense * sel.means[j]))
    return cands[i], i


# ---------------------------------------------------------------------------------------------
# the two methods


def _valid_candidates(p: _Problem, runner: _Runner,
                      configs: list[dict[str, Any]]) -> tuple[list[_Candidate], list[dict]]:
    cands, rows = [], []
    for i, config in enumerate(configs):
        try:
            cands.append(runner.candidate(i, config))
        except ScenarioError as e:
            rows.append(_invalid_row(p, runner.name, "selection", i, config, e))
    if not cands:
        raise ValueError(f"space: none of the {len(configs)} configurations is a valid scenario for policy "
                         f"{runner.name!r}; e.g. {_config_text(configs[0])}: {rows[0]['error']}")
    return cands, rows


def _exhaustive(p: _Problem, runner: _Runner) -> _PolicyOutcome | None:
    """Every configuration of a small discrete space, selected by KN with common random numbers."""
    configs = [dict(zip(p.paths, combo, strict=True)) for combo in itertools.product(*(d.values for d in p.dims))]
    cands, invalid = _valid_candidates(p, runner, configs)
    return _selected(p, runner, cands, 0, invalid, len(cands))


def _selected(p: _Problem, runner: _Runner, cands: list[_Candidate], first: int, rows: list[dict],
              configurations: int) -> _PolicyOutcome | None:
    """KN among ``cands``; None when Ctrl-C came before any replication."""
    sel = _run_phase(runner, "selection", lambda: _select(p, runner, cands, first))
    if not sel.replications.any():
        return None
    chosen, index = _pick(p, cands, sel)
    sel_rows = _selection_rows(p, runner.name, "selection", cands, sel)
    return _PolicyOutcome(chosen, sel_rows[index], rows + sel_rows, configurations, sel.guaranteed)


def _run_phase(runner: _Runner, phase: str, fn: Any) -> Any:
    runner.bar = _Progress(None, runner.p.progress, f"{runner.name}: {phase}")  # type: ignore[arg-type]
    try:
        out = fn()
    finally:
        runner.bar.close()
    if getattr(out, "interrupted", False):
        runner.p.interrupted = True
    return out


@dataclass
class _Budget:
    replications: int | None
    seconds: float | None
    per_trial: int
    shortlist: int


def _searched(p: _Problem, runner: _Runner, budget: _Budget, policy_index: int) -> _PolicyOutcome | None:
    """optuna's TPE proposes configurations, each run on replications 0..m-1 (common random numbers);
    KN then picks among the best ``shortlist`` on fresh replications."""
    records: list[_Record] = []
    rows = _run_phase(runner, "search", lambda: _search(p, runner, budget, policy_index, records))
    if not records:
        if p.interrupted:
            return None
        raise ValueError(f"space: the search found no valid configuration for policy {runner.name!r}"
                         + (f"; e.g. {rows[0]['error']}" if rows else ""))
    sense = p.objective.sense
    # Feasible by the search's estimate first, then by objective; the first proposed breaks ties.
    ranked = sorted(records, key=lambda r: (not _holds(p, r.excess), -sense * r.mean, r.row["trial"]))
    ranked = ranked[:budget.shortlist]
    if p.interrupted:
        return _PolicyOutcome(ranked[0].cand, ranked[0].row, rows, len(records), False)
    return _selected(p, runner, [r.cand for r in ranked], _SELECTION_FIRST, rows, len(records))


@dataclass
class _Record:
    """A configuration the search evaluated."""

    cand: _Candidate
    mean: float
    excess: np.ndarray
    row: dict


def _holds(p: _Problem, excess: np.ndarray) -> bool:
    return bool((excess <= 0).all())


def _search(p: _Problem, runner: _Runner, budget: _Budget, policy_index: int, records: list[_Record]) -> list[dict]:
    """The optuna loop: ask and tell one trial at a time, so the run is deterministic."""
    search = _Search(p, runner, budget, policy_index, records)
    start = time.perf_counter()
    while _budget_left(budget, search.used, start) and search.duplicates < _MAX_DUPLICATES:
        if not search.step():
            break
    return search.rows


class _Search:
    """One policy's optuna study and what it has evaluated (``records``, ``rows``)."""

    def __init__(self, p: _Problem, runner: _Runner, budget: _Budget, policy_index: int,
                 records: list[_Record]) -> None:
        self.optuna = optuna = _import_optuna()
        self.p, self.runner, self.budget, self.records = p, runner, budget, records
        seed = int(np.random.SeedSequence([p.seed, policy_index]).generate_state(1)[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            sampler = optuna.samplers.TPESampler(seed=seed,
                                                 constraints_func=_trial_constraints if p.constraints else None)
        self.study = optuna.create_study(direction="maximize" if p.objective.sense > 0 else "minimize",
                                         sampler=sampler)
        self.dists = {d.path: _distribution(optuna, d) for d in p.dims}
        self.seen: dict[str, tuple[float, list[float]] | None] = {}  # None: an invalid configuration
        self.rows: list[dict] = []
        self.used = self.duplicates = 0

    def step(self) -> bool:
        """Ask for one configuration and evaluate it (unless seen before); False after Ctrl-C."""
        p, trial = self.p, self.study.ask(self.dists)
        config = {d.path: _value(d, trial.params[d.path]) for d in p.dims}
        key = json.dumps(config, sort_keys=True, default=repr)
        self.duplicates = self.duplicates + 1 if key in self.seen else 0
        if key not in self.seen:
            try:
                self.seen[key] = self._evaluate(trial.number, config)
            except KeyboardInterrupt:
                p.interrupted = True
                return False
            except ScenarioError as e:
                self.seen[key] = None
                self.rows.append(_invalid_row(p, self.runner.name, "search", trial.number, config, e))
        _tell(self.optuna, self.study, trial, self.seen[key])
        return True

    def _evaluate(self, number: int, config: dict[str, Any]) -> tuple[float, list[float]]:
        p = self.p
        cand = self.runner.candidate(number, config)
        first = 0 if p.crn else len(self.records) * _CONFIG_STRIDE  # CRN: the same replications for all
        obj, g = self.runner.evaluate([cand], [first], self.budget.per_trial)[0]
        self.used += self.budget.per_trial
        mean, se, _, _, n = mean_ci(obj)
        excess = g.mean(axis=1)
        self.rows.append(_row(p, self.runner.name, "search", number, config, "searched", n, mean, se,
                              _holds(p, excess), [c.value(e) for c, e in zip(p.constraints, excess, strict=True)]))
        self.records.append(_Record(cand, mean, excess, self.rows[-1]))
        return mean, excess.tolist()


def _budget_left(b: _Budget, used: int, start: float) -> bool:
    if b.replications is not None and used + b.per_trial > b.replications:
        return False
    return b.seconds is None or time.perf_counter() - start < b.seconds


def _trial_constraints(trial: Any) -> list[float]:
    return list(trial.user_attrs["constraint"])  # set by _tell: optuna asks only for completed trials


def _tell(optuna: Any, study: Any, trial: Any, outcome: tuple[float, list[float]] | None) -> None:
    if outcome is None:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        return
    trial.set_user_attr("constraint", outcome[1])
    study.tell(trial, outcome[0])


def _distribution(optuna: Any, d: Dimension) -> Any:
    dist = optuna.distributions
    if d.continuous is not None:
        return dist.FloatDistribution(float(d.continuous.low), float(d.continuous.high), log=d.continuous.log)
    if d.step is not None and len(d.values) > 1:
        lo, hi = sorted((d.values[0], d.values[-1]))
        return dist.IntDistribution(lo, hi, step=abs(d.step))
    if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in d.values) and \
            list(d.values) == sorted(d.values):
        return dist.IntDistribution(0, len(d.values) - 1)  # ordered: sample the index, keep the order
    return dist.CategoricalDistribution(list(range(len(d.values))))


def _value(d: Dimension, raw: Any) -> Any:
    if d.continuous is not None:
        return float(raw)
    if d.step is not None and len(d.values) > 1:
        return int(raw)
    return d.values[int(raw)]


def _import_optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise ImportError("optimize() needs optuna for a large or continuous space: pip install 'stocklab[optimize]' "
                          "(or a smaller discrete space, or method='exhaustive')") from None
    optuna.logging.set_verbosity(max(optuna.logging.get_verbosity(), optuna.logging.WARNING))
    return optuna


# ---------------------------------------------------------------------------------------------
# the comparison at the optima


def _compare_optima(p: _Problem, sc: Scenario, runners: dict[str, _Runner], chosen: dict[str, _Candidate],
                    replications: int) -> Experiment:
    """Every policy at its own optimum, replications 2**49 onward: fresh, and common to the policies."""
    names = list(chosen)
    bar = _Progress(replications * len(names), p.progress, f"{sc.name}: at the optima")
    try:
        ranges = [(chosen[n].doc, "", _COMPARISON_FIRST) for n in names]
        blocks = _run_ranges(ranges, p.seed, replications, p.jobs, p.executor, None, bar)
    finally:
        bar.close()
    frames = []
    for name, block in zip(names, blocks, strict=True):
        df = pd.DataFrame(block, columns=list(METRICS))
        df.insert(0, "replication", _COMPARISON_FIRST + np.arange(len(df), dtype=np.int64))
        df.insert(0, "policy", name)
        runner = runners[name]
        df["objective"] = runner.values(block, chosen[name].config, _COMPARISON_FIRST)[0]
        frames.append(df)
    meta = {"scenario": sc.name, "seed": p.seed, "replications": int(replications), "policies": names,
            "first_replication": _COMPARISON_FIRST, "optima": {n: chosen[n].config for n in names},
            "scenario_doc": sc.to_dict(), **_versions()}
    return Experiment(pd.concat(frames, ignore_index=True), meta, [])


def _optimum(p: _Problem, name: str, out: _PolicyOutcome, runner: _Runner, cmp: Experiment | None) -> PolicyOptimum:
    row = out.row
    if cmp is not None:
        df = cmp.replications[cmp.replications["policy"] == name]
        mean, _, lo, hi, _ = mean_ci(df["objective"].to_numpy())
        cons = {c.metric: float(df[c.metric].mean()) for c in p.constraints}
    else:  # interrupted before the comparison: the estimate from the data it was selected on
        mean, lo, hi = row["objective"], row["objective_ci95_low"], row["objective_ci95_high"]
        cons = {c.metric: row[c.metric] for c in p.constraints}
    return PolicyOptimum(name, out.chosen.config, mean, (lo, hi), row["replications"], runner.simulated,
                         out.configurations, row["feasible"], out.guaranteed and not p.interrupted, cons,
                         fresh=cmp is not None)


# ---------------------------------------------------------------------------------------------
# optimize()


def optimize(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    space: Mapping[str, Iterable[Any] | Continuous],
    objective: ObjectiveSpec | tuple[ObjectiveSpec, str] = "profit",
    *,
    delta: float,
    policies: str | Sequence[str] | Mapping[str, Any] | None = None,
    constraints: str | Constraint | Sequence[str | Constraint] | None = None,
    pcs: float = 0.95,
    n0: int = 10,
    method: str = "auto",
    search_replications: int | None = None,
    budget_replications: int | None = None,
    budget_seconds: float | None = None,
    shortlist: int = 5,
    replications: int | None = None,
    max_replications: int = 10_000,
    seed: int | None = None,
    crn: bool = True,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
) -> OptimizationResult:
    """Each policy at its best: find, per policy, the configuration of ``space`` that optimises
    ``objective`` (subject to ``constraints``), then compare the policies at their optima.

    ``space``: dotted scenario paths (any path :meth:`Scenario.with_overrides` accepts) -> a
    ``range``, a list of values, or :class:`stocklab.Continuous` ``(low, high)``. Combinations that
    make an invalid scenario (say s >= S) are skipped and listed in the history.

    ``objective``: a metric (``"profit"``), a dict of weights (``{"holding_cost": 1, "ordering_cost":
    1}``: a weighted sum), or a function of one replication's summary (a Series of the metrics, plus
    the configuration's values under their paths) returning a number; maximised, or give the pair
    ``(objective, "min")``. ``constraints``: texts such as ``"fill_rate >= 0.95"`` or
    ``"days_cash_negative <= 0"``, or :class:`stocklab.Constraint` objects (with their tolerance).

    The pick: Kim & Nelson's fully sequential procedure (KN; S.-H. Kim and B. L. Nelson, "A fully
    sequential procedure for indifference-zone selection in simulation", ACM TOMACS 11(3), 2001),
    with common random numbers: with probability at least ``pcs``, it selects the best configuration
    whenever that is better than every other by at least ``delta`` (the indifference zone, in the
    objective's units; differences smaller than ``delta`` do not matter to you). With constraints,
    feasibility is decided by sequential tests with the same confidence (Batur & Kim 2010;
    Andradottir & Kim 2010), half the error going to them and half to the comparisons; a
    configuration is declared infeasible only with that confidence, and every decision is in
    ``history``. ``n0``: first-stage replications per configuration; ``max_replications``: cap per
    configuration (reaching it drops the guarantee: ``PolicyOptimum.guaranteed``).

    ``method``: ``"exhaustive"`` (every configuration enters KN), ``"optuna"`` (optuna's TPE sampler,
    seeded, proposes configurations, each run on ``search_replications`` replications, default
    ``n0``, the same ones for every configuration; KN then picks among the ``shortlist`` best on
    fresh replications, so the guarantee holds among those), or ``"auto"``: exhaustive for a discrete
    space of at most 200 configurations. The search stops at ``budget_replications`` (per policy) or
    ``budget_seconds`` (per policy; not deterministic), default 100 configurations.

    ``replications`` (default: the scenario's ``run.replications``): fresh replications of each
    policy at its optimum, common to the policies, for the estimates and the paired comparison.
    ``crn=False`` gives every configuration its own random numbers (to measure what common random
    numbers save; the comparison stays paired). ``jobs``, ``executor``, ``progress``: as in
    :func:`compare`. The result is the same for any ``jobs`` and executor. Ctrl-C returns the best
    so far, with ``interrupted`` set.
    """
    t0 = time.perf_counter()
    sc = as_scenario(scenario)
    p = _problem(sc, space, objective, delta, constraints, pcs, n0, seed, crn, max_replications, jobs, executor,
                 progress)
    method = _method(method, p.dims)
    budget = _budget(p, method, search_replications, budget_replications, budget_seconds, shortlist)
    replications = _count("replications", sc.replications if replications is None else replications, 2)
    runners = {name: _Runner(p, name, base) for name, base in _policy_bases(sc, policies).items()}
    for runner in runners.values():
        _check_paths(runner, p.dims)

    outcomes: dict[str, _PolicyOutcome] = {}
    rows: list[dict] = []
    for k, (name, runner) in enumerate(runners.items()):
        try:
            out = _exhaustive(p, runner) if method == "exhaustive" else _searched(p, runner, budget, k)
        except KeyboardInterrupt:
            p.interrupted = True
            break
        if out is not None:
            outcomes[name] = out
            rows += out.rows
        if p.interrupted:
            break
    cmp = None
    if not p.interrupted and outcomes:
        try:
            cmp = _compare_optima(p, sc, runners, {n: o.chosen for n, o in outcomes.items()}, replications)
        except KeyboardInterrupt:
            p.interrupted = True
    best = {n: _optimum(p, n, o, runners[n], cmp) for n, o in outcomes.items()}
    meta = _meta(p, sc, method, budget, replications, runners, t0)
    result = OptimizationResult(best, cmp, _history(p, rows), meta, p.constraints)
    _warn_infeasible(result)
    return result


def _problem(sc: Scenario, space: Any, objective: Any, delta: Any, constraints: Any, pcs: Any, n0: Any,
             seed: Any, crn: Any, max_replications: Any, jobs: Any, executor: Any, progress: Any) -> _Problem:
    dims = parse_space(space)
    obj = Objective(objective)
    cons = parse_constraints(constraints)
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not (0 < delta < math.inf):
        raise ValueError(f"delta must be a number > 0 (the indifference zone, in the objective's units), got {delta!r}")
    if isinstance(pcs, bool) or not isinstance(pcs, numbers.Real) or not 0.5 <= pcs < 1:
        raise ValueError(f"pcs (the probability of correct selection) must be in [0.5, 1), got {pcs!r}")
    n0 = _count("n0", n0, 2)
    max_replications = _count("max_replications", max_replications, n0)
    if max_replications >= _CONFIG_STRIDE:
        raise ValueError(f"max_replications must be below {_CONFIG_STRIDE}, got {max_replications}")
    if not isinstance(crn, bool):
        raise TypeError(f"crn must be True or False, got {crn!r}")
    if executor is not None and not hasattr(executor, "submit"):
        raise TypeError(f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}")
    seed = sc.seed if seed is None else check_seed(seed)
    return _Problem(dims, obj, cons, float(delta), float(pcs), n0, seed, crn, max_replications, check_jobs(jobs),
                    executor, progress)


def _count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _method(method: Any, dims: list[Dimension]) -> str:
    if method not in ("auto", "exhaustive", "optuna"):
        raise ValueError(f'method must be "auto", "exhaustive" or "optuna", got {method!r}')
    size = math.prod(d.size for d in dims)
    if method == "exhaustive" and math.isinf(size):
        cont = [d.path for d in dims if d.continuous]
        raise ValueError(f'method="exhaustive" needs a discrete space; continuous: {cont}')
    if method == "auto":
        return "exhaustive" if size <= _EXHAUSTIVE_LIMIT else "optuna"
    return method


def _budget(p: _Problem, method: str, per_trial: Any, reps: Any, seconds: Any, shortlist: Any) -> _Budget:
    per_trial = _count("search_replications", p.n0 if per_trial is None else per_trial, 2)
    if reps is not None:
        reps = _count("budget_replications", reps, per_trial)
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, numbers.Real)
                                or not seconds > 0):
        raise ValueError(f"budget_seconds must be a number > 0, got {seconds!r}")
    if reps is None and seconds is None:
        reps = 100 * per_trial
    shortlist = _count("shortlist", shortlist, 1)
    if method == "optuna":
        _import_optuna()
    return _Budget(reps, None if seconds is None else float(seconds), per_trial, shortlist)


def _policy_bases(sc: Scenario, policies: Any) -> dict[str, Scenario]:
    """Policy name -> the scenario with that variant merged in; the space's values apply on top."""
    return {name: vsc.with_policy(variant) if variant else vsc
            for name, (vsc, variant) in _resolve_policies(sc, policies).items()}


def _history(p: _Problem, rows: list[dict]) -> pd.DataFrame:
    cols = ["policy", "phase", "trial", *p.paths, "status", "replications", "objective", "objective_sem",
            "objective_ci95_low", "objective_ci95_high", "feasible",
            *dict.fromkeys(c.metric for c in p.constraints), "error"]
    return pd.DataFrame(rows, columns=cols)


def _meta(p: _Problem, sc: Scenario, method: str, budget: _Budget, replications: int,
          runners: dict[str, _Runner], t0: float) -> dict[str, Any]:
    where = f" among the {budget.shortlist} best configurations of the search" if method == "optuna" else ""
    guarantee = (f"P(correct selection) >= {p.pcs:g} when the best is better than the rest by at least "
                 f"delta = {p.delta:g}{where} (Kim & Nelson 2001)")
    return {
        "scenario": sc.name, "seed": p.seed, "method": method, "objective": p.objective.label,
        "direction": p.objective.direction, "constraints": [c.text for c in p.constraints],
        "paths": p.paths, "delta": p.delta, "pcs": p.pcs, "n0": p.n0,
        "crn": p.crn, "replications": replications, "guarantee": guarantee,
        "search_replications": budget.per_trial if method == "optuna" else None,
        "total_replications": sum(r.simulated for r in runners.values()), "interrupted": p.interrupted,
        "seconds": round(time.perf_counter() - t0, 3), **_versions(),
    }


def _warn_infeasible(res: OptimizationResult) -> None:
    for b in res.best.values():
        if b.feasible is False:
            warnings.warn(f"optimize(): no configuration of policy {b.policy!r} was found feasible for "
                          f"{', '.join(res.meta['constraints'])}; the closest to feasible is "
                          f"{_config_text(b.config)} ({', '.join(f'{k} = {v:.4g}' for k, v in b.constraints.items())})",
                          stacklevel=3)
