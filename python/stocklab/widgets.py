"""Interactive widgets for Jupyter (``pip install "stocklab[notebook]"``: ipywidgets, matplotlib).

:func:`explore` puts the parameters a class plays with on sliders and redraws one run's stock,
backorders and cash, and the paired comparison of the scenario's policies, each time one moves::

    import stocklab as sl
    sl.widgets.explore("camera_lens")

ipywidgets and matplotlib are imported when :func:`explore` is called, not when stocklab is.
"""

from __future__ import annotations

import html
import io
import time
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import ScenarioError
from .interactive import ScenarioLike
from .metrics import display_name, format_number
from .run import as_scenario, check_seed
from .scenario import Scenario

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets
    from matplotlib.figure import Figure

    from .experiment import Experiment
    from .results import RunResult

__all__ = ["explore", "Explorer", "COMPARED_METRICS"]

COMPARED_METRICS = ["profit", "lost_units", "cancelled_units", "fill_rate", "min_cash", "churned_customers"]
"""The metrics of the explorer's paired comparison table."""


def explore(scenario: ScenarioLike = "camera_lens", *, seed: int = 1, replications: int = 10,
            jobs: int | None = None) -> Explorer:
    """Sliders for a scenario's teaching parameters, a live chart of one run and a paired comparison.

    The controls: the policy whose run is charted, customer patience (mean days), the supplier's
    lead time (mean days) and its variability (coefficient of variation), the reorder point s and
    order-up-to level S (for (s, S) policies), quote honesty (1 = quote the expected wait; below 1 =
    quote that share of it), whether backordering customers prepay, and the number of replications.
    Controls the scenario has no use for are left out (no patience without customers, no s and S
    for other replenishment policies).

    Each change reruns the charted policy for one seed (stock, backorders below zero, cash) and
    :func:`stocklab.compare` over ``replications`` paired replications of every policy (common random
    numbers), and shows the paired differences against the first policy with 95% CIs. On the
    camera-lens scenario one update takes about 0.2 s (see docs). Returns an :class:`Explorer`;
    Jupyter displays it.
    """
    return Explorer(scenario, seed=seed, replications=replications, jobs=jobs)


def _mean(dist: Any) -> float | None:
    if not isinstance(dist, dict):
        return None
    return dist.get("mean", dist.get("value"))


def _backorder_variants(sc: Scenario) -> list[str]:
    """The variants ("" = the base) whose shortage rule offers backorders (quotes and prepay apply)."""
    names = ["", *sc.policies]
    return [n for n in names if (sc.with_policy(n) if n else sc).to_dict().get("shortage", {})
            .get("rule", "lost_sales") != "lost_sales"]


class Explorer:
    """The widget :func:`explore` returns: its controls, the latest run, comparison and figure.

    ``controls`` maps names (``policy``, ``patience``, ``lead_time``, ``lead_time_cv``, ``s_S``,
    ``quote_honesty``, ``prepay``, ``replications``) to ipywidgets; setting a control's ``value`` in
    code updates everything, as moving it does. ``widget`` is the whole box; ``image`` the chart (PNG);
    ``table`` the comparison (HTML); ``timings`` the seconds the last update took, by stage.
    """

    def __init__(self, scenario: ScenarioLike, *, seed: int = 1, replications: int = 10,
                 jobs: int | None = None) -> None:
        import ipywidgets as w

        self.base = as_scenario(scenario)
        self.seed = check_seed(seed)
        self.jobs = jobs
        self.controls: dict[str, ipywidgets.ValueWidget] = self._controls(w, replications)
        self.image = w.Image(format="png", layout=w.Layout(width="100%", max_width="900px"))
        self.table = w.HTML()
        self.status = w.HTML()
        self.run: RunResult | None = None
        self.comparison: Experiment | None = None
        self.figure: Figure | None = None
        self.timings: dict[str, float] = {}
        # The observe pattern of the ipywidgets docs: one callback for every control's value.
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        boxes = list(self.controls.values())
        self.widget = w.VBox([w.HBox([w.VBox(boxes[: (len(boxes) + 1) // 2]), w.VBox(boxes[(len(boxes) + 1) // 2:])]),
                              self.status, self.image, self.table])
        self.update()

    # controls ----------------------------------------------------------------------------------
    def _controls(self, w: Any, replications: int) -> dict[str, Any]:
        doc = self.base.to_dict()
        look = {"style": {"description_width": "150px"}, "layout": w.Layout(width="380px")}
        # Sliders report their value when released: each update reruns the simulations.
        slider = {"continuous_update": False, **look}
        c: dict[str, Any] = {}
        policies = self.base.policies or [""]
        c["policy"] = w.Dropdown(options=policies, value=policies[-1], description="charted policy", **look)
        patience = _mean(doc.get("customers", {}).get("patience"))
        if patience is not None:
            c["patience"] = w.FloatSlider(value=patience, min=0.5, max=60, step=0.5,
                                          description="patience (days)", **slider)
        lead = doc.get("supplier", {}).get("lead_time", {})
        c["lead_time"] = w.FloatSlider(value=_mean(lead) or 14, min=1, max=120, step=1,
                                       description="lead time (days)", **slider)
        c["lead_time_cv"] = w.FloatSlider(value=float(lead.get("cv", 0.0 if lead.get("dist") == "constant" else 1.0)),
                                          min=0, max=1.5, step=0.05, description="lead time CV", **slider)
        rep = doc.get("replenishment", {})
        if "s" in rep and "S" in rep:
            top = max(4 * int(rep["S"]), 50)
            c["s_S"] = w.IntRangeSlider(value=(int(rep["s"]), int(rep["S"])), min=0, max=top,
                                        description="s and S (units)", **slider)
        if _backorder_variants(self.base):
            c["quote_honesty"] = w.FloatSlider(value=1.0, min=0.1, max=1.0, step=0.05,
                                               description="quote honesty", **slider)
            c["prepay"] = w.Checkbox(value=True, description="customers prepay backorders", indent=False)
        c["replications"] = w.IntSlider(value=replications, min=2, max=100, description="replications", **slider)
        return c

    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def scenario(self) -> Scenario:
        """The scenario the controls describe (validated; raises ScenarioError if they contradict)."""
        v = self.values
        doc = self.base.to_dict()
        if "patience" in v:
            doc["customers"]["patience"] = {**doc["customers"]["patience"], "mean": v["patience"]}
        cv = round(v["lead_time_cv"], 4)
        doc["supplier"]["lead_time"] = ({"dist": "gamma", "mean": v["lead_time"], "cv": cv} if cv > 0
                                        else {"dist": "constant", "value": v["lead_time"]})
        if "s_S" in v:
            doc["replenishment"]["s"], doc["replenishment"]["S"] = (int(x) for x in v["s_S"])
        if "quote_honesty" in v:
            h = round(v["quote_honesty"], 4)
            quote = {"mode": "honest"} if h >= 1 else {"mode": "optimistic", "factor": h}
            for name in _backorder_variants(self.base):
                shortage = doc.setdefault("shortage", {}) if not name else \
                    doc["policies"][name].setdefault("shortage", {})
                shortage["quote"] = quote
                shortage["prepay"] = bool(v["prepay"])
                if not v["prepay"]:
                    shortage.pop("deposit_fraction", None)
        return Scenario(doc, source=self.base.source)

    # updates -----------------------------------------------------------------------------------
    def _on_change(self, change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> None:
        """Rerun and redraw for the controls' current values (what moving a control does)."""
        from .experiment import compare
        from .run import simulate

        t0 = time.perf_counter()
        try:
            sc = self.scenario()
        except ScenarioError as e:
            self.status.value = f"<span style='color:#b00'>These values do not make a valid scenario: " \
                                f"{html.escape(str(e))}</span>"
            return
        v = self.values
        self.run = simulate(sc, seed=self.seed, policy=v["policy"])
        t1 = time.perf_counter()
        self.comparison = compare(sc, replications=v["replications"], seed=self.seed, jobs=self.jobs, progress=False)
        self.table.value = self._table_html(self.comparison)
        t2 = time.perf_counter()
        self.figure = self._draw(self.run)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=80)
        self.image.value = buffer.getvalue()
        t3 = time.perf_counter()
        self.timings = {"run": t1 - t0, "comparison": t2 - t1, "chart": t3 - t2, "total": t3 - t0}
        self.status.value = (f"<span style='opacity:0.7'>updated in {1000 * (t3 - t0):.0f} ms: one run "
                             f"{1000 * (t1 - t0):.0f} ms, {v['replications']} paired replications of each policy "
                             f"{1000 * (t2 - t1):.0f} ms, chart {1000 * (t3 - t2):.0f} ms</span>")

    @staticmethod
    def _draw(run: RunResult) -> Figure:
        from matplotlib.figure import Figure

        from . import plot

        # A Figure outside pyplot: redrawn on every change, never piling up in pyplot's list.
        fig = Figure(figsize=(10, 6.5))
        top, bottom = fig.subplots(2, 1, sharex=True)
        plot.inventory(run, ax=top)
        plot.cash(run, ax=bottom)
        fig.tight_layout()
        return fig

    @staticmethod
    def _table_html(exp: Experiment) -> str:
        policies = exp.policies
        means = exp.summary(COMPARED_METRICS).set_index(["metric", "policy"])["mean"]
        rows = {}
        diffs = exp.differences(metrics=COMPARED_METRICS) if len(policies) > 1 else None
        for m in COMPARED_METRICS:
            row = {p: format_number(means[(m, p)], m) for p in policies}
            if diffs is not None:
                for _, d in diffs[diffs["metric"] == m].iterrows():
                    row[f"{d['policy']} - {policies[0]} (paired 95% CI)"] = (
                        f"{format_number(d['difference'], m)} [{format_number(d['ci95_low'], m)}, "
                        f"{format_number(d['ci95_high'], m)}]")
            rows[display_name(m)] = row
        frame = pd.DataFrame.from_dict(rows, orient="index")
        n = exp.meta["replications"]
        return f"<b>Mean of {n} replications per policy, and paired differences</b>" + frame.to_html(border=0)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
