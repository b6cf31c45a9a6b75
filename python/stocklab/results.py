"""One run's results as pandas objects: summary, time series, event log, ledger, income statement."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from .metrics import METRICS

__all__ = ["RunResult", "METRICS", "run_metadata"]


def run_metadata(scenario_name: str, policy: str, seed: int, replication: int) -> dict[str, Any]:
    """The ``meta`` dict of a run: what produced it, with the versions."""
    return {
        "scenario": scenario_name,
        "policy": policy,
        "seed": int(seed),
        "replication": int(replication),
        "stocklab_version": _core.__version__,
        "boost_version": _core.boost_version,
    }


# Rows whose reference is a purchase order, not a customer.
_ORDER_EVENTS = ("order_placed", "shipment_received", "supplier_paid", "shipment_delayed")


def item_column(codes: np.ndarray, item_ids: list[str] | None, what: str = "item") -> pd.Categorical:
    """Item (or vendor) ids from the engine's numbers for them (-1, none: missing)."""
    ids = list(item_ids or [])
    codes = np.asarray(codes, dtype=np.int64)
    if ids and len(codes) and codes.max(initial=-1) >= len(ids):
        raise ValueError(f"{what} numbers beyond the scenario's {what}s")
    return pd.Categorical.from_codes(codes if ids else np.full(len(codes), -1), categories=ids)


def events_frame(raw: dict[str, np.ndarray], item_ids: list[str] | None = None,
                 vendor_ids: list[str] | None = None) -> pd.DataFrame:
    """The event log's DataFrame from the engine's column arrays. The engine's `reference` is a
    customer for customer rows and a purchase order for supply rows: two columns here."""
    kinds = np.array(_core.event_kinds, dtype=object)
    event = pd.Categorical(kinds[raw["kind"]] if len(raw["kind"]) else [], categories=list(kinds))
    is_order = np.isin(np.asarray(event, dtype=object), _ORDER_EVENTS)
    reference = np.asarray(raw["customer"], dtype=np.int64)
    df = pd.DataFrame(
        {
            "time": raw["time"],
            "event": event,
            "item": item_column(raw["item"], item_ids),
            "customer": np.where(is_order, -1, reference),
            "order": np.where(is_order, reference, -1),
            "quantity": raw["quantity"],
            "value": raw["value"],
            "previous": raw["previous"],
            "vendor": item_column(raw["vendor"], vendor_ids, "vendor"),
            "on_hand": raw["on_hand"],
            "backorders": raw["backorders"],
            "on_order": raw["on_order"],
            "cash": raw["cash"],
        }
    )
    return df


class _Statement(pd.Series):
    """The income statement; calling it like the method it was in 0.1 warns and returns it."""

    @property
    def _constructor(self) -> type[pd.Series]:
        return pd.Series  # operations on it give plain Series

    def __call__(self) -> pd.Series:
        warnings.warn("RunResult.income_statement is a property now: write run.income_statement without ()",
                      DeprecationWarning, stacklevel=2)
        return pd.Series(self)


class RunResult:
    """The outcome of one replication of one policy variant.

    ``summary`` (Series of the metrics, see docs/glossary.md), ``timeseries`` (DataFrame sampled every
    ``run.snapshot_interval_days``), ``events`` (event log, when ``run.record_events`` is on),
    ``ledger`` (dated cash entries) and ``income_statement`` (a Series that reconciles with the ledger).
    """

    def __init__(self, raw: dict[str, Any], meta: dict[str, Any], scenario: Any = None) -> None:
        self._raw = raw
        self.meta = meta
        """Scenario name, policy, seed, replication, stocklab and Boost versions."""
        self._base_scenario = scenario
        self._variant: Any = None
        self.summary = pd.Series(raw["summary"], index=list(METRICS), name=meta.get("policy") or "run")
        """Every metric of :data:`stocklab.METRICS` over the measured window (docs/glossary.md)."""
        self.initial_cash = float(raw["initial_cash"])
        """The cash balance at day 0."""

    # The frames are built on first use: building all three costs several times a one-year run, and
    # a loop over simulate() often reads only the summary.
    @functools.cached_property
    def timeseries(self) -> pd.DataFrame:
        """One row per snapshot (every ``run.snapshot_interval_days``, and at the horizon): time, on
        hand, backorders, on order, inventory position, cash, cumulative demand and sales, active
        customers, mean loyalty, reputation (columns in docs/glossary.md)."""
        return pd.DataFrame({k: v for k, v in self._raw["timeseries"].items()})

    @functools.cached_property
    def events(self) -> pd.DataFrame:
        """The event log (with ``run.record_events``): one row per thing that happened, with the state
        after it (kinds of event in docs/glossary.md)."""
        return events_frame(self._raw["events"], self.item_ids, self.vendor_ids)

    @functools.cached_property
    def ledger(self) -> pd.DataFrame:
        """Every cash movement (with ``run.record_ledger``, the default): time, category, amount
        (currency and integer cents), reference (customer or purchase-order id), item (missing for
        the store's own postings: holding cost, interest), vendor (the vendor paid or refunding, on
        supplier payments, refunds and ordering costs; missing otherwise)."""
        cats = np.array(_core.ledger_categories, dtype=object)
        led = self._raw["ledger"]
        return pd.DataFrame(
            {
                "time": led["time"],
                "category": pd.Categorical(cats[led["category"]] if len(led["category"]) else [],
                                           categories=list(cats)),
                "amount": led["amount_cents"] / 100.0,
                "amount_cents": led["amount_cents"],
                "reference": led["reference"],
                "item": item_column(led["item"], self.item_ids),
                "vendor": item_column(led["vendor"], self.vendor_ids, "vendor"),
            }
        )

    @property
    def item_ids(self) -> list[str]:
        """The items' ids, in the scenario's order (version-1 scenarios have one, "item")."""
        return list(self._raw["item_ids"])

    @functools.cached_property
    def items(self) -> pd.DataFrame:
        """One row per item (indexed by its id), one column per item metric over the measured window:
        demand, sales, backorders, losses, substitution, stock, money (docs/glossary.md, "Items")."""
        names = [m["name"] for m in _core.item_metric_info]
        return pd.DataFrame(self._raw["items"], index=pd.Index(self.item_ids, name="item"), columns=names)

    @property
    def vendor_ids(self) -> list[str]:
        """The vendors' ids, in the scenario's order (version-1 scenarios have one, "supplier")."""
        return list(self._raw.get("vendor_ids", []))

    @functools.cached_property
    def vendors(self) -> pd.DataFrame:
        """One row per vendor (indexed by its id), one column per vendor metric over the measured
        window: orders, units ordered, received and short, shipments and late ones, on-time and fill
        rates, realised lead time, spend (what the ledger paid it), days down (docs/glossary.md,
        "Vendors")."""
        names = [m["name"] for m in _core.vendor_metric_info]
        return pd.DataFrame(self._raw["vendors"], index=pd.Index(self.vendor_ids, name="vendor"), columns=names)

    @functools.cached_property
    def segments(self) -> pd.DataFrame:
        """One row per customer segment (indexed by its id; scenarios without segments have one,
        "all"), one column per segment metric: customers, visits, demand, sales, losses, loyalty,
        revenue (docs/glossary.md, "Segments")."""
        names = [m["name"] for m in _core.segment_metric_info]
        ids = list(self._raw.get("segment_ids", []))
        return pd.DataFrame(self._raw["segments"], index=pd.Index(ids, name="segment"), columns=names)

    @property
    def scenario(self) -> Any:
        """The scenario this run used, with its policy variant merged in (None if not known)."""
        if self._variant is None and self._base_scenario is not None:
            policy = self.meta.get("policy")
            # Resolved on first use: merging and re-validating costs as much as a short run.
            self._variant = self._base_scenario.with_policy(policy) if policy else self._base_scenario
        return self._variant

    @property
    def seed(self) -> int:
        """The seed of the run."""
        return self.meta["seed"]

    @property
    def replication(self) -> int:
        """The replication number (replications of one seed use independent random numbers)."""
        return self.meta["replication"]

    @property
    def income_statement(self) -> pd.Series:
        """Profit and loss over the measured window, plus the balance-sheet items at the horizon.

        A property, like ``summary`` and ``ledger`` (calling it, as in stocklab 0.1, still works for
        one release and warns).
        """
        s = self.summary
        gross = s["revenue"] - s["cost_of_goods_sold"]
        return _Statement(
            {
                "revenue (net of apology discounts)": s["revenue"],
                "cost of goods sold": -s["cost_of_goods_sold"],
                "gross profit": gross,
                "holding cost": -s["holding_cost"],
                "ordering cost": -s["ordering_cost"],
                "net interest": -s["net_interest"],
                "profit": s["profit"],
                "cash at horizon": s["final_cash"],
                "customer prepayments outstanding (liability)": s["customer_prepayments_outstanding"],
                "supplier payables outstanding (liability)": s["supplier_payables_outstanding"],
            },
            name="income statement",
        )

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"RunResult({self.meta['scenario']!r}, policy={self.meta.get('policy') or 'base'!r}, "
            f"seed={self.seed}, fill_rate={s['fill_rate']:.3f}, profit={s['profit']:,.2f})"
        )

    def _repr_html_(self) -> str:
        from .display import run_html

        return run_html(self)
