"""Gymnasium environments: learn a replenishment policy on stocklab's store (extra ``rl``).

Importing this module registers ``stocklab/Inventory-v0``::

    import gymnasium
    import stocklab.gym  # noqa: F401  (registers the environment)

    env = gymnasium.make("stocklab/Inventory-v0", scenario="camera_lens", policy="backorder")
    obs, info = env.reset(seed=1)
    obs, reward, terminated, truncated, info = env.step(40)  # order 40 units today

    envs = gymnasium.make_vec("stocklab/Inventory-v0", num_envs=8, scenario="camera_lens")  # stepped in C++

The agent decides at review epochs (every ``review_period_days``, daily by default) or, with
``review_period_days=None``, wherever the scenario's own policy would decide. The action is the
order quantity; the observation a ``Dict`` of what the store records (:data:`OBSERVATION_FIELDS`,
docs/gym.md); the reward the change in profit over the step. An episode is one replication of the
scenario: ``reset(seed=s)`` starts replication 0 of seed ``s`` and each later ``reset()`` the next
replication, so episodes are those of :func:`stocklab.simulate` with the same seed and replication,
and every policy meets the same customers (common random numbers).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

import gymnasium
import numpy as np
import pandas as pd
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from . import _core
from .interactive import ScenarioLike, describe_event
from .metrics import METRIC_INFO, METRICS
from .results import events_frame
from .run import as_scenario, check_seed
from .scenario import Scenario

__all__ = [
    "ENV_ID",
    "OBSERVATION_FIELDS",
    "REWARD_PARTS",
    "ActionType",
    "InventoryEnv",
    "InventoryVectorEnv",
    "ObservationField",
    "flat_observation_names",
]

ENV_ID = "stocklab/Inventory-v0"
"""The id :func:`gymnasium.make` knows the environment by, once this module is imported."""

ActionType = Literal["discrete", "box"]
"""``"discrete"``: ``Discrete(max_order + 1)``, the action is the quantity; ``"box"``:
``Box(0, max_order, (1,), float32)``, rounded to the nearest unit."""


class ObservationField(NamedTuple):
    """One entry of the observation ``Dict``: its key, unit, and what it holds."""

    name: str
    unit: str
    per_item: bool
    description: str


OBSERVATION_FIELDS: tuple[ObservationField, ...] = (
    ObservationField("on_hand", "units", True, "Units on the shelf."),
    ObservationField("backorders", "units", True,
                     "Units owed to customers waiting for a backorder (0 under lost sales)."),
    ObservationField("inventory_position", "units", True,
                     "On hand + on order - backorders: what an (s, S) or base-stock policy reads."),
    ObservationField("pipeline", "units", True,
                     "Units on their way, by the arrival date the vendor confirmed when it shipped: bucket j holds "
                     "those due within [edge j-1, edge j) days of now (overdue ones in the first), the last those "
                     "due later. Edges: `pipeline_days`, default (7, 14, 21, 28)."),
    ObservationField("days_since_order", "days", True,
                     "Days since the agent's last order (since the start of the episode before the first)."),
    ObservationField("recorded_demand", "units", True,
                     "Demand the store recorded (units sold plus units backordered) in the last w days, one entry "
                     "per window of `demand_windows_days`."),
    ObservationField("cash", "currency", False, "The store's cash balance (negative when overdrawn)."),
    ObservationField("mean_loyalty", "fraction", False,
                     "Mean loyalty of the active customers (0 when none is active or demand is anonymous)."),
    ObservationField("active_customers", "customers", False, "Customers who have not stopped buying here."),
    ObservationField("supplier_up", "flag", False, "1 while the vendor ships, 0 during an outage."),
    ObservationField("day", "days", False, "Days since the start of the run."),
)
"""The observation's fields, in the ``Dict``'s order (docs/gym.md has the table). Fields of an item
(``per_item``) have a leading axis of length 1, one entry per item of the assortment to come:
``pipeline`` is ``(1, len(pipeline_days) + 1)``, ``recorded_demand`` ``(1, len(demand_windows_days))``
and the rest ``(1,)``; store-wide fields are ``(1,)``. Every field is float32."""

REWARD_PARTS: tuple[str, ...] = tuple(_core.gym_reward_parts)
"""Money over each step, in ``info`` (currency): the change in profit (revenue - cost of goods sold
- holding - ordering - net interest, plus salvage when the scenario counts it) and its parts; the
margin of the units lost or cancelled over the step (price - unit price, per unit), which profit
does not subtract."""

_UNITS_BOUND = 1e15  # no a-priori bound on units or customers: a finite stand-in (check_env rejects inf)
_CASH_BOUND = 9.3e16  # the engine's money stops at +-9.2e16 (64-bit cents)
_MAX_ORDER = 10**9
_NO_REWARD_DELTA = ("avg_", "mean_")  # time averages and ratios: their change over a step means nothing
_REWARD_UNITS = {"units", "currency", "orders", "customers", "reviews", "days"}
_FAST_REWARDS = {"profit": -1, "cash": -2}


# ------------------------------------------------------------------------------------------------
# Arguments


def _check_review_period(value: float | None) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"review_period_days must be a number of days > 0, or None for the scenario's own "
                         f"decision points (got {value!r})")
    return float(value)


def _check_flag(value: bool, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False (got {value!r})")
    return bool(value)


def _check_max_order(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= value <= _MAX_ORDER:
        raise ValueError(f"max_order must be a whole number of units in [1, {_MAX_ORDER:.0e}] (got {value!r})")
    return int(value)


def _days(values: Sequence[float], name: str) -> list[float]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence of numbers of days, got {type(values).__name__}")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v) or v <= 0:
            raise ValueError(f"{name}[{i}] must be a finite number of days > 0 (got {v!r})")
        if out and v <= out[-1]:
            raise ValueError(f"{name} must be increasing: {name}[{i}] = {v!r} follows {out[-1]!r}")
        out.append(float(v))
    return out


def _default_windows(period: float) -> list[float]:
    """1, 7 and 28 days, each rounded up to a whole number of review periods (so each is exact)."""
    if period <= 0:
        return [1.0, 7.0, 28.0]
    return sorted({math.ceil(w / period - 1e-9) * period for w in (1.0, 7.0, 28.0)})


def _check_windows(windows: list[float], period: float) -> None:
    if period <= 0:
        return  # decisions at every change of recorded demand: every window is exact
    for i, w in enumerate(windows):
        k = round(w / period)
        if k < 1 or abs(k * period - w) > 1e-9 * max(1.0, w):
            raise ValueError(f"demand_windows_days[{i}] = {w:g} must be a whole number of review periods "
                             f"({period:g} days), so that the window starts at a decision")


def _reward_code(reward: str) -> tuple[int, float]:
    """(the engine's metric code, sign) of a reward name: "profit", "cash", a metric, or "-metric"."""
    if not isinstance(reward, str):
        raise TypeError(f"reward must be a metric name, got {type(reward).__name__}")
    sign, name = (-1.0, reward[1:]) if reward.startswith("-") else (1.0, reward)
    if name in _FAST_REWARDS:
        return _FAST_REWARDS[name], sign
    if not _rewardable(name):
        allowed = ", ".join(["profit", "cash", *(m for m in METRICS if m != "profit" and _rewardable(m))])
        raise ValueError(f"reward must name a metric whose change over a step means something (prefix '-' to "
                         f"minimise it), one of: {allowed} (got {reward!r})")
    return METRICS.index(name), sign


def _rewardable(name: str) -> bool:
    """A cumulative metric or a level (not a ratio or a time average): its change over a step means something."""
    info = METRIC_INFO.get(name)
    return (info is not None and info.unit in _REWARD_UNITS and not name.startswith(_NO_REWARD_DELTA)
            and name not in ("min_cash", "cash_conversion_cycle_days", "events"))


# ------------------------------------------------------------------------------------------------
# Spaces


def _field_bounds(name: str, horizon: float) -> tuple[float, float]:
    if name == "inventory_position":
        return -_UNITS_BOUND, _UNITS_BOUND
    if name == "cash":
        return -_CASH_BOUND, _CASH_BOUND
    if name in ("mean_loyalty", "supplier_up"):
        return 0.0, 1.0
    if name in ("day", "days_since_order"):
        return 0.0, horizon
    return 0.0, _UNITS_BOUND


def _observation_space(fields: list[tuple[str, int]], horizon: float) -> spaces.Dict:
    boxes = {}
    for (name, width), f in zip(fields, OBSERVATION_FIELDS, strict=True):
        assert name == f.name, f"engine field {name!r} where {f.name!r} was expected"
        shape = (1, width) if name in ("pipeline", "recorded_demand") else (width,)
        low, high = _field_bounds(name, horizon)
        boxes[name] = spaces.Box(np.float32(low), np.float32(high), shape=shape, dtype=np.float32)
    return spaces.Dict(boxes, sort_keys=False)


def _action_space(action_type: ActionType, max_order: int) -> spaces.Space:
    if action_type == "discrete":
        return spaces.Discrete(max_order + 1)
    if action_type == "box":
        return spaces.Box(np.float32(0), np.float32(max_order), shape=(1,), dtype=np.float32)
    raise ValueError(f"action_type must be 'discrete' or 'box' (got {action_type!r})")


def flat_observation_names(env: gymnasium.Env | VectorEnv) -> list[str]:
    """What each entry of the flattened observation holds (the order of
    ``gymnasium.wrappers.FlattenObservation``), e.g. ``"pipeline[7,14)"``, ``"recorded_demand_7d"``."""
    spec = env.unwrapped._spec  # type: ignore[attr-defined]
    names: list[str] = []
    for f in OBSERVATION_FIELDS:
        if f.name == "pipeline":
            edges = [0.0, *spec.pipeline_days, math.inf]
            names += [f"pipeline[{edges[j]:g},{edges[j + 1]:g})" for j in range(len(edges) - 1)]
        elif f.name == "recorded_demand":
            names += [f"recorded_demand_{w:g}d" for w in spec.demand_windows_days]
        else:
            names.append(f.name)
    return names


# ------------------------------------------------------------------------------------------------
# The engine's arrays as Gymnasium values


class _Spec:
    """The arguments both environments share, checked once."""

    def __init__(self, scenario: ScenarioLike, policy: str, review_period_days: float | None, max_order: int,
                 action_type: ActionType, pipeline_days: Sequence[float], demand_windows_days: Sequence[float] | None,
                 reward: str, snapshots: bool) -> None:
        sc = as_scenario(scenario)
        if not snapshots:  # outputs only an episode's plot needs: they change no simulated number
            sc = sc.with_overrides({"run.snapshot_interval_days": 0, "run.record_events": False,
                                    "run.record_ledger": False})
        elif sc.to_dict().get("run", {}).get("snapshot_interval_days", 1) == 0:
            sc = sc.with_overrides({"run.snapshot_interval_days": 1})
        self.scenario: Scenario = sc
        self.policy = policy
        self.parsed = sc.parsed(policy)
        self.horizon = float(self.parsed.horizon_days)
        self.period = _check_review_period(review_period_days)
        self.max_order = _check_max_order(max_order)
        self.action_type = action_type
        self.action_space = _action_space(action_type, self.max_order)
        self.pipeline_days = _days(pipeline_days, "pipeline_days")
        decisions = self.period or _core.gym_review_period(self.parsed)
        if demand_windows_days is None:
            self.demand_windows_days = _default_windows(decisions)
        else:
            self.demand_windows_days = _days(demand_windows_days, "demand_windows_days")
            _check_windows(self.demand_windows_days, decisions)
        self.reward = reward
        self.reward_code, self.reward_sign = _reward_code(reward)

    def stepper(self, num_envs: int, log_mode: int = 0) -> _core.GymStepper:
        return _core.GymStepper(self.parsed, num_envs, self.period, self.pipeline_days, self.demand_windows_days,
                                self.reward_code, self.reward_sign, log_mode)


class _Layout:
    """Where each field of the Dict lies in the engine's row of floats, and the Dicts built from rows."""

    def __init__(self, space: spaces.Dict, fields: list[tuple[str, int]]) -> None:
        self.fields: list[tuple[str, slice, bool]] = []  # (name, columns, a matrix of one row per item)
        start = 0
        for name, width in fields:
            self.fields.append((name, slice(start, start + width), len(space[name].shape) == 2))
            start += width

    def one(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """The Dict of rows[0]: views of one copy (an observation is never rewritten)."""
        row = rows[0].copy()
        item = row[None]
        return {name: item[:, cols] if matrix else row[cols] for name, cols, matrix in self.fields}

    def batch(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """The batched Dict of every row: views of one copy."""
        rows = rows.copy()
        return {name: rows[:, None, cols] if matrix else rows[:, cols] for name, cols, matrix in self.fields}


def _decode_one(action: Any, action_type: ActionType, max_order: int) -> int:
    """The order quantity of one action; a clear error for anything that is not a valid one."""
    kind = type(action)
    if (kind is int or kind is np.int64) and action_type == "discrete":  # the common case first (speed)
        q = int(action)
        if 0 <= q <= max_order:
            return q
    if action_type == "box":
        a = np.asarray(action)
        if a.shape != (1,):
            raise ValueError(f"action must have shape (1,) for a Box action space, got shape {a.shape}")
        if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
            raise TypeError(f"action must be a number of units, got dtype {a.dtype}")
        x = float(a[0])
        if math.isnan(x) or not 0 <= x <= max_order:
            raise ValueError(f"action must be a number of units in [0, {max_order}] (got {x!r}); "
                             f"gymnasium.wrappers.ClipAction clips an agent's actions into the box")
        return int(round(x))
    if isinstance(action, np.ndarray):
        if action.shape != ():
            raise ValueError(f"action must be a single whole number for a Discrete action space, got shape "
                             f"{action.shape}")
        action = action[()]
    if isinstance(action, (bool, np.bool_)) or not isinstance(action, numbers.Integral):
        raise TypeError(f"action must be a whole number of units (an int), got {action!r}")
    if not 0 <= action <= max_order:
        raise ValueError(f"action must be an order of 0 to {max_order} units (got {action})")
    return int(action)


def _decode_batch(actions: Any, n: int, action_type: ActionType, max_order: int) -> np.ndarray:
    """The order quantities (int64, shape (n,)) of a batch of actions, with a clear error naming the
    environment of any bad one."""
    a = np.asarray(actions)
    want = (n, 1) if action_type == "box" else (n,)
    if a.shape != want:
        raise ValueError(f"actions must have shape {want} for {n} environments, got shape {a.shape}")
    if action_type == "discrete":
        if not np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_:
            raise TypeError(f"actions must be whole numbers of units (an integer array), got dtype {a.dtype}")
        bad = np.flatnonzero((a < 0) | (a > max_order))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"actions[{i}] must be an order of 0 to {max_order} units (got {a[i]})")
        return a.astype(np.int64, copy=False)
    if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
        raise TypeError(f"actions must be numbers of units, got dtype {a.dtype}")
    x = a[:, 0].astype(np.float64)
    bad = np.flatnonzero(~((x >= 0) & (x <= max_order)))  # NaN fails both comparisons
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"actions[{i}] must be a number of units in [0, {max_order}] (got {float(x[i])!r}); "
                         f"gymnasium.wrappers.vector.ClipAction clips actions into the box")
    return np.rint(x).astype(np.int64)


def _replication_option(options: Mapping[str, Any] | None) -> int | None:
    """The replication ``reset`` was asked for in ``options`` (None: not asked)."""
    if not options:
        return None
    unknown = sorted(set(options) - {"replication"})
    if unknown:
        raise ValueError(f"options: unknown key {unknown[0]!r} (reset knows 'replication')")
    return check_seed(options["replication"], "options['replication']")


def _summary(values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=list(METRICS), name="summary")


# ------------------------------------------------------------------------------------------------
# One environment


class InventoryEnv(gymnasium.Env):
    """One store, one agent deciding how much to order: ``stocklab/Inventory-v0``.

    ``scenario``: a :class:`stocklab.Scenario`, a dict, or a path or bundled name; ``policy``: one of
    its policy variants ("" = the base scenario), e.g. ``"backorder"``. The scenario's own
    replenishment policy never orders: the agent decides instead.

    ``review_period_days``: the agent decides at days 0, P, 2P, ... (default every day); ``None``:
    wherever the scenario's own policy would decide (its periodic reviews, or after every change of
    the inventory position under continuous review, the day-0 decision included): an agent that
    follows the scenario's policy then reproduces :func:`stocklab.simulate` bit for bit.

    ``max_order``: the largest order an action may ask for; ``action_type``: ``"discrete"``
    (``Discrete(max_order + 1)``) or ``"box"`` (``Box(0, max_order, (1,))``, rounded to the nearest
    unit). A vendor's minimum order and order multiple still apply to what is ordered.

    ``pipeline_days``: edges of the pipeline buckets; ``demand_windows_days``: the recorded-demand
    windows (default 1, 7 and 28 days rounded up to whole review periods; each must be a whole number
    of review periods). ``reward``: ``"profit"`` (default), ``"cash"``, or another cumulative metric of
    the summary (``"-lost_units"`` minimises it): the reward is its change over the step.

    ``flatten_observation``: return the observation as one float32 vector (the ``Dict``'s fields in
    order, as ``gymnasium.wrappers.FlattenObservation`` would, at a fraction of its cost;
    :func:`flat_observation_names` says what each entry is).

    ``render_mode``: ``"ansi"`` (what happened over the last step, as sentences) or ``"rgb_array"``
    (the inventory plot so far, :func:`stocklab.plot.inventory`); either records the episode's event
    log and time series, which a run without rendering skips for speed.

    Bad actions (negative, NaN, above ``max_order``, the wrong shape or type) raise ``ValueError`` or
    ``TypeError`` naming the rule; stepping a finished episode raises ``RuntimeError``.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}
    """Gymnasium's metadata: the render modes."""

    def __init__(self, scenario: ScenarioLike = "camera_lens", policy: str = "", *,
                 review_period_days: float | None = 1.0, max_order: int = 1000,
                 action_type: ActionType = "discrete", pipeline_days: Sequence[float] = (7, 14, 21, 28),
                 demand_windows_days: Sequence[float] | None = None, reward: str = "profit",
                 flatten_observation: bool = False, render_mode: str | None = None) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None "
                             f"(got {render_mode!r})")
        self.render_mode = render_mode
        """``"ansi"``, ``"rgb_array"`` or None."""
        self._spec = _Spec(scenario, policy, review_period_days, max_order, action_type, pipeline_days,
                           demand_windows_days, reward, snapshots=render_mode is not None)
        log_mode = {None: 0, "rgb_array": 1, "ansi": 2}[render_mode]
        self._stepper = self._spec.stepper(1, log_mode)
        fields = self._stepper.fields
        self.dict_observation_space = _observation_space(fields, self._spec.horizon)
        """The observation ``Dict`` (the observation space itself unless ``flatten_observation``)."""
        self._flat = _check_flag(flatten_observation, "flatten_observation")
        self.observation_space = (spaces.flatten_space(self.dict_observation_space) if self._flat
                                  else self.dict_observation_space)
        """The ``Dict`` of :data:`OBSERVATION_FIELDS`, or its flat ``Box`` (``flatten_observation``)."""
        self.action_space = self._spec.action_space
        """``Discrete(max_order + 1)`` or ``Box(0, max_order, (1,), float32)`` (``action_type``)."""
        self._layout = _Layout(self.dict_observation_space, fields)
        self._obs = self._stepper.observations  # the engine's arrays, rewritten by every call
        self._rewards = self._stepper.rewards
        self._terminated = self._stepper.terminated
        self._parts = self._stepper.parts
        self._days = self._stepper.days
        self._q = np.zeros(1, dtype=np.int64)
        self._seed: int | None = None
        self._replication = 0
        self._running = False
        self._broken: str | None = None
        self._log_start = 0
        self._last = ""

    @property
    def scenario(self) -> Scenario:
        """The scenario the episodes run (outputs the environment does not need switched off)."""
        return self._spec.scenario

    @property
    def seed_and_replication(self) -> tuple[int | None, int]:
        """The seed and replication of the current episode: :func:`stocklab.simulate` with these
        and a policy that takes the same actions gives the same run."""
        return self._seed, self._replication

    def reset(self, *, seed: int | None = None, options: Mapping[str, Any] | None = None
              ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Start an episode: replication 0 of ``seed``, or the next replication of the last seed
        (``seed=None``; the first time, a seed drawn from :attr:`np_random`). ``options={"replication":
        r}`` picks the replication."""
        super().reset(seed=seed)
        if seed is not None:
            self._seed, self._replication = check_seed(seed), 0
        elif self._seed is None:
            self._seed, self._replication = int(self.np_random.integers(2**63)), 0
        else:
            self._replication += 1
        replication = _replication_option(options)
        if replication is not None:
            self._replication = replication
        self._running = False
        self._broken = None
        try:
            self._stepper.reset(0, self._seed, self._replication)
        except Exception as e:
            self._broken = f"{type(e).__name__}: {e}"
            raise
        self._running = True
        self._log_start = 0
        self._last = ""
        return self._observation(), {"day": self._stepper.now(0), "seed": self._seed,
                                     "replication": self._replication}

    def step(self, action: Any) -> tuple[dict[str, np.ndarray], float, bool, bool, dict[str, Any]]:
        """Order ``action`` units now and run to the next decision (or the horizon: ``terminated``).

        ``info`` holds the day and :data:`REWARD_PARTS` over the step; at the end, ``"summary"``: the
        run's metrics (a pandas Series, as ``stocklab.simulate(...).summary``)."""
        if not self._running:
            raise RuntimeError(self._broken and f"this episode stopped with an error ({self._broken}): call reset()"
                               or "the episode is over (or was never started): call reset()")
        q = _decode_one(action, self._spec.action_type, self._spec.max_order)
        self._q[0] = q
        if self.render_mode is not None:
            self._log_start = self._stepper.log_size(0)
            self._last = f"ordered {q} unit{'' if q == 1 else 's'}"
        try:
            self._stepper.step(self._q, self._spec.max_order, None)
        except Exception as e:
            self._running = False
            self._broken = f"{type(e).__name__}: {e}"
            raise
        terminated = bool(self._terminated[0])
        info = dict(zip(REWARD_PARTS, self._parts[0].tolist(), strict=True))
        info["day"] = float(self._days[0])
        if terminated:
            self._running = False
            info["summary"] = _summary(self._stepper.summary(0))
        return self._observation(), float(self._rewards[0]), terminated, False, info

    def _observation(self) -> dict[str, np.ndarray] | np.ndarray:
        return self._obs[0].copy() if self._flat else self._layout.one(self._obs)

    # rendering -----------------------------------------------------------------------------------
    def render(self) -> str | np.ndarray | None:
        """``"ansi"``: the last step told as sentences; ``"rgb_array"``: the inventory plot so far as an
        (height, width, 3) uint8 array."""
        if self.render_mode == "ansi":
            return self._narration()
        if self.render_mode == "rgb_array":
            return self._frame()
        return None

    def _narration(self) -> str:
        now = self._stepper.now(0)
        head = f"day {now:.1f}: " + (f"{self._last}; next decision" if self._last else "episode starts "
                                     f"(seed {self._seed}, replication {self._replication})")
        rows = events_frame(self._stepper.events_since(0, self._log_start)).to_dict("records")
        return "\n".join([head, *("  " + describe_event(r) for r in rows)]) + "\n"

    def _frame(self) -> np.ndarray:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from . import plot

        fig = Figure(figsize=(8, 4), dpi=80)
        canvas = FigureCanvasAgg(fig)
        plot.inventory(_EpisodeView(self), ax=fig.subplots())
        fig.tight_layout()
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())[..., :3].copy()


class _EpisodeView:
    """What :func:`stocklab.plot.inventory` reads of a run, for the episode so far."""

    def __init__(self, env: InventoryEnv) -> None:
        st = env._stepper
        obs = env._layout.one(env._obs)
        now = {"time": st.now(0), **{k: float(obs[k][0]) for k in ("on_hand", "backorders", "inventory_position")}}
        # The snapshots so far, and the state now (the day's snapshot comes after the decision).
        self.timeseries = pd.concat([pd.DataFrame(st.timeseries(0)), pd.DataFrame([now])], ignore_index=True)
        self.events = events_frame(st.events_since(0, 0))
        self.finished = st.finished(0)
        self.now = st.now(0)
        self.meta = {"scenario": env.scenario.name, "policy": env._spec.policy or "agent", "seed": env._seed}


# ------------------------------------------------------------------------------------------------
# N environments stepped in C++


class InventoryVectorEnv(VectorEnv):
    """``num_envs`` copies of :class:`InventoryEnv` stepped together in C++ (one call, GIL released):
    what ``gymnasium.make_vec("stocklab/Inventory-v0", num_envs=N, ...)`` returns.

    Same arguments as :class:`InventoryEnv` (no rendering). Sub-environment ``i`` of
    ``reset(seed=s)`` runs the episodes of ``InventoryEnv`` reset with seed ``s + i`` (replication 0,
    then 1, 2, ... at each automatic reset), so it equals N single environments bit for bit.
    Finished sub-environments reset at the next ``step`` (``AutoresetMode.NEXT_STEP``: that step
    ignores their action and returns the first observation of the new episode, reward 0). ``infos``
    carry :data:`REWARD_PARTS` and ``"day"`` per sub-environment and, for those that just finished,
    ``"summary"``: an (num_envs, metrics) array in the order of :data:`stocklab.METRICS`, with mask
    ``"_summary"``.
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}
    """Gymnasium's metadata: finished sub-environments reset at the next step; no rendering."""

    def __init__(self, num_envs: int = 1, scenario: ScenarioLike = "camera_lens", policy: str = "", *,
                 review_period_days: float | None = 1.0, max_order: int = 1000,
                 action_type: ActionType = "discrete", pipeline_days: Sequence[float] = (7, 14, 21, 28),
                 demand_windows_days: Sequence[float] | None = None, reward: str = "profit",
                 flatten_observation: bool = False, render_mode: None = None) -> None:
        if isinstance(num_envs, bool) or not isinstance(num_envs, numbers.Integral) or num_envs < 1:
            raise ValueError(f"num_envs must be a whole number >= 1 (got {num_envs!r})")
        if render_mode is not None:
            raise ValueError(f"the vector environment does not render (render_mode={render_mode!r}): render one "
                             f"InventoryEnv instead")
        self.num_envs = int(num_envs)
        """How many sub-environments step together."""
        self.render_mode = None
        """Always None: render one :class:`InventoryEnv` instead."""
        self._spec = _Spec(scenario, policy, review_period_days, max_order, action_type, pipeline_days,
                           demand_windows_days, reward, snapshots=False)
        self._stepper = self._spec.stepper(self.num_envs)
        self.dict_observation_space = _observation_space(self._stepper.fields, self._spec.horizon)
        """One sub-environment's observation ``Dict`` (see :class:`InventoryEnv`)."""
        self._flat = _check_flag(flatten_observation, "flatten_observation")
        self.single_observation_space = (spaces.flatten_space(self.dict_observation_space) if self._flat
                                         else self.dict_observation_space)
        """One sub-environment's observation space (as :attr:`InventoryEnv.observation_space`)."""
        self.single_action_space = self._spec.action_space
        """One sub-environment's action space (as :attr:`InventoryEnv.action_space`)."""
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        """The batched observation space: every field with a leading axis of ``num_envs``."""
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        """The batched action space: ``MultiDiscrete`` of ``num_envs`` orders, or a (num_envs, 1) ``Box``."""
        self._layout = _Layout(self.dict_observation_space, self._stepper.fields)
        self._obs = self._stepper.observations
        self._seeds = np.zeros(self.num_envs, dtype=np.uint64)
        self._replications = np.zeros(self.num_envs, dtype=np.int64)
        self._batch_shape = (self.num_envs,)
        self._part_masks = [f"_{name}" for name in REWARD_PARTS]
        self._restart: np.ndarray | None = None  # those that finished: they reset at the next step
        self._running = False

    @property
    def scenario(self) -> Scenario:
        """The scenario the episodes run."""
        return self._spec.scenario

    def reset(self, *, seed: int | Sequence[int] | None = None, options: Mapping[str, Any] | None = None
              ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Reset every sub-environment: seeds ``seed + i`` (or one seed each from a sequence), or each
        one's next replication (``seed=None``; the first time, seeds drawn from :attr:`np_random`).
        ``options={"replication": r}`` starts replication ``r`` of every sub-environment's seed."""
        if isinstance(seed, Sequence):
            if len(seed) != self.num_envs:
                raise ValueError(f"seed: expected {self.num_envs} seeds, one per environment, got {len(seed)}")
            seeds = [check_seed(s) for s in seed]
            self._np_random, self._np_random_seed = gymnasium.utils.seeding.np_random(seeds[0])
        elif seed is not None:
            first = check_seed(seed)
            seeds = [check_seed(first + i) for i in range(self.num_envs)]
            self._np_random, self._np_random_seed = gymnasium.utils.seeding.np_random(first)
        elif not self._running:
            seeds = [int(s) for s in self.np_random.integers(2**63, size=self.num_envs)]
        else:
            seeds = None
        if seeds is not None:
            self._seeds[:] = seeds
            self._replications[:] = 0
        else:
            self._replications += 1
        replication = _replication_option(options)
        if replication is not None:
            self._replications[:] = replication
        self._running = False
        for i in range(self.num_envs):
            self._stepper.reset(i, int(self._seeds[i]), int(self._replications[i]))
        self._restart = None
        self._running = True
        return self._observations(), {"seed": self._seeds.copy(), "replication": self._replications.copy()}

    def step(self, actions: Any) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Apply one action per sub-environment (those that finished last step reset instead)."""
        if not self._running:
            raise RuntimeError("call reset() before step()")
        restart = self._restart
        if (restart is None and type(actions) is np.ndarray and actions.dtype == np.int64
                and actions.shape == self._batch_shape):
            q = actions  # the common case (MultiDiscrete samples): the engine checks the bounds
        else:  # checked here in full: a rejected action must not leave half the resets done
            q = _decode_batch(actions, self.num_envs, self._spec.action_type, self._spec.max_order)
        if restart is not None:
            for i in np.flatnonzero(restart).tolist():
                self._replications[i] += 1
                self._stepper.reset(i, int(self._seeds[i]), int(self._replications[i]))
        try:
            finished = self._stepper.step(q, self._spec.max_order, restart)
        except ValueError:
            raise  # a bad action: checked before any sub-environment moved
        except Exception:
            self._running = False
            raise
        terminated = self._stepper.terminated.copy()
        self._restart = terminated if finished else None
        infos = self._infos(restart, terminated if finished else None)
        return (self._observations(), self._stepper.rewards.copy(), terminated,
                np.zeros(self.num_envs, dtype=bool), infos)

    def _observations(self) -> dict[str, np.ndarray] | np.ndarray:
        return self._obs.copy() if self._flat else self._layout.batch(self._obs)

    def _infos(self, restarted: np.ndarray | None, finished: np.ndarray | None) -> dict[str, Any]:
        parts = self._stepper.parts.copy()
        stepped = np.ones(self.num_envs, dtype=bool) if restarted is None else ~restarted
        infos: dict[str, Any] = {name: parts[:, j] for j, name in enumerate(REWARD_PARTS)}
        infos.update(dict.fromkeys(self._part_masks, stepped))
        infos["day"] = self._stepper.days.copy()
        infos["_day"] = np.ones(self.num_envs, dtype=bool)
        if finished is not None:
            summary = np.full((self.num_envs, len(METRICS)), np.nan)
            for i in np.flatnonzero(finished).tolist():
                summary[i] = self._stepper.summary(i)
            infos["summary"] = summary
            infos["_summary"] = finished.copy()
        return infos


def _register() -> None:
    if ENV_ID not in gymnasium.registry:
        gymnasium.register(id=ENV_ID, entry_point="stocklab.gym:InventoryEnv",
                           vector_entry_point="stocklab.gym:InventoryVectorEnv")


_register()
