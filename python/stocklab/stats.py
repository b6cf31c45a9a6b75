"""Confidence intervals: Student-t intervals on means and on paired differences.

CI columns are named by their level: ``ci95_low``/``ci95_high`` at ``level=0.95``, ``ci90_low``/
``ci90_high`` at 0.9 (see :func:`ci_columns`), so a saved table says which interval it holds.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["mean_ci", "summarize", "paired_differences", "t_quantile", "ci_columns", "check_level"]


def check_level(level: float) -> float:
    """``level`` as a float, or ValueError unless it is a number strictly between 0 and 1."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < float(level) < 1:
        raise ValueError(f"level must be a number between 0 and 1 (exclusive), such as 0.95; got {level!r}")
    # np.float32(0.9) is 0.899999976...: take the decimal it prints as, which the user meant.
    return float(str(level)) if isinstance(level, np.floating) else float(level)


def ci_columns(level: float = 0.95, prefix: str = "") -> tuple[str, str]:
    """Names of the low and high CI columns at ``level``: ``("ci95_low", "ci95_high")`` for 0.95,
    ``("ci97.5_low", "ci97.5_high")`` for 0.975; ``prefix`` is prepended (``"unpaired_"``)."""
    pct = format(round(check_level(level) * 100, 6), "g")
    return f"{prefix}ci{pct}_low", f"{prefix}ci{pct}_high"


def t_quantile(n: int, level: float = 0.95) -> float:
    """Two-sided Student-t quantile for n observations (n - 1 degrees of freedom)."""
    if n < 2:
        return float("nan")
    from scipy import stats  # imported here: it is slow to import and only experiments need it

    return float(stats.t.ppf(0.5 + level / 2.0, n - 1))


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float, int]:
    """(mean, standard error, ci_low, ci_high, n) ignoring NaN values."""
    level = check_level(level)
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
    """Tidy summary: one row per (group, metric) with mean, sem, CI (columns named by level) and n."""
    level = check_level(level)
    rows = []
    for key, g in df.groupby(by, sort=False, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        for m in metrics:
            mean, se, lo, hi, n = mean_ci(g[m].to_numpy(), level)
            rows.append((*key, m, mean, se, lo, hi, n))
    out = pd.DataFrame(rows, columns=[*by, "metric", "mean", "sem", *ci_columns(level), "n"])
    out.attrs["level"] = level
    return out


# Why a paired difference has no variance reduction to report.
IDENTICAL = "identical in every replication"
CONSTANT = "the same difference in every replication"


def _pair_stats(a: np.ndarray, b: np.ndarray, level: float) -> tuple[float, ...]:
    """(difference, sem, lo, hi, unpaired lo, unpaired hi, variance reduction, n) and a note."""
    d = a - b
    mean, se, lo, hi, n = mean_ci(d, level)
    half_unpaired = reduction = float("nan")
    note = ""
    if n >= 2:
        var_unpaired = a.var(ddof=1) + b.var(ddof=1)
        half_unpaired = t_quantile(n, level) * np.sqrt(var_unpaired / n)
        if np.ptp(d) > 0:
            reduction = var_unpaired / d.var(ddof=1)
        else:  # no paired variance: a ratio would be infinite or 0/0, so say why instead
            note = IDENTICAL if not d.any() else CONSTANT
    return mean, se, lo, hi, mean - half_unpaired, mean + half_unpaired, reduction, n, note


def paired_differences(
    df: pd.DataFrame, baseline: str, metrics: list[str], group: list[str] | None = None, level: float = 0.95
) -> pd.DataFrame:
    """Policy minus baseline, paired by replication (common random numbers), beside the unpaired CI.

    ``variance_reduction`` is the unpaired variance of the difference over the paired one: how many
    times fewer replications the pairing needs for the same precision. It is NaN, never infinite,
    when the paired difference does not vary; ``note`` then says why (identical in every
    replication, or the same difference in every replication).
    """
    level = check_level(level)
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
                rows.append((*key, pol, baseline, m, *_pair_stats(a[ok], b[ok], level)))
    out = pd.DataFrame(
        rows,
        columns=[*group, "policy", "baseline", "metric", "difference", "sem", *ci_columns(level),
                 *ci_columns(level, "unpaired_"), "variance_reduction", "n", "note"],
    )
    out.attrs["level"] = level
    return out
