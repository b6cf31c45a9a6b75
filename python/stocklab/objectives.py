"""What optimize() is asked: the search space, the objective and the constraints, checked before
anything runs so that a mistake is reported with the argument and the rule it breaks."""

from __future__ import annotations

import difflib
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .results import METRICS

__all__ = ["Constraint", "Continuous", "Objective", "ObjectiveSpec", "Dimension", "parse_space",
           "parse_constraints"]

# A metric name, weights of metrics (a weighted sum), or a function of one replication's summary.
ObjectiveSpec = str | Mapping[str, float] | Callable[[pd.Series], float]

_SENSES = {"max": 1.0, "maximize": 1.0, "maximise": 1.0, "min": -1.0, "minimize": -1.0, "minimise": -1.0}
# Units whose metrics are never negative (plot.UNITS); fractions are also at most 1.
_NON_NEGATIVE_UNITS = {"units", "days", "orders", "customers", "reviews", "events", "fraction"}


def _unknown_metric(what: str, name: object) -> ValueError:
    near = difflib.get_close_matches(str(name), METRICS, n=3)
    hint = f"; did you mean {', '.join(near)}?" if near else f"; metrics: {', '.join(METRICS)}"
    return ValueError(f"{what}: {name!r} is not a metric (see stocklab.METRICS, docs/glossary.md){hint}")


def _is_real(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


# ---------------------------------------------------------------------------------------------
# the space


@dataclass(frozen=True)
class Continuous:
    """A continuous range ``[low, high]`` in :func:`stocklab.optimize`'s ``space``, searched by optuna
    (``log=True`` samples it on a log scale). Integer ranges are ``range(...)``; any other list of
    values is taken as given."""

    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        if not (_is_real(self.low) and _is_real(self.high) and math.isfinite(self.low)
                and math.isfinite(self.high)):
            raise ValueError(f"Continuous(low, high) needs finite numbers, got ({self.low!r}, {self.high!r})")
        if not self.low < self.high:
            raise ValueError(f"Continuous(low, high) needs low < high, got ({self.low}, {self.high})")
        if self.log and self.low <= 0:
            raise ValueError(f"Continuous(log=True) needs low > 0, got {self.low}")


@dataclass(frozen=True)
class Dimension:
    """One entry of the space: a dotted scenario path and its values (``values``) or range
    (``continuous``); ``step`` is kept for an integer ``range`` so that optuna samples on its grid."""

    path: str
    values: tuple[Any, ...] = ()
    continuous: Continuous | None = None
    step: int | None = None

    @property
    def size(self) -> float:
        return math.inf if self.continuous else len(self.values)

    def probes(self) -> list[Any]:
        """A few values to try when checking that the path is one the scenario accepts."""
        if self.continuous:
            c = self.continuous
            return [c.low, c.high, (c.low + c.high) / 2]
        v = self.values
        return list(dict.fromkeys([v[0], v[-1], v[len(v) // 2]]))


def parse_space(space: object) -> list[Dimension]:
    """Check ``space`` (dotted path -> range, list of values or Continuous) and return its dimensions."""
    if not isinstance(space, Mapping) or not space:
        raise ValueError('space must be a non-empty dict of dotted scenario paths -> values, e.g. '
                         '{"replenishment.s": range(40, 200, 10)}')
    dims = []
    for path, v in space.items():
        if not isinstance(path, str) or not path.strip(".") or ".." in path:
            raise ValueError(f"space: keys must be dotted scenario paths such as 'replenishment.s', got {path!r}")
        if isinstance(v, Continuous):
            dims.append(Dimension(path, continuous=v))
            continue
        if isinstance(v, (str, bytes, Mapping)) or not isinstance(v, Iterable):
            raise ValueError(f"space[{path!r}] must be a range, a list of values or stocklab.Continuous(low, high), "
                             f"got {type(v).__name__}")
        values = tuple(x.item() if isinstance(x, np.generic) else x for x in v)
        if not values:
            raise ValueError(f"space[{path!r}] is empty: give at least one value")
        if len(set(map(repr, values))) != len(values):
            raise ValueError(f"space[{path!r}] repeats a value: {list(values)}")
        step = v.step if isinstance(v, range) else None
        dims.append(Dimension(path, values=values, step=step))
    return dims


# ---------------------------------------------------------------------------------------------
# the objective


class Objective:
    """The quantity optimize() maximises or minimises, evaluated per replication.

    Built from ``objective`` = a metric name, a dict of metric weights (a weighted sum), or a function
    of one replication's summary (a pandas Series of the metrics, plus the configuration's values
    under their space paths) returning a number; optionally as a pair ``(objective, "max" | "min")``.
    Without a pair it is maximised.
    """

    def __init__(self, spec: ObjectiveSpec | tuple[ObjectiveSpec, str]) -> None:
        sense = "max"
        if isinstance(spec, tuple):
            if len(spec) != 2 or not isinstance(spec[1], str) or spec[1].lower() not in _SENSES:
                raise ValueError(f'objective as a pair must be (objective, "max") or (objective, "min"), got {spec!r}')
            spec, sense = spec
        self.sense = _SENSES[sense.lower()]
        self.weights: dict[str, float] | None = None
        self.function: Callable[[pd.Series], float] | None = None
        if isinstance(spec, str):
            if spec not in METRICS:
                raise _unknown_metric("objective", spec)
            self.weights = {spec: 1.0}
            self.label = spec
        elif isinstance(spec, Mapping):
            self.weights = _weights(spec)
            self.label = _weighted_label(self.weights)
        elif callable(spec):
            self.function = spec
            self.label = f"{getattr(spec, '__name__', 'objective')}(summary)"
        else:
            raise TypeError("objective must be a metric name, a dict of metric weights or a function of the "
                            f"summary, optionally paired with 'max' or 'min'; got {type(spec).__name__}")

    @property
    def direction(self) -> str:
        """``"max"`` or ``"min"``."""
        return "max" if self.sense > 0 else "min"

    @property
    def metric(self) -> str | None:
        """The metric, when the objective is one metric."""
        if self.weights and len(self.weights) == 1:
            (name, w), = self.weights.items()
            return name if w == 1.0 else None
        return None

    def values(self, block: np.ndarray, config: Mapping[str, Any], where: str, first: int = 0) -> np.ndarray:
        """Per-replication objective of a (replications x metrics) block of replications first,
        first + 1, ...; ``where`` names the configuration in error messages."""
        if self.weights is not None:
            cols = [METRICS.index(m) for m in self.weights]
            out = block[:, cols] @ np.array(list(self.weights.values()))
        else:
            frame = pd.DataFrame(block, columns=list(METRICS))
            frame = frame.assign(**{k: [v] * len(block) for k, v in config.items()})
            out = np.array([self._call(summary, where) for _, summary in frame.iterrows()], dtype=float)
        bad = np.flatnonzero(np.isnan(out))
        if len(bad):
            raise ValueError(f"objective {self.label} is NaN (undefined) in replication {first + int(bad[0])} of "
                             f"{where}: choose metrics defined in every replication (docs/glossary.md says when "
                             "one is NaN)")
        return out

    def _call(self, summary: pd.Series, where: str) -> float:
        assert self.function is not None
        value = self.function(summary)
        if not _is_real(value):
            raise TypeError(f"objective {self.label} must return a real number, got {type(value).__name__} "
                            f"({value!r}) for {where}")
        return float(value)


def _weights(spec: Mapping[Any, Any]) -> dict[str, float]:
    if not spec:
        raise ValueError("objective: a weighted sum needs at least one metric, "
                         "e.g. {'profit': 1, 'lost_revenue': -0.5}")
    out = {}
    for name, w in spec.items():
        if name not in METRICS:
            raise _unknown_metric("objective weights", name)
        if not _is_real(w) or not math.isfinite(w):
            raise ValueError(f"objective weights: the weight of {name!r} must be a finite number, got {w!r}")
        out[name] = float(w)
    return out


def _weighted_label(weights: Mapping[str, float]) -> str:
    parts = []
    for name, w in weights.items():
        sign = "-" if w < 0 else "+"
        term = name if abs(w) == 1 else f"{abs(w):g}*{name}"
        parts.append(f"{sign} {term}")
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


# ---------------------------------------------------------------------------------------------
# constraints

_CONSTRAINT = re.compile(
    r"^\s*(?P<metric>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|=>|=<|==|!=|>|<|=)\s*(?P<bound>[^\s±]+)"
    r"\s*(?:(?:±|\+-|\+/-)\s*(?P<tol>\S+))?\s*$")


@dataclass(frozen=True)
class Constraint:
    """A constraint on the mean of a metric, ``metric >= bound`` or ``metric <= bound``, such as
    ``Constraint("fill_rate", ">=", 0.95)`` or the text ``"fill_rate >= 0.95"``.

    Feasibility is decided from the replications by a sequential test with a stated confidence
    (see :func:`stocklab.optimize`): a configuration whose mean is on the right side of the bound by
    more than ``tolerance`` is declared feasible, one on the wrong side by more than ``tolerance``
    infeasible, with the stated probability; within the tolerance either answer is acceptable.
    ``tolerance`` defaults to 1% of max(|bound|, 1) in the metric's units; in text, write it after the
    bound: ``"fill_rate >= 0.95 +- 0.005"``.
    """

    metric: str
    op: str
    bound: float
    tolerance: float | None = None

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise _unknown_metric(f"constraint {self.text!r}", self.metric)
        if self.op not in (">=", "<="):
            raise ValueError(f"constraint {self.text!r}: the comparison must be >= or <= (a constraint on a mean; "
                             "strict and equality constraints cannot be decided from samples)")
        if not _is_real(self.bound) or not math.isfinite(self.bound):
            raise ValueError(f"constraint {self.text!r}: the bound must be a finite number, got {self.bound!r}")
        if self.tolerance is not None and not (_is_real(self.tolerance) and 0 < self.tolerance < math.inf):
            raise ValueError(f"constraint {self.text!r}: the tolerance must be a number > 0, got {self.tolerance!r}")
        self._check_satisfiable()

    @classmethod
    def parse(cls, text: str) -> Constraint:
        """Read ``"metric >= bound"`` or ``"metric <= bound"``, optionally followed by ``+- tolerance``."""
        m = _CONSTRAINT.match(text) if isinstance(text, str) else None
        if not m:
            raise ValueError(f"constraint {text!r} is not of the form 'metric >= number' or 'metric <= number' "
                             "(optionally '+- tolerance'), e.g. 'fill_rate >= 0.95'")
        op = {"=>": ">=", "=<": "<="}.get(m["op"], m["op"])
        bound, tol = _number(text, m["bound"], "bound"), m["tol"]
        return cls(m["metric"], op, bound, None if tol is None else _number(text, tol, "tolerance"))

    @property
    def text(self) -> str:
        """The constraint as text, ``"fill_rate >= 0.95"`` (with ``+- tolerance`` when one was given)."""
        tol = "" if self.tolerance is None else f" +- {_fmt(self.tolerance)}"
        return f"{self.metric} {self.op} {_fmt(self.bound)}{tol}"

    @property
    def epsilon(self) -> float:
        """The tolerance used: given, or 1% of max(|bound|, 1)."""
        return float(self.tolerance) if self.tolerance is not None else 0.01 * max(abs(self.bound), 1.0)

    def excess(self, values: np.ndarray) -> np.ndarray:
        """How far each value is on the wrong side of the bound (negative: on the right side)."""
        return values - self.bound if self.op == "<=" else self.bound - values

    def value(self, mean_excess: float) -> float:
        """The metric's mean from the mean of :meth:`excess`."""
        return mean_excess + self.bound if self.op == "<=" else self.bound - mean_excess

    def holds(self, mean: float) -> bool:
        """Whether a mean satisfies the constraint (the tolerance aside)."""
        return mean <= self.bound if self.op == "<=" else mean >= self.bound

    def _check_satisfiable(self) -> None:
        from .plot import UNITS

        unit = UNITS.get(self.metric, "")
        low = 0.0 if unit in _NON_NEGATIVE_UNITS else -math.inf
        high = 1.0 if unit == "fraction" else math.inf
        if (self.op == "<=" and self.bound < low) or (self.op == ">=" and self.bound > high):
            span = "in [0, 1]" if unit == "fraction" else "never negative"
            raise ValueError(f"constraint {self.text!r} can never hold: {self.metric} is {span}")

    def __str__(self) -> str:
        return self.text


def _fmt(x: object) -> str:
    return f"{x:g}" if _is_real(x) else repr(x)


def _number(text: str, s: str, what: str) -> float:
    try:
        return float(s)
    except ValueError:
        raise ValueError(f"constraint {text!r}: the {what} {s!r} is not a number") from None


def parse_constraints(constraints: str | Constraint | Sequence[str | Constraint] | None) -> list[Constraint]:
    """Constraints given as text, :class:`Constraint` objects, or a list of either."""
    if constraints is None:
        return []
    if isinstance(constraints, (str, Constraint)):
        constraints = [constraints]
    if not isinstance(constraints, Sequence):
        raise TypeError(f"constraints must be a list of 'metric >= number' texts or Constraint objects, "
                        f"got {type(constraints).__name__}")
    out = []
    for c in constraints:
        if isinstance(c, Constraint):
            out.append(c)
        elif isinstance(c, str):
            out.append(Constraint.parse(c))
        else:
            raise TypeError(f"constraints: each must be a text such as 'fill_rate >= 0.95' or a Constraint, "
                            f"got {type(c).__name__}")
    return out
