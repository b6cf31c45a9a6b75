"""simulate(): one replication of one policy variant."""

from __future__ import annotations

import copy
import numbers
import os
from collections.abc import Callable, Mapping
from typing import Any

from . import _core
from .results import RunResult, run_metadata
from .scenario import Scenario, load_scenario

__all__ = ["simulate", "as_scenario", "check_seed", "policy_factory"]


def as_scenario(scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str]) -> Scenario:
    """Accept a Scenario, a dict or a path/bundled name."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return Scenario.from_dict(scenario)
    if isinstance(scenario, (str, os.PathLike)):
        return load_scenario(scenario)
    raise TypeError(
        f"scenario must be a stocklab.Scenario, a dict or a path, got {type(scenario).__name__}"
    )


def check_seed(seed: Any, name: str = "seed") -> int:
    """``seed`` as an int in [0, 2**64) (numpy integers accepted), or a TypeError/ValueError naming it."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(seed).__name__}")
    if seed < 0 or seed >= 2**64:
        raise ValueError(f"{name} must be in [0, 2**64), got {seed}")
    return int(seed)


class _Fresh:
    """Picklable factory of fresh copies of one policy instance, one per replication.

    pybind11 objects can be neither deep-copied nor pickled, so a copy is the instance's class, its C++
    base initialised, with a deep copy of the instance's attributes (``__dict__``) as they were when
    the experiment started.
    """

    def __init__(self, policy: _core.ReplenishmentPolicy) -> None:
        self.cls = type(policy)
        self.state = copy.deepcopy(policy.__dict__)

    def __call__(self, replication: int = 0) -> _core.ReplenishmentPolicy:
        new = self.cls.__new__(self.cls)
        _core.ReplenishmentPolicy.__init__(new)
        new.__dict__.update(copy.deepcopy(self.state))
        return new


class _Call:
    """Picklable ``replication -> policy`` adapter of a user's zero-argument factory."""

    def __init__(self, make: Callable[[], _core.ReplenishmentPolicy]) -> None:
        self.make = make

    def __call__(self, replication: int = 0) -> _core.ReplenishmentPolicy:
        return self.make()


def policy_factory(
    replenishment: _core.ReplenishmentPolicy | Callable[[], _core.ReplenishmentPolicy] | None,
) -> Callable[[int], _core.ReplenishmentPolicy] | None:
    """A ``replication -> policy`` factory giving every replication its own policy, so no state passes
    between replications: an instance is copied (see :class:`_Fresh`), a factory is called."""
    if replenishment is None:
        return None
    if isinstance(replenishment, _core.ReplenishmentPolicy):
        return _Fresh(replenishment)
    if callable(replenishment):
        return _Call(replenishment)
    raise TypeError("replenishment must be a stocklab.ReplenishmentPolicy instance or a factory of one "
                    f"(such as its class), got {type(replenishment).__name__}")


def simulate(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    seed: int | None = None,
    *,
    policy: str = "",
    replication: int = 0,
    replenishment: _core.ReplenishmentPolicy | Callable[[], _core.ReplenishmentPolicy] | None = None,
) -> RunResult:
    """Run one replication and return its :class:`RunResult`.

    ``policy`` names a variant from the scenario's ``policies`` ("" = the base scenario);
    ``replenishment`` replaces the scenario's replenishment policy: a
    :class:`stocklab.ReplenishmentPolicy` instance (used as it is, so its state after the run can be
    inspected) or a factory of one, such as its class. ``seed`` defaults to the scenario's
    ``run.seed``.
    """
    sc = as_scenario(scenario)
    parsed = sc.parsed(policy)
    seed = parsed.seed if seed is None else check_seed(seed)
    replication = check_seed(replication, "replication")
    if replenishment is not None and not isinstance(replenishment, _core.ReplenishmentPolicy):
        replenishment = policy_factory(replenishment)(replication)
    raw = _core.simulate(parsed, seed, replication, replenishment)
    return RunResult(raw, run_metadata(sc.name, policy, seed, replication), sc)
