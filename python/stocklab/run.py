"""simulate(): one replication of one policy variant."""

from __future__ import annotations

import numbers
from typing import Any

from . import _core
from .results import RunResult, run_metadata
from .scenario import Scenario, load_scenario

__all__ = ["simulate", "as_scenario", "check_seed"]


def as_scenario(scenario: Any) -> Scenario:
    """Accept a Scenario, a dict or a path/bundled name."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return Scenario.from_dict(scenario)
    if isinstance(scenario, str) or hasattr(scenario, "__fspath__"):
        return load_scenario(scenario)
    raise TypeError(
        f"scenario must be a stocklab.Scenario, a dict or a path, got {type(scenario).__name__}"
    )


def check_seed(seed: Any, name: str = "seed") -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(seed).__name__}")
    if seed < 0 or seed >= 2**64:
        raise ValueError(f"{name} must be in [0, 2**64), got {seed}")
    return int(seed)


def simulate(
    scenario: Any,
    seed: int | None = None,
    *,
    policy: str = "",
    replication: int = 0,
    replenishment: Any = None,
) -> RunResult:
    """Run one replication and return its :class:`RunResult`.

    ``policy`` names a variant from the scenario's ``policies`` ("" = the base scenario);
    ``replenishment`` may be a :class:`stocklab.ReplenishmentPolicy` instance replacing the scenario's
    replenishment policy. ``seed`` defaults to the scenario's ``run.seed``.
    """
    sc = as_scenario(scenario)
    parsed = sc.parsed(policy)
    seed = parsed.seed if seed is None else check_seed(seed)
    replication = check_seed(replication, "replication")
    raw = _core.simulate(parsed, seed, replication, replenishment)
    return RunResult(raw, run_metadata(sc.name, policy, seed, replication), sc)
