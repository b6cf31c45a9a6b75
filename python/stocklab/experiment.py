"""Experiments: compare policies and sweep parameters over many replications, in C++ threads or on
any concurrent.futures.Executor (a process pool, a dask cluster), with common random numbers."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import itertools
import json
import numbers
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import _core
from .metrics import format_number, unknown_metrics
from .results import METRICS
from .run import as_scenario, check_seed, policy_factory
from .scenario import Scenario, _plain, set_path
from .stats import check_level, ci_columns, mean_ci, paired_differences, summarize

__all__ = ["compare", "sweep", "Experiment", "load_results", "run_block", "results_format",
           "check_destination", "check_jobs"]

_AUTO_BATCH = 20
_FORMATS = {".csv": "csv", ".parquet": "parquet", ".json": "json"}
# The run fields an experiment sets for all its runs at once (common random numbers pair them).
_EXPERIMENT_FIELDS = ("seed", "replications")

PolicyFactory = Callable[[int], _core.ReplenishmentPolicy]


def run_block(doc: dict[str, Any] | str, policy: str, seed: int, first: int, count: int, jobs: int = 1,
              replenishment: PolicyFactory | None = None, tables: bool = False) -> Any:
    """Summaries of replications [first, first + count) of one variant. Picklable work unit for executors.

    ``doc``: the scenario document (a dict or JSON text); ``replenishment``: a ``replication -> policy``
    factory, when the runs use a custom policy; ``tables``: also each replication's per-item and
    per-segment rows (a dict of arrays: summary, items, segments).
    """
    parsed = _core.parse_scenario(doc, policy)
    return _core.run_replications(parsed, seed, first, count, jobs, replenishment, tables)


# argument checks --------------------------------------------------------------------------------
def check_jobs(jobs: int | None) -> int:
    """``jobs`` as an int in [1, max], or a ValueError naming the limit; None = one per core."""
    if jobs is None:
        return max(1, min(_core.hardware_jobs(), _core.max_jobs()))
    if isinstance(jobs, bool) or not isinstance(jobs, numbers.Integral) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got {jobs!r}")
    limit = _core.max_jobs()
    if jobs > limit:
        raise ValueError(f"jobs={jobs} is more than the limit of {limit} threads (4 x this machine's "
                         f"{_core.hardware_jobs()} hardware threads, at least 256): more threads gain no "
                         "speed; leave jobs unset for one thread per core")
    return int(jobs)


def _check_chunk_size(chunk_size: int | None) -> int | None:
    if chunk_size is None:
        return None
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, numbers.Integral) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive int (replications per engine call or executor task) "
                         f"or None, got {chunk_size!r}")
    return int(chunk_size)


def _check_positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _target(precision: Any) -> tuple[str, float]:
    if not isinstance(precision, Mapping) or "metric" not in precision or "half_width" not in precision:
        raise ValueError('replications="auto" needs precision={"metric": NAME, "half_width": H}')
    metric, h = precision["metric"], precision["half_width"]
    if metric not in METRICS:
        raise ValueError(f"precision metric {metric!r} is unknown; known: {', '.join(METRICS)}")
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not h > 0:
        raise ValueError(f"precision half_width must be a number > 0, got {h!r}")
    return metric, float(h)


# policies and configurations --------------------------------------------------------------------
@dataclass
class _Unit:
    """One (configuration, policy) of an experiment: the variant ``variant`` of ``scenario`` (or of
    the document ``doc``, already validated, when there is no Scenario object)."""

    config: dict[str, Any]  # swept field -> value as stored in the frame
    name: str
    scenario: Scenario | None
    variant: str
    doc: dict[str, Any] | None = None

    @functools.cached_property
    def parsed(self) -> _core.ParsedScenario:
        if self.scenario is None:
            return _core.parse_scenario(self.doc, self.variant)
        return self.scenario.parsed(self.variant)

    @functools.cached_property
    def document(self) -> dict[str, Any] | str:
        """What an executor's task ships: this variant's document only, built once."""
        if self.scenario is None:
            return self.doc  # type: ignore[return-value]
        return self.scenario._variant_json(self.variant)


def _policy_name(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"policy names must be str, got {type(name).__name__}")
    return name


def _policy_spec(sc: Scenario, name: str, spec: Any) -> tuple[Scenario, str]:
    if isinstance(spec, str):
        sc.parsed(spec)  # a ScenarioError for an unknown variant
        return sc, spec
    if isinstance(spec, Scenario):
        return spec, ""
    if isinstance(spec, Mapping):  # a merge patch of scenario sections, like an entry of "policies"
        return sc._with_variant(name, dict(spec)), name
    raise TypeError(f"policies[{name!r}] must be a variant name, a dict of section overrides or a Scenario, "
                    f"got {type(spec).__name__}")


def _resolve_policies(sc: Scenario, policies: Any) -> dict[str, tuple[Scenario, str]]:
    """Display name -> (scenario holding the variant, variant name)."""
    if policies is None:
        names = sc.policies
        return {n: (sc, n) for n in names} if names else {"base": (sc, "")}
    if isinstance(policies, str):
        policies = [policies]
    out: dict[str, tuple[Scenario, str]] = {}
    if isinstance(policies, Mapping):
        for name, spec in policies.items():
            out[_policy_name(name)] = _policy_spec(sc, name, spec)
    elif isinstance(policies, Iterable):
        for name in policies:
            if _policy_name(name) in out:
                raise ValueError(f"policy {name!r} is listed twice")
            out[name] = _policy_spec(sc, name, name)
    else:
        raise TypeError(f"policies must be None, a list of names or a dict, got {type(policies).__name__}")
    if not out:
        raise ValueError("policies is empty: name at least one policy, or leave it unset for the scenario's policies")
    return out


def _cell(value: Any) -> Any:
    """A swept value as the frame stores it: JSON text for a dict or a list (so the column can be
    grouped, compared and saved), a plain Python scalar otherwise."""
    value = _plain(value)
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def _check_grid_key(key: str, values: list[Any]) -> None:
    """A sweep cannot vary run.seed or run.replications: all configurations share both."""
    for value in values:
        probe: dict[str, Any] = {}
        set_path(probe, key, value)
        run = probe.get("run")
        for field in _EXPERIMENT_FIELDS:
            if isinstance(run, dict) and field in run:
                raise ValueError(
                    f"grid[{key!r}] sets run.{field}, which a sweep cannot vary: every configuration runs with "
                    f"the same {field} (common random numbers pair them); pass {field}= to sweep() (--{field} on "
                    f"the command line), or run one sweep per {field}")


def _check_experiment_fields(sc: Scenario, units: list[_Unit]) -> None:
    """Every run of an experiment uses one seed and one replication count: a variant that sets
    another would be silently ignored, so it is refused."""
    base = sc.parsed()
    for u in units:
        for field in _EXPERIMENT_FIELDS:
            mine, theirs = getattr(u.parsed, field), getattr(base, field)
            if mine != theirs:
                where = f" in configuration {u.config}" if u.config else ""
                raise ValueError(
                    f"policy {u.name!r}{where} has run.{field} = {mine} but the scenario has {theirs}: an experiment "
                    f"runs every policy with one {field} (common random numbers pair them); remove run.{field} "
                    f"from the policy and pass {field}= to compare() or sweep() (--{field} on the command line)")


# running ----------------------------------------------------------------------------------------
def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _bar_class(notebook: bool) -> type:
    # tqdm.auto warns ("IProgress not found") in Jupyter without ipywidgets: choose the bar ourselves.
    if notebook and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm


class _Progress:
    """A progress bar shown only for runs longer than DELAY seconds: tqdm's notebook bar in Jupyter
    (its text bar there when ipywidgets is missing), its text bar on a terminal."""

    DELAY = 2.0

    def __init__(self, total: int | None, enabled: bool | None, desc: str) -> None:
        notebook = _in_notebook()
        if enabled is None:
            enabled = (notebook or sys.stderr.isatty()) and not os.environ.get("STOCKLAB_NO_PROGRESS")
        self.bar = None
        if enabled:
            self.bar = _bar_class(notebook)(total=total, desc=desc, unit="rep", leave=False, delay=self.DELAY)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def grow(self, total: int) -> None:
        if self.bar is not None:
            self.bar.total = total
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class _Runner:
    """How to run replications: seed, threads or an executor, chunking, a custom policy."""

    seed: int
    jobs: int
    chunk_size: int | None
    executor: Executor | None
    factory: PolicyFactory | None
    progress: _Progress
    # With tables: each unit's per-item and per-segment arrays, in replication order, beside the summaries.
    tables: dict[int, list[tuple[np.ndarray, np.ndarray]]] | None = None

    def _summary(self, unit: int, block: Any) -> np.ndarray:
        """The summary rows of an engine result; its tables are kept for the unit."""
        if self.tables is None:
            return block
        self.tables.setdefault(unit, []).append((block["items"], block["segments"]))
        return block["summary"]

    def batch(self, units: list[_Unit], start: int, stop: int) -> list[np.ndarray]:
        """Replications [start, stop) of every unit: one (stop - start) x metrics array per unit."""
        return self.ranges(units, [start] * len(units), stop - start)

    def ranges(self, units: list[_Unit], firsts: list[int], count: int) -> list[np.ndarray]:
        """Replications [first, first + count) of each unit: one count x metrics array per unit."""
        if count < 1:
            return [np.empty((0, len(METRICS))) for _ in units]
        if self.executor is None:
            return [np.concatenate([self._summary(i, b) for b in self._threaded(u.parsed, f, f + count)])
                    for i, (u, f) in enumerate(zip(units, firsts, strict=True))]
        # About 20 tasks per unit: enough progress updates and load balance across workers, few
        # enough that the cost of shipping a task stays small.
        chunk = self.chunk_size or max(1, -(-count // 20))
        tasks, owners = [], []
        for i, (u, first) in enumerate(zip(units, firsts, strict=True)):
            for start in range(first, first + count, chunk):
                tasks.append((u.document, u.variant, self.seed, start, min(chunk, first + count - start), 1,
                              self.factory, self.tables is not None))
                owners.append(i)
        blocks: list[list[np.ndarray]] = [[] for _ in units]
        for i, block in zip(owners, self._submit(tasks), strict=True):
            blocks[i].append(self._summary(i, block))
        return [np.concatenate(b) for b in blocks]

    def _submit(self, tasks: list[tuple[Any, ...]]) -> list[Any]:
        """Run run_block tasks on the executor; results in task order."""
        from concurrent.futures import as_completed

        assert self.executor is not None
        futures: dict[Future, int] = {self.executor.submit(run_block, *t): i for i, t in enumerate(tasks)}
        results: list[Any] = [np.empty(0)] * len(tasks)
        try:
            for f in as_completed(futures):
                i = futures[f]
                results[i] = f.result()
                self.progress.update(tasks[i][4])
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        return results

    # Each call into the engine starts fresh threads, and Linux starts a new thread on its parent's
    # core, moving it to an idle core only at the next load balancing (some milliseconds later): calls
    # much shorter than this target lose most of the parallel speed-up (measured: none at 50 ms a
    # call, 1.35x at 350 ms on 2 cores).
    TARGET_CALL_SECONDS = 1.0

    def _threaded(self, parsed: _core.ParsedScenario, first: int, stop: int) -> list[np.ndarray]:
        """Replications [first, stop) of one variant in C++ threads, in calls sized by measured speed."""
        out = []
        chunk = self.chunk_size or max(1, min(stop - first, 4 * self.jobs))
        while first < stop:
            count = min(chunk, stop - first)
            t0 = time.perf_counter()
            out.append(_core.run_replications(parsed, self.seed, first, count, self.jobs, self.factory,
                                              self.tables is not None))
            elapsed = time.perf_counter() - t0
            self.progress.update(count)
            first += count
            if self.chunk_size is None:  # grow toward calls of about TARGET_CALL_SECONDS
                per_rep = max(elapsed / count, 1e-7)
                chunk = max(1, min(int(self.TARGET_CALL_SECONDS / per_rep), 8 * chunk))
        return out


def _run_ranges(ranges: list[tuple[dict[str, Any], str, int]], seed: int, count: int, jobs: int,
                executor: Executor | None, chunk_size: int | None, progress: _Progress) -> list[np.ndarray]:
    """Summaries of replications [first, first + count) of each validated (doc, variant, first), in C++
    threads or on an executor: one (count x metrics) array per range, in order. For optimize(),
    which needs replications that do not start at 0."""
    units = [_Unit({}, "", None, variant, doc) for doc, variant, _ in ranges]
    runner = _Runner(seed, jobs, chunk_size, executor, None, progress)
    return runner.ranges(units, [first for _, _, first in ranges], count)


def _worst_half_width(blocks: list[np.ndarray], metric: str) -> float:
    worst = 0.0
    for block in blocks:
        _, _, lo, hi, _ = mean_ci(block[:, METRICS.index(metric)])
        worst = max(worst, (hi - lo) / 2 if not np.isnan(lo) else float("inf"))
    return worst


def _replicate(units: list[_Unit], runner: _Runner, replications: Any, precision: Any,
               max_replications: Any) -> tuple[list[np.ndarray], dict[str, Any] | None]:
    """Every unit's replications: a fixed number, or batches until the precision target is met."""
    if replications != "auto":
        blocks = runner.batch(units, 0, replications)
        return blocks, None
    metric, half = _target(precision)
    limit = _check_positive_int(max_replications, "max_replications", minimum=2)
    done, target = 0, min(_AUTO_BATCH, limit)
    blocks = [np.empty((0, len(METRICS))) for _ in units]
    while True:
        runner.progress.grow(target * len(units))
        new = runner.batch(units, done, target)
        blocks = [np.concatenate([b, n]) for b, n in zip(blocks, new, strict=True)]
        done = target
        worst = _worst_half_width(blocks, metric)
        if worst <= half or done >= limit:
            return blocks, {"metric": metric, "half_width": half, "reached": bool(worst <= half)}
        target = min(limit, done + max(_AUTO_BATCH, done // 2))


def _frame(units: list[_Unit], blocks: list[np.ndarray], config_columns: list[str]) -> pd.DataFrame:
    """The tidy frame: config columns, policy, replication, then every metric; built in one go."""
    counts = [len(b) for b in blocks]
    data = np.concatenate(blocks) if blocks else np.empty((0, len(METRICS)))
    df = pd.DataFrame(data, columns=list(METRICS))
    df.insert(0, "replication", np.concatenate([np.arange(n, dtype=np.int64) for n in counts]))
    df.insert(0, "policy", np.repeat(np.array([u.name for u in units], dtype=object), counts))
    for i, key in enumerate(config_columns):
        values = np.empty(len(units), dtype=object)
        values[:] = [u.config[key] for u in units]
        df.insert(i, key, pd.Series(np.repeat(values, counts)).infer_objects())
    return df


def _versions() -> dict[str, str]:
    return {"stocklab_version": _core.__version__, "boost_version": _core.boost_version}


def _experiment(sc: Scenario, configs: list[tuple[dict[str, Any], Scenario]], policies: Any, replications: Any,
                seed: int | None, jobs: int | None, executor: Executor | None, progress: bool | None,
                precision: Mapping[str, Any] | None, max_replications: int, chunk_size: int | None,
                replenishment: Any) -> Experiment:
    seed = sc.seed if seed is None else check_seed(seed)
    jobs = check_jobs(jobs)
    chunk_size = _check_chunk_size(chunk_size)
    if executor is not None and not hasattr(executor, "submit"):
        raise TypeError(f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}")
    if replications is None:
        replications = sc.replications
    if replications != "auto":
        if isinstance(replications, bool) or not isinstance(replications, numbers.Integral) or replications < 1:
            raise ValueError(f'replications must be a positive int or "auto", got {replications!r}')
        replications = int(replications)
    factory = policy_factory(replenishment)
    # Resolve and validate every (configuration, policy) before running anything.
    units: list[_Unit] = []
    names: list[str] = []
    for config, csc in configs:
        resolved = _resolve_policies(csc, policies)
        names = list(resolved)
        cells = {k: _cell(v) for k, v in config.items()}
        units += [_Unit(cells, name, vsc, variant) for name, (vsc, variant) in resolved.items()]
    _check_experiment_fields(sc, units)

    n_first = replications if replications != "auto" else _AUTO_BATCH
    bar = _Progress(n_first * len(units), progress, sc.name)
    try:
        store = sc.to_dict().get("schema_version") == 2  # per-item and per-segment tables for a store
        runner = _Runner(seed, jobs, chunk_size, executor, factory, bar, {} if store else None)
        blocks, reached = _replicate(units, runner, replications, precision, max_replications)
    finally:
        bar.close()
    config_columns = list(configs[0][0])
    meta: dict[str, Any] = {
        "scenario": sc.name,
        "seed": seed,
        "replications": len(blocks[0]),
        "policies": names,
        "configurations": len(configs),
        "scenario_doc": sc.to_dict(),
        **_versions(),
    }
    if factory is not None:
        meta["replenishment"] = _describe(replenishment)
    if reached is not None:
        meta["precision"] = reached
    tables = {}
    if runner.tables is not None:
        tables = {"items": _table_frame(units, runner.tables, config_columns, "item"),
                  "segments": _table_frame(units, runner.tables, config_columns, "segment")}
    return Experiment(_frame(units, blocks, config_columns), meta, config_columns, **tables)


_TABLES = {"item": (0, "item_ids", "item_metric_info"), "segment": (1, "segment_ids", "segment_metric_info")}


def _table_frame(units: list[_Unit], tables: dict[int, list[tuple[np.ndarray, np.ndarray]]],
                 config_columns: list[str], by: str) -> pd.DataFrame:
    """The tidy per-item (or per-segment) frame: config columns, policy, replication, item, metrics."""
    part, ids_attr, info = _TABLES[by]
    names = [m["name"] for m in getattr(_core, info)]
    frames = []
    for i, u in enumerate(units):
        data = np.concatenate([t[part] for t in tables.get(i, [])])  # replications x rows x metrics
        reps, rows = data.shape[0], data.shape[1]
        df = pd.DataFrame(data.reshape(reps * rows, len(names)), columns=names)
        df.insert(0, by, pd.Categorical(np.tile(getattr(u.parsed, ids_attr), reps),
                                        categories=list(getattr(u.parsed, ids_attr))))
        df.insert(0, "replication", np.repeat(np.arange(reps, dtype=np.int64), rows))
        df.insert(0, "policy", u.name)
        for k, key in enumerate(config_columns):
            df.insert(k, key, [u.config[key]] * len(df))
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _describe(replenishment: Any) -> str:
    """The custom policy's name, for the metadata (the policy itself is not saved)."""
    cls = replenishment if isinstance(replenishment, type) else type(replenishment)
    name = getattr(cls, "__qualname__", None) or type(replenishment).__name__
    return f"{getattr(cls, '__module__', '?')}.{name}"


# results ----------------------------------------------------------------------------------------
class Experiment:
    """Results of :func:`compare` or :func:`sweep`.

    ``replications``: tidy DataFrame, one row per (configuration, policy, replication) with every
    metric; a swept field whose values are dicts or lists holds them as JSON text. :meth:`summary`
    gives mean, standard error and CI; :meth:`differences` gives paired differences against a
    baseline policy (common random numbers) beside the unpaired CI; :meth:`config_differences` does
    the same between swept configurations. CI columns are named by level (``ci95_low`` at 0.95,
    ``ci90_low`` at 0.9). ``meta``: scenario, seed, replications, policies, configurations, versions.
    """

    def __init__(self, replications: pd.DataFrame, meta: dict[str, Any], config_columns: list[str],
                 items: pd.DataFrame | None = None, segments: pd.DataFrame | None = None) -> None:
        self.replications = replications
        self.meta = meta
        self.config_columns = config_columns
        #: A store's per-item results: one row per (configuration, policy, replication, item) with every
        #: item metric (None for a one-item scenario, whose summary is the item).
        self.items = items
        #: Per customer segment, likewise (None for a one-item scenario).
        self.segments = segments

    def _table(self, by: str | None) -> tuple[pd.DataFrame, list[str], list[str] | None]:
        """The frame for ``by`` (None: the store's), its grouping columns and its metrics (None: the
        store's, see :meth:`_metrics`)."""
        if by is None:
            return self.replications, [], None
        if by not in _TABLES:
            raise ValueError(f'by must be None, "item" or "segment", got {by!r}')
        df = self.items if by == "item" else self.segments
        if df is None:
            raise ValueError(f'by="{by}" needs a store-format scenario (schema_version 2): this experiment '
                             "has no per-item or per-segment results")
        return df, [by], [m["name"] for m in getattr(_core, _TABLES[by][2])]

    @property
    def policies(self) -> list[str]:
        """The policies' names, in the order they ran."""
        return list(self.meta["policies"])

    @property
    def metrics(self) -> list[str]:
        """The metrics present in ``replications``, in the engine's order."""
        return [m for m in METRICS if m in self.replications.columns]

    def summary(self, metrics: Sequence[str] | str | None = None, level: float = 0.95,
                by: str | None = None) -> pd.DataFrame:
        """Mean, sem and CI per (configuration, policy, metric): a tidy DataFrame.

        The CI columns are named by ``level``: ``ci95_low``/``ci95_high`` at 0.95, ``ci90_low``/
        ``ci90_high`` at 0.9 (``stocklab.stats.ci_columns(level)`` gives the names). ``by="item"``
        or ``"segment"``: per item or customer segment of a store (their own metrics).
        """
        level = check_level(level)
        df, group, known = self._table(by)
        return summarize(df, [*self.config_columns, "policy", *group], self._metrics(metrics, known), level)

    def table(self, metrics: Sequence[str] | str | None = None, level: float = 0.95) -> pd.DataFrame:
        """Wide view for reading: one row per metric, ``mean [lo, hi]`` per policy."""
        s = self.summary(metrics, level)
        lo, hi = ci_columns(level)

        def fmt(r: pd.Series) -> str:
            if np.isnan(r["mean"]):
                return "n/a"
            if np.isnan(r[lo]):
                return format_number(r["mean"])
            return f"{format_number(r['mean'])} [{format_number(r[lo])}, {format_number(r[hi])}]"

        s = s.assign(value=s.apply(fmt, axis=1))
        idx = [*self.config_columns, "metric"]
        wide = s.pivot_table(index=idx, columns="policy", values="value", aggfunc="first", sort=False)
        wide = wide[[p for p in self.policies if p in wide.columns]]
        wide.columns.name = None
        return wide

    def differences(self, baseline: str | None = None, metrics: Sequence[str] | str | None = None,
                    level: float = 0.95, by: str | None = None) -> pd.DataFrame:
        """Paired differences (policy - baseline) per metric, with CIs and the variance reduction.

        ``variance_reduction`` is NaN when the paired difference does not vary; ``note`` says why.
        ``by="item"`` (or ``"segment"``): one row per item (segment) of a store and metric, paired by
        replication like the store's.
        """
        baseline = baseline or self.policies[0]
        if baseline not in self.policies:
            raise ValueError(f"baseline {baseline!r} is not one of {self.policies}")
        df, group, known = self._table(by)
        return paired_differences(df, baseline, self._metrics(metrics, known), [*self.config_columns, *group], level)

    def select(self, config: Mapping[str, Any] | None = None,
               policies: Sequence[str] | str | None = None) -> Experiment:
        """The rows of some configurations and/or policies.

        ``config`` maps a swept field to a value or a list of values:
        ``exp.select({"replenishment.s": [80, 120]})``. (To select a list-valued field's value, wrap
        it in a list: ``[[1, 2]]``.)
        """
        meta = dict(self.meta)
        if policies is not None:
            policies = [policies] if isinstance(policies, str) else list(policies)
            unknown = [p for p in policies if p not in self.policies]
            if unknown:
                raise KeyError(f"unknown policies {unknown}; known: {self.policies}")
            meta["policies"] = [p for p in self.policies if p in policies]
        for key in config or {}:
            if key not in self.config_columns:
                raise KeyError(f"{key!r} is not a swept field; swept: {self.config_columns}")

        def keep(df: pd.DataFrame | None) -> pd.DataFrame | None:
            if df is None:
                return None
            for key, value in (config or {}).items():
                wanted = value if _is_value_list(value) else [value]
                df = df[df[key].isin([_cell(v) for v in wanted])]
            if policies is not None:
                df = df[df["policy"].isin(policies)]
            return df.reset_index(drop=True)

        df = keep(self.replications)
        assert df is not None
        if df.empty:
            raise ValueError(f"no replications match config={dict(config or {})} policies={policies}")
        if self.config_columns:
            meta["configurations"] = len(df[self.config_columns].drop_duplicates())
        return Experiment(df, meta, self.config_columns, keep(self.items), keep(self.segments))

    def config_differences(self, baseline: Mapping[str, Any], metrics: Sequence[str] | str | None = None,
                           policy: str | None = None, level: float = 0.95) -> pd.DataFrame:
        """Paired differences of every swept configuration against ``baseline`` (one policy).

        Every configuration of a sweep runs on the same random numbers, so replication r of two
        configurations pairs up just as two policies do. ``identical_to`` flags a configuration
        whose replications equal an earlier one's in every metric (say, a cap that never binds): the
        same contender, not a separate one ("" otherwise).
        """
        if not self.config_columns:
            raise ValueError("config_differences() needs a sweep; use differences() to compare policies")
        policy = policy or self.policies[0]
        if policy not in self.policies:
            raise ValueError(f"policy {policy!r} is not one of {self.policies}")
        missing = [c for c in self.config_columns if c not in baseline]
        if missing:
            raise ValueError(f"baseline must give every swept field; missing {missing}")
        df = self.replications[self.replications["policy"] == policy]
        labels = df[self.config_columns].apply(lambda r: json.dumps([_plain(v) for v in r]), axis=1)
        base_label = json.dumps([_cell(baseline[c]) for c in self.config_columns])
        if base_label not in set(labels):
            raise ValueError(f"baseline {dict(baseline)} is not one of the swept configurations")
        paired = paired_differences(df.assign(policy=labels), base_label, self._metrics(metrics), [], level)
        configs = pd.DataFrame([json.loads(x) for x in paired["policy"]], columns=self.config_columns)
        out = pd.concat([configs, paired.drop(columns=["policy", "baseline"])], axis=1)
        out.insert(len(self.config_columns), "policy", policy)
        same = _identical_groups(df.assign(label=labels), self.metrics)
        out["identical_to"] = [_config_text(self.config_columns, same.get(x, "")) for x in paired["policy"]]
        out.attrs["level"] = paired.attrs["level"]
        return out

    def _metrics(self, metrics: Sequence[str] | str | None, known: list[str] | None = None) -> list[str]:
        """The metrics asked for, checked against ``known`` (default: the store's, and any other column
        of ``replications`` such as an optimisation's ``objective``)."""
        if metrics is None:
            return self.metrics if known is None else known
        if isinstance(metrics, str):
            metrics = [metrics]
        allowed = set(self.replications.columns) if known is None else set(known)
        unknown = [m for m in metrics if m not in allowed]
        if unknown:
            raise unknown_metrics(unknown, self.metrics if known is None else known)
        return list(metrics)

    # persistence -------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        """Save in the format the extension names: ``.csv``, ``.parquet`` or ``.json``."""
        getattr(self, f"to_{results_format(path)}")(path)

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """A plain CSV (one header line, opens in pandas and spreadsheets) and its metadata beside it
        in ``<path>.meta.json``; read both back with :func:`load_results`. Written to temporary files
        first and renamed, so an interruption leaves no partial file."""
        p = os.fspath(path)
        with _replacing(p) as data, _replacing(_sidecar(p)) as meta:
            self.replications.to_csv(data, index=False)
            with open(meta, "w", encoding="utf-8") as f:
                json.dump(self._meta_json(), f, indent=1)

    def to_parquet(self, path: str | os.PathLike[str]) -> None:
        """Parquet with the metadata in the file's key-value metadata (needs pyarrow); written to a
        temporary file first and renamed, so an interruption leaves no partial file."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(self.replications, preserve_index=False)
        md = dict(table.schema.metadata or {})
        md[b"stocklab"] = json.dumps(self._meta_json()).encode()
        with _replacing(os.fspath(path)) as tmp:
            pq.write_table(table.replace_schema_metadata(md), tmp)

    def to_json(self, path: str | os.PathLike[str]) -> None:
        """One JSON object: ``{"stocklab": metadata, "columns": [...], "data": [[row], ...]}``, NaN as
        null, floats exact; written to a temporary file first and renamed."""
        head = {"stocklab": self._meta_json(), "columns": list(self.replications.columns)}
        with _replacing(os.fspath(path)) as tmp, open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(head)[:-1] + ', "data": [')
            for i, rows in enumerate(_json_rows(self.replications)):
                f.write((", " if i else "") + rows)
            f.write("]}")

    def _meta_json(self) -> dict[str, Any]:
        # Text columns (pandas 2: object, pandas 3: str) must be read back as text: "007" is no number.
        text = [c for c in self.config_columns if not pd.api.types.is_numeric_dtype(self.replications[c])]
        return {**self.meta, "config_columns": self.config_columns, "text_columns": text}

    def __repr__(self) -> str:
        n = self.replications["replication"].nunique() if len(self.replications) else 0
        cfg = f", {self.replications[self.config_columns].drop_duplicates().shape[0]} configurations" \
            if self.config_columns else ""
        return f"Experiment({self.meta['scenario']!r}, policies={self.policies}, replications={n}{cfg})"

    def _repr_html_(self) -> str:
        from .display import experiment_html

        return experiment_html(self)


def _json_rows(df: pd.DataFrame, chunk: int = 10_000) -> Iterator[str]:
    """The rows as JSON arrays, comma-separated, a chunk at a time (memory stays bounded)."""
    for start in range(0, len(df), chunk):
        part = df.iloc[start:start + chunk]
        rows = part.astype(object).where(part.notna(), None).to_numpy().tolist()
        yield json.dumps(rows, allow_nan=False)[1:-1]


def _is_value_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, range, np.ndarray, pd.Series))


def _identical_groups(df: pd.DataFrame, metrics: list[str]) -> dict[str, str]:
    """label -> the first earlier label whose replications are identical in every metric."""
    first: dict[bytes, str] = {}
    out: dict[str, str] = {}
    for label, g in df.groupby("label", sort=False):
        key = np.ascontiguousarray(g.sort_values("replication")[metrics].to_numpy(dtype=float)).tobytes()
        if key in first:
            out[label] = first[key]
        else:
            first[key] = label
    return out


def _config_text(columns: list[str], label: str) -> str:
    """``a=1, b=2`` for a configuration label (JSON list of values); "" for none."""
    if not label:
        return ""
    return ", ".join(f"{c}={json.dumps(v)}" for c, v in zip(columns, json.loads(label), strict=True))


# persistence ------------------------------------------------------------------------------------
def results_format(path: str | os.PathLike[str]) -> Literal["csv", "parquet", "json"]:
    """The results format an output path names by its extension, or a ValueError."""
    p = os.fspath(path)
    if not p:
        raise ValueError("the output path is empty: give a file name ending in .csv, .parquet or .json")
    ext = os.path.splitext(p)[1].lower()
    if ext not in _FORMATS:
        raise ValueError(f"{p!r}: unknown output format {ext or '(no extension)'!r}; "
                         "use a name ending in .csv, .parquet or .json")
    return _FORMATS[ext]  # type: ignore[return-value]


def check_destination(path: str | os.PathLike[str]) -> None:
    """Fail before a long run, not after it: the extension names a known format (and pyarrow is
    installed for parquet), the folder exists and a file can be created in it."""
    fmt = results_format(path)
    p = os.path.abspath(os.fspath(path))
    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise ValueError(f"{os.fspath(path)!r}: writing parquet needs pyarrow (pip install pyarrow)")
    folder = os.path.dirname(p)
    if not os.path.isdir(folder):
        raise ValueError(f"{os.fspath(path)!r}: the folder {folder!r} does not exist")
    if os.path.isdir(p):
        raise ValueError(f"{os.fspath(path)!r} is a folder; give a file name")
    try:
        probe = os.path.join(folder, f".stocklab-write-test-{secrets.token_hex(4)}")
        with open(probe, "x"):
            pass
        os.unlink(probe)
    except OSError as e:
        raise ValueError(f"{os.fspath(path)!r}: cannot write in {folder!r} ({e.strerror or e})") from None


@contextlib.contextmanager
def _replacing(path: str) -> Iterator[str]:
    """A temporary path beside ``path`` that replaces it (os.replace: atomic) once the block succeeds;
    on any error or interruption the temporary file is removed and ``path`` is left as it was."""
    folder, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _sidecar(path: str) -> str:
    return path + ".meta.json"


# pandas 3 reads floats exactly by default and deprecates the option that pandas 2 needs for it.
_ROUND_TRIP: dict[str, Any] = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
_OLD_CSV_MARK = "# stocklab "  # before 0.2, CSV files carried their metadata as a first comment line


def _read_csv(p: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    with open(p, encoding="utf-8") as f:
        first = f.readline()
        if first.startswith(_OLD_CSV_MARK):
            meta = json.loads(first[len(_OLD_CSV_MARK):])
        else:
            f.seek(0)
            try:
                with open(_sidecar(p), encoding="utf-8") as m:
                    meta = json.load(m)
            except FileNotFoundError:
                raise ValueError(f"{p}: no metadata file {_sidecar(p)} beside it (stocklab writes both); "
                                 "a CSV from elsewhere reads with pandas.read_csv") from None
        # Exactly what was written: policy names and text values such as "NA" or "None" stay strings;
        # only the metrics' empty fields are NaN.
        text = ["policy", *meta.get("text_columns", [])]
        df = pd.read_csv(f, dtype={c: str for c in text}, keep_default_na=False,
                         na_values={m: [""] for m in METRICS}, **_ROUND_TRIP)
    return df, meta


def _read_parquet(p: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(p)
    except pa.ArrowException as e:
        raise ValueError(f"{p}: not a readable parquet file ({e})") from None
    md = table.schema.metadata or {}
    if b"stocklab" not in md:
        raise ValueError(f"{p}: a parquet file without stocklab metadata (not written by stocklab)")
    return table.to_pandas(), json.loads(md[b"stocklab"])


def _read_json(p: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    with open(p, encoding="utf-8") as f:
        try:
            doc = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{p}: not a complete JSON file ({e})") from None
    if not isinstance(doc, dict) or not {"stocklab", "columns", "data"} <= set(doc):
        raise ValueError(f"{p}: not a stocklab results file (no stocklab, columns and data keys)")
    df = pd.DataFrame(doc["data"], columns=doc["columns"])
    metrics = [m for m in METRICS if m in df.columns]
    df[metrics] = df[metrics].astype(float)
    return df, doc["stocklab"]


def _check_complete(p: str, df: pd.DataFrame, meta: dict[str, Any], config_columns: list[str]) -> None:
    """The rows must be every (configuration, policy, replication) the metadata describes."""
    n, policies = int(meta["replications"]), list(meta["policies"])
    missing = [c for c in [*config_columns, "policy", "replication"] if c not in df.columns]
    if missing:
        raise ValueError(f"{p}: columns {missing} are missing")
    configs = meta.get("configurations") or (len(df[config_columns].drop_duplicates()) if config_columns else 1)
    expected = n * len(policies) * configs
    found = set(df["policy"].unique())
    if len(df) != expected or found != set(policies):
        raise ValueError(
            f"{p}: {len(df)} rows of policies {sorted(found)}, but its metadata describes {n} replications x "
            f"{len(policies)} policies {policies} x {configs} configurations = {expected} rows: the file is "
            "incomplete (an interrupted write?) or was edited")


def load_results(path: str | os.PathLike[str]) -> Experiment:
    """Read an experiment saved with ``to_csv``, ``to_parquet`` or ``to_json`` (or ``save``).

    Refuses a file whose rows do not match its metadata (replications x policies x configurations).
    Also reads CSV files of stocklab 0.1, whose metadata is a first comment line.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load_results() needs a path, got {type(path).__name__}")
    p = os.fspath(path)
    ext = os.path.splitext(p)[1].lower()
    reader = {".parquet": _read_parquet, ".json": _read_json}.get(ext, _read_csv)
    df, meta = reader(p)
    config_columns = meta.pop("config_columns", [])
    meta.pop("text_columns", None)
    _check_complete(p, df, meta, config_columns)
    return Experiment(df, meta, config_columns)


# the public entry points --------------------------------------------------------------------------
def compare(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    policies: str | Sequence[str] | Mapping[str, str | Mapping[str, Any] | Scenario] | None = None,
    replications: int | Literal["auto"] | None = None,
    seed: int | None = None,
    *,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    precision: Mapping[str, Any] | None = None,
    max_replications: int = 10000,
    chunk_size: int | None = None,
    replenishment: _core.ReplenishmentPolicy | Callable[[], _core.ReplenishmentPolicy] | None = None,
) -> Experiment:
    """Run every policy on the same replications (common random numbers) and summarise.

    ``policies``: None (the scenario's ``policies``), a list of variant names, or a dict mapping a
    display name to a variant name, a dict of section overrides, or a Scenario. Every policy runs
    with one seed and one number of replications: a variant that sets another ``run.seed`` or
    ``run.replications`` is refused (pass ``seed=`` and ``replications=`` instead).
    ``replications``: an int (default: the scenario's ``run.replications``) or ``"auto"`` with
    ``precision={"metric": ..., "half_width": ...}``: batches are added until every policy's 95% CI
    half-width on that metric is within the target, or ``max_replications`` is reached.
    ``seed``: default the scenario's ``run.seed``; replication r of every policy is
    ``simulate(scenario, seed, policy=..., replication=r)``.
    ``jobs``: C++ threads (default: one per core; at most 4 per core, or 256). ``executor``: any
    concurrent.futures.Executor (a process pool, a dask ``Client.get_executor()``); results are
    identical either way. ``chunk_size``: replications per engine call (threads) or per executor
    task (default: sized automatically, calls of about a second, about 20 tasks per policy).
    ``progress``: a progress bar (default: on a terminal or in Jupyter, shown after 2 seconds;
    ``STOCKLAB_NO_PROGRESS=1`` turns it off).
    ``replenishment``: a custom Python replenishment policy replacing every variant's: an instance,
    copied afresh for every replication (its class with a deep copy of its attributes, so no state
    passes between replications), or a factory of one such as the class itself. Replication r then
    equals ``simulate(..., replication=r, replenishment=<a fresh copy>)`` bit for bit, on threads
    (Python calls take turns on the GIL) or on a process executor (the policy's class must then be
    importable by the workers).
    """
    sc = as_scenario(scenario)
    return _experiment(sc, [({}, sc)], policies, replications, seed, jobs, executor, progress, precision,
                       max_replications, chunk_size, replenishment)


def sweep(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    grid: Mapping[str, Iterable[Any]],
    replications: int | Literal["auto"] | None = None,
    seed: int | None = None,
    *,
    policies: str | Sequence[str] | Mapping[str, str | Mapping[str, Any] | Scenario] | None = None,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    precision: Mapping[str, Any] | None = None,
    max_replications: int = 10000,
    chunk_size: int | None = None,
    replenishment: _core.ReplenishmentPolicy | Callable[[], _core.ReplenishmentPolicy] | None = None,
) -> Experiment:
    """Run every combination of the grid (dotted scenario paths -> values) for every policy.

    Every configuration is validated before anything runs; all share the same random numbers, so
    :meth:`Experiment.config_differences` pairs them. ``run.seed`` and ``run.replications`` cannot
    be swept (pass ``seed=`` and ``replications=``); a dict or list value is kept as JSON text in
    ``replications``. Other arguments as in :func:`compare`.
    """
    sc = as_scenario(scenario)
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError('grid must be a non-empty dict such as {"replenishment.s": [20, 40, 60]}')
    keys = list(grid)
    values = []
    for k in keys:
        v = grid[k]
        if isinstance(v, (str, bytes, Mapping)) or not isinstance(v, Iterable):
            raise ValueError(f"grid[{k!r}] must be a list of values, got {type(v).__name__}")
        v = list(v)
        if not v:
            raise ValueError(f"grid[{k!r}] is empty")
        if isinstance(k, str):
            _check_grid_key(k, v)
        values.append(v)
    configs = []
    for combo in itertools.product(*values):
        config = dict(zip(keys, combo, strict=True))
        configs.append((config, sc.with_overrides(config)))
    return _experiment(sc, configs, policies, replications, seed, jobs, executor, progress, precision,
                       max_replications, chunk_size, replenishment)
