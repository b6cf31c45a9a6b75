"""stocklab: what a retailer gains and loses when an item runs out.

A C++ discrete-event simulator of customers, suppliers and stock, scripted from Python::

    import stocklab as sl
    sc = sl.load_scenario("camera_lens")
    run = sl.simulate(sc, seed=1, policy="backorder")
    cmp = sl.compare(sc, replications=200, seed=42)
    cmp.summary(); cmp.differences()
    best = sl.optimize(sc, space={"replenishment.s": range(40, 200, 10)}, objective="profit", delta=500)
"""

from __future__ import annotations

from . import _core
from .errors import ScenarioError, SimulationError

_core._set_scenario_error_type(ScenarioError)

# matplotlib and ipywidgets are imported only when a plot or widget function runs.
from . import plot, stats, widgets  # noqa: E402
from ._core import InventoryView, ReplenishmentPolicy  # noqa: E402
from .display import style  # noqa: E402
from .experiment import Experiment, compare, load_results, sweep  # noqa: E402
from .interactive import ScenarioLike, Simulation  # noqa: E402
from .metrics import METRIC_INFO, METRICS, MetricInfo, format_number, metric_info, metric_label  # noqa: E402
from .objectives import Constraint, Continuous  # noqa: E402
from .optimization import OptimizationResult, PolicyOptimum, optimize  # noqa: E402
from .orders import Order  # noqa: E402
from .results import RunResult  # noqa: E402
from .run import simulate  # noqa: E402
from .scenario import Scenario, bundled_scenarios, load_scenario, schema  # noqa: E402

__version__: str = _core.__version__

__all__ = [
    "METRICS",
    "METRIC_INFO",
    "Constraint",
    "Continuous",
    "Experiment",
    "InventoryView",
    "MetricInfo",
    "OptimizationResult",
    "Order",
    "PolicyOptimum",
    "ReplenishmentPolicy",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "ScenarioLike",
    "Simulation",
    "SimulationError",
    "bundled_scenarios",
    "compare",
    "format_number",
    "load_results",
    "load_scenario",
    "metric_info",
    "metric_label",
    "optimize",
    "plot",
    "schema",
    "simulate",
    "stats",
    "style",
    "sweep",
    "widgets",
    "__version__",
]
