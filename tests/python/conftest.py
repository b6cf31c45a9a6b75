"""Shared fixtures for the Python tests. Keep this file small: helpers used by one file live in it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

import stocklab as sl

# Textbook mode (DESIGN.md section 6): anonymous Poisson demand of unit orders, behaviour off,
# customers wait forever under "backorder" and leave under "lost_sales".
_TEXTBOOK: dict[str, Any] = {
    "schema_version": 1,
    "name": "textbook",
    "run": {"horizon_days": 1000, "warmup_days": 0, "snapshot_interval_days": 0},
    "sku": {"price": 10.0, "unit_cost": 5.0},
    "initial": {"on_hand": 0, "cash": 0.0},
    "demand": {"model": "poisson", "rate_per_day": 1.0},
    "supplier": {"lead_time": {"dist": "constant", "value": 5.0}},
    "replenishment": {"policy": "none"},
    "shortage": {"rule": "backorder"},
}


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Merge ``patch`` into ``base``: nested sections merge; a distribution (a dict with "dist") or a
    replenishment policy (a dict with "policy") replaces the old one whole; anything else replaces."""
    out = copy.deepcopy(base)
    for k, v in patch.items():
        whole = isinstance(v, dict) and ("dist" in v or "policy" in v)
        if isinstance(v, dict) and isinstance(out.get(k), dict) and not whole:
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


@pytest.fixture
def textbook() -> Callable[..., sl.Scenario]:
    """Factory: ``textbook(replenishment={...}, run={...}, ...)`` -> a textbook-mode Scenario.

    Each keyword is a scenario section merged into the textbook base (see ``_merge``); the base has
    unit price 10, cost 5, rate 1/day, constant lead time 5 days, no replenishment, full backorders.
    """

    def make(**sections: Any) -> sl.Scenario:
        return sl.Scenario.from_dict(_merge(_TEXTBOOK, sections))

    return make


@pytest.fixture(scope="session")
def camera_lens() -> sl.Scenario:
    """The bundled camera_lens scenario (customers, behaviour on, two policy variants)."""
    return sl.load_scenario("camera_lens")
