"""Step-by-step runs for teaching: step(), run_until(), state, and a readable event log."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from . import _core
from ._core import InventoryView
from .errors import SimulationError
from .results import METRICS, RunResult, events_frame, run_metadata
from .run import as_scenario, check_seed
from .scenario import Scenario

__all__ = ["Simulation", "ScenarioLike", "describe_event"]

ScenarioLike = Scenario | Mapping[str, Any] | str | os.PathLike[str]
"""What functions accept as a scenario: a Scenario, a dict (the JSON document), or a path or the name
of a bundled scenario."""


def _units(n: int) -> str:
    return f"{n} unit" + ("" if n == 1 else "s")


def _name(value: Any, default: str, names: Mapping[str, str] | None = None) -> str:
    """The name (from `names`, else the id) of a row's item or vendor, or `default` where it has none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    return (names or {}).get(str(value), str(value))


def _notice(row: dict[str, Any], cust: str, item: str) -> str:
    """A notice to a waiting customer: their date, what it was, and what they did."""
    new, was = row["value"], row.get("previous", math.nan)
    if was is None or math.isnan(was) or abs(new - was) < 0.05:
        told = f"told {cust} their {item} still ships on day {new:.0f}"
    else:
        told = f"told {cust} their {item} now ships on day {new:.0f} (was day {was:.0f})"
    return told + ("; they kept waiting" if row["event"] == "notice_kept_waiting" else "; they cancelled")


def describe_event(row: dict[str, Any], item_names: Mapping[str, str] | None = None,
                   vendor_names: Mapping[str, str] | None = None) -> str:
    """One event-log row as a sentence, e.g. 'day 12.4: customer 381 ordered 1 unit; ...'. Items and
    vendors are called by their names in ``item_names`` / ``vendor_names`` (id -> name), else by id."""
    t, kind, who, q, v = row["time"], row["event"], row["customer"], row["quantity"], row["value"]
    order = row.get("order", -1)
    cust = f"customer {who}" if who >= 0 else "a customer"
    day = f"day {t:.1f}"
    quote = "no wait quoted" if v is None or (isinstance(v, float) and math.isnan(v)) else f"quoted at {v:.0f} days"
    vendor = _name(row.get("vendor"), "the supplier", vendor_names)
    item = _name(row.get("item"), "the item", item_names)
    if kind in ("notice_kept_waiting", "notice_cancelled"):
        notice = _notice(row, cust, _name(row.get("item"), "order", item_names))
        return f"{day}: {notice}; on hand {row['on_hand']}, backorders {row['backorders']}"
    text = {
        "sale": f"{cust} bought {_units(q)} from stock",
        "partial_sale": f"{cust} bought {_units(q)}, all that was on hand",
        "backordered": f"{cust} ordered {_units(q)}; none on hand; accepted a backorder {quote}",
        "bought_elsewhere": f"{cust} wanted {_units(q)}; none on hand; bought elsewhere (lost sale)",
        "substituted": f"{cust} wanted {_units(q)}; none on hand; bought a substitute",
        "delayed": f"{cust} wanted {_units(q)}; none on hand; will come back in {v:.0f} days",
        "no_purchase": f"{cust} wanted {_units(q)}; none on hand; did not buy",
        "backorder_shipped": f"shipped {_units(q)} to waiting {cust} after {v:.1f} days",
        "backorder_late": f"the backorder of {cust} arrived {v:.1f} days later than quoted",
        "backorder_cancelled": f"{cust} cancelled a backorder of {_units(q)} after waiting {v:.1f} days",
        "order_placed": f"the store ordered {_units(q)} from {vendor} (order {order})",
        "shipment_received": f"a shipment of {_units(q)} arrived from {vendor} (order {order})",
        "supplier_down": f"{vendor} stopped shipping for {v:.1f} days",
        "supplier_up": f"{vendor} is shipping again",
        "supplier_paid": f"paid {vendor} {v:,.2f} for order {order}",
        "shipment_delayed": f"{vendor} announced that order {order} ({_units(q)}) arrives on day {v:.1f}, "
                            f"not day {row.get('previous', math.nan):.1f}",
        "vendor_switched": f"{item} is now ordered from {vendor} (the vendor before "
                           f"it was late {v:.0f} times in the window)",
        "new_customer": f"new customer {who} arrived",
        "churned": f"{cust} stopped buying here (loyalty {v:.2f})",
        "negative_review": f"{cust} posted a negative review",
        "positive_review": f"{cust} posted a positive review",
    }.get(str(kind), str(kind))
    return f"{day}: {text}; on hand {row['on_hand']}, backorders {row['backorders']}"


# What an event that logged nothing means, by the engine's event type.
_SILENT = {
    "demand": "a customer thought about buying but did not this time (loyalty or season below its peak)",
    "new_customer": "a prospective customer stayed away (reputation)",
    "delayed_return": "a customer who meant to come back has stopped buying here",
    "cancellation": "a patience limit passed for a backorder that was already shipped",
    "accrual": "holding cost and interest posted to the ledger",
    "review": "periodic review: no order needed",
    "snapshot": "time-series snapshot taken",
    "supplier_payment": "supplier invoice paid",
    "notice_round": "a round of notices with nobody waiting",
}


class Simulation:
    """An interactive run: ``step()`` one event at a time, ``run_until(t)``, inspect ``state``.

    Stepping and running to the end give exactly the results of :func:`stocklab.simulate` with the
    same scenario, policy and seed. If a custom policy raises, the simulation is closed.
    """

    def __init__(self, scenario: ScenarioLike, seed: int | None = None, *, policy: str = "",
                 replication: int = 0, replenishment: _core.ReplenishmentPolicy | None = None) -> None:
        """Start a run at day 0, before its first event.

        ``scenario``: a Scenario, a dict or a path/bundled name; ``seed`` defaults to the scenario's
        ``run.seed``; ``policy`` names one of the scenario's ``policies`` ("" = the base scenario);
        ``replenishment`` may replace the scenario's replenishment policy with a
        :class:`stocklab.ReplenishmentPolicy`.
        """
        self.scenario = as_scenario(scenario)
        """The scenario, without its policy variant merged in (see :attr:`policy`)."""
        parsed = self.scenario.parsed(policy)
        self.seed = parsed.seed if seed is None else check_seed(seed)
        """The seed of the run."""
        self.policy = policy
        """The name of the scenario's policy variant this run follows ("" = the base scenario)."""
        self.replication = check_seed(replication, "replication")
        """The replication number."""
        self._sim = _core.Simulation(parsed, self.seed, self.replication, replenishment)
        self._item_ids: list[str] = list(parsed.item_ids)
        self._vendor_ids: list[str] = list(parsed.vendor_ids)
        self._item_names = dict(zip(self._item_ids, parsed.item_names, strict=True))
        self._vendor_names = dict(zip(self._vendor_ids, parsed.vendor_names, strict=True))
        self._closed: str | None = None
        self._result: RunResult | None = None

    def _guard(self, fn, *args):
        if self._closed:
            raise SimulationError(f"this simulation is closed: {self._closed}")
        try:
            return fn(*args)
        except (KeyboardInterrupt, _core.SimulationBusyError):
            raise  # an interrupted or a busy simulation is still intact
        except Exception as e:
            self._closed = f"{type(e).__name__}: {e}"
            raise

    def step(self, *, skip_silent: bool = False) -> str | None:
        """Handle the next event; return what happened as text (None when the run is over).

        Some events change nothing worth telling (a snapshot, a daily cost posting, a customer who
        thought about buying but did not); with ``skip_silent=True`` stepping goes on until
        something happens.
        """
        while True:
            start = self._sim.log_size
            if not self._guard(self._sim.step):
                return None
            rows = events_frame(self._sim.events_since(start), self._item_ids, self._vendor_ids)
            if not rows.empty:
                return "\n".join(describe_event(r, self._item_names, self._vendor_names)
                                 for r in rows.to_dict("records"))
            if not skip_silent:
                return f"day {self._sim.now:.1f}: {_SILENT.get(self._sim.last_event_type, 'nothing to report')}"

    def run_until(self, t: float) -> Simulation:
        """Handle every event before time ``t`` (days); returns self for chaining.

        Time only moves forward: a ``t`` before :attr:`now` raises ValueError. A ``t`` past the
        horizon runs to the horizon.
        """
        if isinstance(t, bool) or not isinstance(t, numbers.Real) or math.isnan(t):
            raise TypeError(f"t must be a number of days, got {t!r}")
        if t < self.now:
            raise ValueError(f"cannot run back in time: the simulation is at day {self.now:g}, "
                             f"run_until({t:g}) asks for an earlier day (start a new Simulation to replay)")
        self._guard(self._sim.run_until, float(t))
        return self

    def run_until_decision(self, t: float | None = None) -> InventoryView | None:
        """Run until a replenishment decision is due, and stop before the policy decides.

        A decision is due at every periodic review, or (continuous review) after every change of the
        inventory position. Returns what the policy would see (an :class:`InventoryView`), or None when
        the run reached ``t`` (default: the horizon) first. Then :meth:`decide` completes it: with the
        policy's own choice, or with yours. Always letting the policy decide gives exactly the results
        of :meth:`run` (an agent, a teacher or a test can step through the decisions).
        """
        stop = self._sim.horizon if t is None else t
        if isinstance(stop, bool) or not isinstance(stop, numbers.Real) or math.isnan(stop):
            raise TypeError(f"t must be a number of days, got {t!r}")
        if self._guard(self._sim.run_until_decision, float(stop)):
            return self._sim.decision_view()
        return None

    def decide(self, quantity: int | None = None, vendor: str | None = None) -> None:
        """Complete the pending decision: the policy's own choice (None) or an order of ``quantity`` units
        (0 for none), from ``vendor`` (the id of one of the item's vendors; None: the vendor the item's
        sourcing rule picks). Raises if no decision is pending (call :meth:`run_until_decision` first)."""
        if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, numbers.Integral)):
            raise TypeError(f"quantity must be a whole number of units or None, got {quantity!r}")
        if vendor is not None and not isinstance(vendor, str):
            raise TypeError(f"vendor must be a vendor id (str) or None, got {vendor!r}")
        if not self._sim.decision_pending:
            raise SimulationError("no decision is pending: call run_until_decision() first")
        if quantity is not None and quantity < 0:
            raise ValueError(f"quantity must be >= 0, got {quantity}")
        self._guard(self._sim.decide, None if quantity is None else int(quantity), vendor)

    def run(self) -> RunResult:
        """Run to the horizon and return the result (same as simulate())."""
        self.run_until(self._sim.horizon)
        return self.result

    @property
    def now(self) -> float:
        """The simulation clock, in days (0 before the first event)."""
        return self._sim.now

    @property
    def horizon(self) -> float:
        """The day the run ends (the scenario's ``run.horizon_days``)."""
        return self._sim.horizon

    @property
    def finished(self) -> bool:
        """True once the clock has reached the horizon (then :attr:`result` is available)."""
        return self._sim.finished

    @property
    def item_ids(self) -> list[str]:
        """The items' ids, in the scenario's order (as :attr:`stocklab.RunResult.item_ids`)."""
        return list(self._item_ids)

    @property
    def meta(self) -> dict[str, Any]:
        """Scenario name, policy, seed, replication and versions, as in :attr:`RunResult.meta`."""
        return run_metadata(self.scenario.name, self.policy, self.seed, self.replication)

    @property
    def initial_cash(self) -> float:
        """The cash balance at day 0."""
        return self._sim.invariants()["initial_cash_cents"] / 100.0

    @property
    def timeseries(self) -> pd.DataFrame:
        """The time series so far: one row per snapshot taken up to :attr:`now` (columns as
        :attr:`RunResult.timeseries`)."""
        if self._result is not None:  # the engine handed its series over to the result
            return self._result.timeseries
        return pd.DataFrame(self._guard(self._sim.timeseries))

    @property
    def state(self) -> dict[str, Any]:
        """On hand, backorders, on order, cash, customers... right now."""
        return dict(self._sim.state)

    @property
    def events(self) -> pd.DataFrame:
        """The event log so far: orders, shipments, stock-outs, backorders, cancellations, outages,
        churn and reviews however the run was advanced, plus every sale handled by :meth:`step` (every
        event when the scenario sets ``run.record_events``); columns as :attr:`RunResult.events`.
        Long runs keep the latest 100,000 to 200,000 rows (memory stays bounded)."""
        if self._result is not None:  # the engine handed its log over to the result
            return self._result.events
        return events_frame(self._sim.events_since(0), self._item_ids, self._vendor_ids)

    @property
    def summary(self) -> pd.Series:
        """Metrics over the measured window so far."""
        return pd.Series(self._sim.summary(), index=list(METRICS), name=self.policy or "run")

    @property
    def result(self) -> RunResult:
        """The :class:`RunResult` of the finished run (raises SimulationError before the horizon)."""
        if not self._sim.finished:
            raise SimulationError("the run is not finished: call run() or run_until(horizon) first")
        if self._result is None:
            self._result = RunResult(self._guard(self._sim.result),
                                     self.meta, self.scenario)
        return self._result

    def __repr__(self) -> str:
        s = self.state
        return (f"Simulation({self.scenario.name!r}, day {s['time']:.1f}, on_hand={s['on_hand']}, "
                f"backorders={s['backorders']}, cash={s['cash']:,.2f})")

    def _repr_html_(self) -> str:
        from .display import simulation_html

        return simulation_html(self)
