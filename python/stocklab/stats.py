"""Confidence intervals: Student-t intervals on means and on paired differences."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["mean_ci", "summarize", "paired_differences", "t_quantile"]


def t_quantile(n: int, level: float = 0.95) -> float:
    """Two-sided Student-t quantile for n observations (n - 1 degrees of freedom)."""
    if n < 2:
        return float("nan")
    from scipy import stats  # imported here: it is slow to import and only experiments need it

    return float(stats.t.ppf(0.5 + level / 2.0, n - 1))


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float, int]:
    """(mean, standard error, ci_low, ci_high, n) ignoring NaN values."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return (float("nan"),) * 4 + (0,)
    m = float(x.mean())
    if n < 2:
        return m, float("nan"), float("nan"), float("nan"), n
    se = float(x.std(ddof=1) / np.sqrt(n))
    h = t_quantile(n, level) * se
    return m, se, m - h, m + h, n


def summarize(df: pd.DataFrame, by: list[str], metrics: list[str], level: float = 0.95) -> pd.DataFrame:
    """Tidy summary: one row per (group, metric) with mean, sem, CI and n."""
    rows = []
    for key, g in df.groupby(by, sort=False, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        for m in metrics:
            mean, se, lo, hi, n = mean_ci(g[m].to_numpy(), level)
            rows.append((*key, m, mean, se, lo, hi, n))
    return pd.DataFrame(rows, columns=[*by, "metric", "mean", "sem", "ci95_low", "ci95_high", "n"])


def paired_differences(
    df: pd.DataFrame, baseline: str, metrics: list[str], group: list[str] | None = None, level: float = 0.95
) -> pd.DataFrame:
    """Policy minus baseline, paired by replication (common random numbers), beside the unpaired CI.

    ``variance_reduction`` is the unpaired variance of the difference over the paired one: how many
    times fewer replications the pairing needs for the same precision.
    """
    group = group or []
    rows = []
    groups = df.groupby(group, sort=False, observed=True) if group else [((), df)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        base = g[g["policy"] == baseline].set_index("replication")
        for pol in [p for p in g["policy"].unique() if p != baseline]:
            other = g[g["policy"] == pol].set_index("replication")
            common = base.index.intersection(other.index)
            for m in metrics:
                a = other.loc[common, m].to_numpy(dtype=float)
                b = base.loc[common, m].to_numpy(dtype=float)
                ok = ~(np.isnan(a) | np.isnan(b))
                a, b = a[ok], b[ok]
                d = a - b
                mean, se, lo, hi, n = mean_ci(d, level)
                if n >= 2:
                    var_unpaired = a.var(ddof=1) + b.var(ddof=1)
                    var_paired = d.var(ddof=1)
                    half_unpaired = t_quantile(n, level) * np.sqrt(var_unpaired / n)
                    if var_paired > 0:
                        reduction = var_unpaired / var_paired
                    else:  # identical in every replication: infinite reduction, or nothing to reduce
                        reduction = float("inf") if var_unpaired > 0 else float("nan")
                else:
                    half_unpaired = reduction = float("nan")
                rows.append((*key, pol, baseline, m, mean, se, lo, hi, mean - half_unpaired,
                             mean + half_unpaired, reduction, n))
    return pd.DataFrame(
        rows,
        columns=[*group, "policy", "baseline", "metric", "difference", "sem", "ci95_low", "ci95_high",
                 "unpaired_ci95_low", "unpaired_ci95_high", "variance_reduction", "n"],
    )
