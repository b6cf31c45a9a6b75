"""Experiments: compare policies and sweep parameters over many replications, in C++ threads or on
any concurrent.futures.Executor (a process pool, a dask cluster), with common random numbers."""

from __future__ import annotations

import itertools
import json
import numbers
import os
import sys
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, Future
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from .metrics import format_number
from .results import METRICS
from .run import as_scenario, check_seed
from .scenario import Scenario
from .stats import mean_ci, paired_differences, summarize

__all__ = ["compare", "sweep", "Experiment", "load_results", "run_block"]

_AUTO_BATCH = 20


def run_block(doc: dict[str, Any], policy: str, seed: int, first: int, count: int, jobs: int = 1) -> np.ndarray:
    """Summaries of replications [first, first + count) of one variant. Picklable work unit for executors."""
    parsed = _core.parse_scenario(doc, policy)
    return _core.run_replications(parsed, seed, first, count, jobs)


def _check_jobs(jobs: Any) -> int:
    if jobs is None:
        return max(1, _core.hardware_jobs())
    if isinstance(jobs, bool) or not isinstance(jobs, numbers.Integral) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got {jobs!r}")
    return int(jobs)


def _resolve_policies(sc: Scenario, policies: Any) -> dict[str, Scenario | str]:
    """Map display name -> variant name in sc (str) or a standalone Scenario."""
    if policies is None:
        names = sc.policies
        return {n: n for n in names} if names else {"base": ""}
    if isinstance(policies, str):
        policies = [policies]
    if isinstance(policies, Mapping):
        out: dict[str, Scenario | str] = {}
        for name, spec in policies.items():
            if not isinstance(name, str):
                raise TypeError(f"policy names must be str, got {type(name).__name__}")
            if isinstance(spec, str):
                out[name] = spec
                sc.parsed(spec)
            elif isinstance(spec, Scenario):
                out[name] = spec
            elif isinstance(spec, Mapping):
                # A merge patch of scenario sections, like an entry of the file's "policies".
                doc = sc.to_dict()
                doc["policies"] = {name: dict(spec)}
                out[name] = Scenario(doc).with_policy(name)
            else:
                raise TypeError(
                    f"policies[{name!r}] must be a variant name, a dict of section overrides or a Scenario, "
                    f"got {type(spec).__name__}"
                )
        return out
    if isinstance(policies, Iterable):
        out = {}
        for name in policies:
            if not isinstance(name, str):
                raise TypeError(f"policy names must be str, got {type(name).__name__}")
            sc.parsed(name)
            out[name] = name
        return out
    raise TypeError(f"policies must be None, a list of names or a dict, got {type(policies).__name__}")


class _Progress:
    def __init__(self, total: int, enabled: bool | None, desc: str) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty() and not os.environ.get("STOCKLAB_NO_PROGRESS")
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="rep", leave=False)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _run_tasks(
    tasks: list[tuple[dict[str, Any], str, int, int, int]],
    executor: Executor,
    progress: _Progress,
) -> list[np.ndarray]:
    """Run (doc, policy, seed, first, count) tasks on an executor; results in task order."""
    from concurrent.futures import as_completed

    futures: dict[Future, int] = {executor.submit(run_block, *t): i for i, t in enumerate(tasks)}
    results: list[np.ndarray] = [np.empty(0)] * len(tasks)
    try:
        for f in as_completed(futures):
            i = futures[f]
            results[i] = f.result()
            progress.update(tasks[i][4])
    except BaseException:
        for f in futures:
            f.cancel()
        raise
    return results


# Each call into the engine starts fresh threads, and Linux starts a new thread on its parent's core,
# moving it to an idle core only at the next load balancing (some milliseconds later): calls much
# shorter than this target lose most of the parallel speed-up (measured: none at 50 ms a call, 1.35x
# at 350 ms on 2 cores).
_TARGET_CALL_SECONDS = 1.0


def _run_threaded(doc: dict[str, Any], variant: str, seed: int, first: int, stop: int, jobs: int,
                  chunk_size: int | None, progress: _Progress) -> list[np.ndarray]:
    """Replications [first, stop) of one variant in C++ threads, in calls sized by measured speed."""
    parsed = _core.parse_scenario(doc, variant)
    out = []
    chunk = chunk_size or max(1, min(stop - first, 4 * jobs))
    while first < stop:
        count = min(chunk, stop - first)
        t0 = time.perf_counter()
        out.append(_core.run_replications(parsed, seed, first, count, jobs))
        elapsed = time.perf_counter() - t0
        progress.update(count)
        first += count
        if chunk_size is None:  # grow toward calls of about _TARGET_CALL_SECONDS
            per_rep = max(elapsed / count, 1e-7)
            chunk = max(1, min(int(_TARGET_CALL_SECONDS / per_rep), 8 * chunk))
    return out


def _run_ranges(ranges: list[tuple[dict[str, Any], str, int]], seed: int, count: int, jobs: int,
                executor: Executor | None, chunk_size: int | None, progress: _Progress) -> list[np.ndarray]:
    """Summaries of replications [first, first + count) of each (doc, variant, first) in ``ranges``, in
    C++ threads or on an executor: one (count x metrics) array per range, in order.

    The one runner of compare(), sweep() and optimize() (which needs replications that do not start
    at 0: fresh ones for an unbiased estimate, and a batch at a time for sequential procedures).
    """
    if count < 1:
        return [np.empty((0, len(METRICS))) for _ in ranges]
    if executor is None:
        return [np.concatenate(_run_threaded(doc, variant, seed, first, first + count, jobs, chunk_size, progress))
                for doc, variant, first in ranges]
    # About 20 tasks per range: enough progress updates and load balance across workers, few enough
    # that the cost of shipping a task stays small.
    chunk = chunk_size or max(1, -(-count // 20))
    tasks, owners = [], []
    for u, (doc, variant, first) in enumerate(ranges):
        for start in range(first, first + count, chunk):
            tasks.append((doc, variant, seed, start, min(chunk, first + count - start)))
            owners.append(u)
    blocks: list[list[np.ndarray]] = [[] for _ in ranges]
    for u, block in zip(owners, _run_tasks(tasks, executor, progress), strict=True):
        blocks[u].append(block)
    return [np.concatenate(b) for b in blocks]


class Experiment:
    """Results of :func:`compare` or :func:`sweep`.

    ``replications``: tidy DataFrame, one row per (configuration, policy, replication) with every
    metric. :meth:`summary` gives mean, standard error and 95% CI; :meth:`differences` gives paired
    differences against a baseline policy (common random numbers) beside the unpaired CI.
    """

    def __init__(self, replications: pd.DataFrame, meta: dict[str, Any], config_columns: list[str]) -> None:
        self.replications = replications
        self.meta = meta
        self.config_columns = config_columns

    @property
    def policies(self) -> list[str]:
        return list(self.meta["policies"])

    @property
    def metrics(self) -> list[str]:
        return [m for m in METRICS if m in self.replications.columns]

    def summary(self, metrics: list[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """Mean, sem and CI per (configuration, policy, metric): a tidy DataFrame."""
        metrics = self._metrics(metrics)
        return summarize(self.replications, [*self.config_columns, "policy"], metrics, level)

    def table(self, metrics: list[str] | None = None) -> pd.DataFrame:
        """Wide view for reading: one row per metric, ``mean [lo, hi]`` per policy."""
        s = self.summary(metrics)

        def fmt(r: pd.Series) -> str:
            if np.isnan(r["mean"]):
                return "n/a"
            if np.isnan(r["ci95_low"]):
                return format_number(r["mean"])
            return (f"{format_number(r['mean'])} [{format_number(r['ci95_low'])}, "
                    f"{format_number(r['ci95_high'])}]")

        s = s.assign(value=s.apply(fmt, axis=1))
        idx = [*self.config_columns, "metric"]
        wide = s.pivot_table(index=idx, columns="policy", values="value", aggfunc="first", sort=False)
        wide = wide[[p for p in self.policies if p in wide.columns]]
        wide.columns.name = None
        return wide

    def differences(self, baseline: str | None = None, metrics: list[str] | None = None,
                    level: float = 0.95) -> pd.DataFrame:
        """Paired differences (policy - baseline) per metric, with CIs and the variance reduction."""
        baseline = baseline or self.policies[0]
        if baseline not in self.policies:
            raise ValueError(f"baseline {baseline!r} is not one of {self.policies}")
        return paired_differences(self.replications, baseline, self._metrics(metrics), self.config_columns, level)

    def select(self, config: Mapping[str, Any] | None = None, policies: list[str] | None = None) -> Experiment:
        """The rows of some configurations and/or policies, e.g. ``exp.select({"replenishment.s": 80})``."""
        df = self.replications
        for key, value in (config or {}).items():
            if key not in self.config_columns:
                raise KeyError(f"{key!r} is not a swept field; swept: {self.config_columns}")
            df = df[df[key] == value]
        meta = dict(self.meta)
        if policies is not None:
            unknown = [p for p in policies if p not in self.policies]
            if unknown:
                raise KeyError(f"unknown policies {unknown}; known: {self.policies}")
            df = df[df["policy"].isin(policies)]
            meta["policies"] = [p for p in self.policies if p in policies]
        if df.empty:
            raise ValueError(f"no replications match config={dict(config or {})} policies={policies}")
        return Experiment(df.reset_index(drop=True), meta, self.config_columns)

    def config_differences(self, baseline: Mapping[str, Any], metrics: list[str] | None = None,
                           policy: str | None = None, level: float = 0.95) -> pd.DataFrame:
        """Paired differences of every swept configuration against ``baseline`` (one policy).

        Every configuration of a sweep runs on the same random numbers, so replication r of two
        configurations pairs up just as two policies do.
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
        base_label = json.dumps([_plain(baseline[c]) for c in self.config_columns])
        if base_label not in set(labels):
            raise ValueError(f"baseline {dict(baseline)} is not one of the swept configurations")
        paired = paired_differences(df.assign(policy=labels), base_label, self._metrics(metrics), [], level)
        configs = pd.DataFrame([json.loads(x) for x in paired["policy"]], columns=self.config_columns)
        out = pd.concat([configs, paired.drop(columns=["policy", "baseline"])], axis=1)
        out.insert(len(self.config_columns), "policy", policy)
        return out

    def _metrics(self, metrics: list[str] | None) -> list[str]:
        if metrics is None:
            return self.metrics
        if isinstance(metrics, str):
            metrics = [metrics]
        unknown = [m for m in metrics if m not in self.replications.columns]
        if unknown:
            raise KeyError(f"unknown metrics {unknown}; known: {', '.join(self.metrics)}")
        return list(metrics)

    # persistence -------------------------------------------------------------------------------
    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """CSV with the metadata as a first comment line; read back with :func:`load_results`."""
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("# stocklab " + json.dumps(self._meta_json()) + "\n")
            self.replications.to_csv(f, index=False)

    def to_parquet(self, path: str | os.PathLike[str]) -> None:
        """Parquet with the metadata in the file's key-value metadata (needs pyarrow)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(self.replications, preserve_index=False)
        md = dict(table.schema.metadata or {})
        md[b"stocklab"] = json.dumps(self._meta_json()).encode()
        pq.write_table(table.replace_schema_metadata(md), path)

    def _meta_json(self) -> dict[str, Any]:
        return {**self.meta, "config_columns": self.config_columns}

    def __repr__(self) -> str:
        n = self.replications["replication"].nunique() if len(self.replications) else 0
        cfg = f", {self.replications[self.config_columns].drop_duplicates().shape[0]} configurations" \
            if self.config_columns else ""
        return f"Experiment({self.meta['scenario']!r}, policies={self.policies}, replications={n}{cfg})"

    def _repr_html_(self) -> str:
        from .display import experiment_html

        return experiment_html(self)


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def load_results(path: str | os.PathLike[str]) -> Experiment:
    """Read an experiment saved with ``to_csv`` or ``to_parquet``."""
    p = os.fspath(path)
    if p.endswith(".parquet"):
        import pyarrow.parquet as pq

        table = pq.read_table(p)
        meta = json.loads(table.schema.metadata[b"stocklab"])
        df = table.to_pandas()
    else:
        with open(p, encoding="utf-8") as f:
            first = f.readline()
            if not first.startswith("# stocklab "):
                raise ValueError(f"{p} is not a stocklab results file (no metadata line)")
            meta = json.loads(first[len("# stocklab "):])
            df = pd.read_csv(f)
    config_columns = meta.pop("config_columns", [])
    return Experiment(df, meta, config_columns)


def _versions() -> dict[str, str]:
    return {"stocklab_version": _core.__version__, "boost_version": _core.boost_version}


def _target(precision: Any) -> tuple[str, float]:
    if not isinstance(precision, Mapping) or "metric" not in precision or "half_width" not in precision:
        raise ValueError('replications="auto" needs precision={"metric": NAME, "half_width": H}')
    metric, h = precision["metric"], precision["half_width"]
    if metric not in METRICS:
        raise ValueError(f"precision metric {metric!r} is unknown; known: {', '.join(METRICS)}")
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not h > 0:
        raise ValueError(f"precision half_width must be a number > 0, got {h!r}")
    return metric, float(h)


def _experiment(
    sc: Scenario,
    configs: list[tuple[dict[str, Any], Scenario]],
    policies: Any,
    replications: Any,
    seed: int | None,
    jobs: int | None,
    executor: Executor | None,
    progress: bool | None,
    precision: Mapping[str, Any] | None,
    max_replications: int,
    chunk_size: int | None,
) -> Experiment:
    seed = sc.seed if seed is None else check_seed(seed)
    jobs = _check_jobs(jobs)
    if executor is not None and not hasattr(executor, "submit"):
        raise TypeError(f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}")
    # Resolve every (configuration, policy) to a standalone document before running anything.
    units: list[tuple[dict[str, Any], str, dict[str, Any], str]] = []  # (config, policy, doc, variant)
    names: list[str] = []
    for config, csc in configs:
        resolved = _resolve_policies(csc, policies)
        names = list(resolved)
        for name, spec in resolved.items():
            if isinstance(spec, Scenario):
                units.append((config, name, spec.to_dict(), ""))
            else:
                units.append((config, name, csc.to_dict(), spec))
    auto = replications == "auto"
    if auto:
        metric, half = _target(precision)
        if isinstance(max_replications, bool) or not isinstance(max_replications, numbers.Integral) \
                or max_replications < 2:
            raise ValueError(f"max_replications must be an int >= 2, got {max_replications!r}")
        n_target = min(_AUTO_BATCH, int(max_replications))
    else:
        if replications is None:
            replications = sc.replications
        if isinstance(replications, bool) or not isinstance(replications, numbers.Integral) or replications < 1:
            raise ValueError(f'replications must be a positive int or "auto", got {replications!r}')
        n_target = int(replications)

    blocks: list[list[np.ndarray]] = [[] for _ in units]
    done = 0
    bar = _Progress(n_target * len(units), progress, sc.name)
    try:
        while True:
            ranges = [(doc, variant, done) for _, _, doc, variant in units]
            for u, block in enumerate(_run_ranges(ranges, seed, n_target - done, jobs, executor, chunk_size, bar)):
                blocks[u].append(block)
            done = n_target
            if not auto:
                break
            worst = 0.0
            for u in range(len(units)):
                col = np.concatenate(blocks[u])[:, METRICS.index(metric)]
                _, _, lo, hi, _ = mean_ci(col)
                worst = max(worst, (hi - lo) / 2 if not np.isnan(lo) else float("inf"))
            if worst <= half or done >= max_replications:
                break
            n_target = min(int(max_replications), done + max(_AUTO_BATCH, done // 2))
            if bar.bar is not None:
                bar.bar.total = n_target * len(units)
                bar.bar.refresh()
    finally:
        bar.close()

    frames = []
    for u, (config, name, _, _) in enumerate(units):
        data = np.concatenate(blocks[u]) if blocks[u] else np.empty((0, len(METRICS)))
        df = pd.DataFrame(data, columns=list(METRICS))
        df.insert(0, "replication", np.arange(len(df), dtype=np.int64))
        df.insert(0, "policy", name)
        for i, (k, v) in enumerate(config.items()):
            df.insert(i, k, [v] * len(df))
        frames.append(df)
    reps = pd.concat(frames, ignore_index=True)
    meta: dict[str, Any] = {
        "scenario": sc.name,
        "seed": seed,
        "replications": int(done),
        "policies": names,
        "scenario_doc": sc.to_dict(),
        **_versions(),
    }
    if auto:
        meta["precision"] = {"metric": metric, "half_width": half, "reached": bool(worst <= half)}
    return Experiment(reps, meta, [k for k in configs[0][0]])


def compare(
    scenario: Any,
    policies: Any = None,
    replications: int | str | None = None,
    seed: int | None = None,
    *,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    precision: Mapping[str, Any] | None = None,
    max_replications: int = 10000,
    chunk_size: int | None = None,
) -> Experiment:
    """Run every policy on the same replications (common random numbers) and summarise.

    ``policies``: None (the scenario's ``policies``), a list of variant names, or a dict mapping a
    display name to a variant name, a dict of section overrides, or a Scenario.
    ``replications``: an int (default: the scenario's ``run.replications``) or ``"auto"`` with
    ``precision={"metric": ..., "half_width": ...}``: batches are added until every policy's 95% CI
    half-width on that metric is within the target, or ``max_replications`` is reached.
    ``jobs``: C++ threads (default: all cores). ``executor``: any concurrent.futures.Executor (a
    process pool, a dask ``Client.get_executor()``); results are identical either way.
    """
    sc = as_scenario(scenario)
    return _experiment(sc, [({}, sc)], policies, replications, seed, jobs, executor, progress, precision,
                       max_replications, chunk_size)


def sweep(
    scenario: Any,
    grid: Mapping[str, Iterable[Any]],
    replications: int | str | None = None,
    seed: int | None = None,
    *,
    policies: Any = None,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    precision: Mapping[str, Any] | None = None,
    max_replications: int = 10000,
    chunk_size: int | None = None,
) -> Experiment:
    """Run every combination of the grid (dotted scenario paths -> values) for every policy.

    Every configuration is validated before anything runs; all share the same random numbers.
    """
    sc = as_scenario(scenario)
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError('grid must be a non-empty dict such as {"replenishment.s": [20, 40, 60]}')
    keys = list(grid)
    values = []
    for k in keys:
        v = grid[k]
        if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
            raise ValueError(f"grid[{k!r}] must be a list of values, got {type(v).__name__}")
        v = list(v)
        if not v:
            raise ValueError(f"grid[{k!r}] is empty")
        values.append(v)
    configs = []
    for combo in itertools.product(*values):
        config = dict(zip(keys, combo, strict=True))
        configs.append((config, sc.with_overrides(config)))
    return _experiment(sc, configs, policies, replications, seed, jobs, executor, progress, precision,
                       max_replications, chunk_size)
