"""Type stubs for stocklab._core, the C++ engine (internal: use the stocklab package)."""

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str
boost_version: str
metric_names: tuple[str, ...]
metric_info: tuple[dict[str, str], ...]
item_metric_info: tuple[dict[str, str], ...]
segment_metric_info: tuple[dict[str, str], ...]
vendor_metric_info: tuple[dict[str, str], ...]
series_names: tuple[str, ...]
event_kinds: tuple[str, ...]
ledger_categories: tuple[str, ...]
max_scenario_bytes: int

def _set_scenario_error_type(arg0: type[BaseException], /) -> None: ...

class ParsedScenario:
    """A validated scenario, ready to run (one policy variant)."""

    @property
    def item_ids(self) -> list[str]: ...
    @property
    def segment_ids(self) -> list[str]: ...
    @property
    def vendor_ids(self) -> list[str]: ...
    @property
    def item_names(self) -> list[str]: ...
    @property
    def vendor_names(self) -> list[str]: ...
    @property
    def name(self) -> str: ...
    @property
    def policy_name(self) -> str: ...
    @property
    def horizon_days(self) -> float: ...
    @property
    def warmup_days(self) -> float: ...
    @property
    def replications(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def expected_events(self) -> float: ...

def parse_json_text(text: str | bytes) -> Any: ...
def parse_scenario(doc: dict[str, Any] | str | bytes, policy: str = "") -> ParsedScenario: ...
def validate(doc: dict[str, Any] | str | bytes) -> None: ...
def policy_names(doc: dict[str, Any] | str | bytes) -> list[str]: ...
def resolve_policy(doc: dict[str, Any] | str | bytes, policy: str) -> dict[str, Any]: ...

class VendorRecord:
    """A vendor's record over the run so far (read-only): what it was asked for and delivered."""

    @property
    def orders(self) -> float:
        """Purchase orders placed with the vendor."""
    @property
    def ordered_units(self) -> float:
        """Units ordered from it."""
    @property
    def shipments(self) -> float:
        """Shipments that arrived."""
    @property
    def late_shipments(self) -> float:
        """Shipments that arrived after the date the vendor confirmed."""
    @property
    def received_units(self) -> float:
        """Units the arrived shipments brought."""
    @property
    def short_units(self) -> float:
        """Units the arrived shipments lacked (short shipments)."""
    @property
    def spend(self) -> float:
        """Cash paid to the vendor (supplier payments net of its refunds)."""
    @property
    def on_time_rate(self) -> float:
        """Share of the arrived shipments that came by their confirmed date (NaN before the first)."""
    @property
    def fill_rate(self) -> float:
        """Units received per unit due on the arrived shipments (NaN before the first)."""
    @property
    def mean_lead_time_days(self) -> float:
        """Realised days from order to arrival, per arrived shipment (NaN before the first)."""

class VendorStatus:
    """One of the item's vendors as the store sees it at a decision (read-only)."""

    @property
    def id(self) -> str:
        """The vendor's id."""
    @property
    def unit_price(self) -> float:
        """What it charges a unit of this item."""
    @property
    def lead_time_days(self) -> float:
        """Its mean lead time (its terms, not its record)."""
    @property
    def up(self) -> bool:
        """False while the vendor is in an outage (orders wait until it is back)."""
    @property
    def recent_late_deliveries(self) -> int:
        """Its late deliveries in the last ``sourcing.window_days`` of the item (90 by default)."""
    @property
    def record(self) -> VendorRecord:
        """Its record over the run so far."""

class InventoryView:
    """What a replenishment policy sees when it is asked to decide (read-only)."""

    @property
    def now(self) -> float:
        """The current time, in days."""
    @property
    def item(self) -> int:
        """The item's place in the scenario's items."""
    @property
    def on_hand(self) -> int:
        """Units on the shelf."""
    @property
    def backorders(self) -> int:
        """Units owed to waiting customers."""
    @property
    def on_order(self) -> int:
        """Units ordered from the supplier and not yet received."""
    @property
    def inventory_position(self) -> int:
        """``on_hand + on_order - backorders``: what reorder-point rules watch."""
    @property
    def recorded_demand(self) -> int:
        """Cumulative units the store recorded as demanded (sales + backorders), since day 0."""
    @property
    def sales(self) -> int:
        """Cumulative units served from stock, since day 0."""
    @property
    def open_orders(self) -> int:
        """Purchase orders placed and not yet received."""
    @property
    def is_review(self) -> bool:
        """True when the policy is asked at a periodic review (see ``review_period_days``)."""
    @property
    def vendors(self) -> list[VendorStatus]:
        """The item's vendors, in the scenario's order for it: id, price, lead time, outage, record."""

class ReplenishmentPolicy:
    """A replenishment policy written in Python: subclass it and define :meth:`order`.

    Pass an instance as ``replenishment=`` to :func:`stocklab.simulate` or :class:`stocklab.Simulation`;
    it replaces the scenario's ``replenishment`` section. By default the policy is asked after every
    change of the inventory position (continuous review); define :meth:`review_period_days` to be
    asked only at periodic reviews, at days ``k * period + review_offset_days()``.

    An (s, S) policy, the same as the built-in ``{"policy": "s_S", "s": 100, "S": 220}``::

        class OrderUpTo(sl.ReplenishmentPolicy):
            def __init__(self, s: int, S: int) -> None:
                super().__init__()          # required: sets up the C++ side
                self.s, self.S = s, S

            def order(self, view: sl.InventoryView) -> int:
                ip = view.inventory_position
                return self.S - ip if ip <= self.s else 0

        run = sl.simulate("camera_lens", seed=1, replenishment=OrderUpTo(100, 220))

    A weekly review (R, S) policy adds::

            def review_period_days(self) -> float:
                return 7.0

    If a method raises, the run stops with that exception (a :class:`stocklab.Simulation` is then
    closed).
    """

    def __init__(self) -> None: ...
    def order(self, view: InventoryView) -> int:
        """Units to order now (a whole number >= 0; 0 = no order), given what the store sees."""
    def review_period_days(self) -> float:
        """Days between periodic reviews (> 0), or 0 for continuous review (the default)."""
    def review_offset_days(self) -> float:
        """Day of the first review, in ``[0, review_period_days())`` (default 0)."""

def simulate(scenario: ParsedScenario, seed: int, replication: int = 0,
             policy: ReplenishmentPolicy | None = None) -> dict[str, Any]: ...
def run_replications(scenario: ParsedScenario, seed: int, first: int, count: int, jobs: int = 1,
                     policy_factory: Callable[[int], ReplenishmentPolicy] | None = None, tables: bool = False
                     ) -> Any: ...
def hardware_jobs() -> int: ...
def max_jobs() -> int: ...

class SimulationBusyError(RuntimeError):
    """A second call into a Simulation that is already running (another thread, or its own policy)."""

class Simulation:
    def __init__(self, scenario: ParsedScenario, seed: int, replication: int = 0,
                 policy: ReplenishmentPolicy | None = None) -> None: ...
    def step(self) -> bool: ...
    def run_until(self, t: float) -> None: ...
    def run_until_decision(self, t: float) -> bool: ...
    @property
    def decision_pending(self) -> bool: ...
    def decision_view(self) -> InventoryView: ...
    def decide(self, quantity: int | None = None, vendor: str | int | None = None) -> None: ...
    @property
    def now(self) -> float: ...
    @property
    def finished(self) -> bool: ...
    @property
    def horizon(self) -> float: ...
    @property
    def next_event_time(self) -> float: ...
    @property
    def last_event_type(self) -> str: ...
    @property
    def log_size(self) -> int: ...
    def events_since(self, start: int) -> dict[str, npt.NDArray[Any]]: ...
    def timeseries(self) -> dict[str, npt.NDArray[np.float64]]: ...
    def summary(self) -> npt.NDArray[np.float64]: ...
    def items(self) -> npt.NDArray[np.float64]: ...
    def vendors(self) -> npt.NDArray[np.float64]: ...
    def invariants(self) -> dict[str, Any]: ...
    def result(self) -> dict[str, Any]: ...
    @property
    def state(self) -> dict[str, Any]: ...

gym_reward_parts: list[str]

def gym_review_period(scenario: ParsedScenario) -> float: ...

class GymStepper:
    def __init__(self, scenario: ParsedScenario, num_envs: int, review_period_days: float,
                 pipeline_days: list[float], demand_windows_days: list[float], reward_metric: int = -1,
                 reward_sign: float = 1.0, log_mode: int = 0) -> None: ...
    @property
    def num_envs(self) -> int: ...
    @property
    def fields(self) -> list[tuple[str, int]]: ...
    @property
    def review_period_days(self) -> float: ...
    @property
    def observations(self) -> npt.NDArray[np.float32]: ...
    @property
    def rewards(self) -> npt.NDArray[np.float64]: ...
    @property
    def terminated(self) -> npt.NDArray[np.bool_]: ...
    @property
    def parts(self) -> npt.NDArray[np.float64]: ...
    @property
    def days(self) -> npt.NDArray[np.float64]: ...
    def reset(self, index: int, seed: int, replication: int) -> None: ...
    def step(self, quantities: npt.NDArray[np.int64], max_quantity: int,
             skip: npt.NDArray[np.bool_] | None = None) -> int: ...
    def now(self, index: int) -> float: ...
    def finished(self, index: int) -> bool: ...
    def summary(self, index: int) -> npt.NDArray[np.float64]: ...
    def log_size(self, index: int) -> int: ...
    def events_since(self, index: int, start: int) -> dict[str, npt.NDArray[Any]]: ...
    def timeseries(self, index: int) -> dict[str, npt.NDArray[np.float64]]: ...
