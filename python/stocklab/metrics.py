"""The metric table (name, unit, group, display label, description) and the one number formatter.

The table is defined once, in C++ (``cpp/include/stocklab/metrics.hpp``), and read here; plots,
HTML displays, the CLI and docs/glossary.md take their labels and units from it::

    import stocklab as sl
    sl.metric_info().loc["profit"]         # unit, group, label, description
    sl.metric_label("fill_rate")           # 'Fill rate (fraction)'
    sl.format_number(2296.0, "lost_units")  # '2,296'

This module imports only the engine, so every other module may import it (no import cycle).
"""

from __future__ import annotations

import difflib
import math
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _core, _schema

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["METRICS", "METRIC_INFO", "MetricInfo", "UNITS", "metric_info", "metric_label", "field_label",
           "display_name", "format_number"]


class MetricInfo(NamedTuple):
    """One row of the metric table."""

    name: str
    unit: str
    group: str
    label: str
    description: str


METRIC_INFO: dict[str, MetricInfo] = {row["name"]: MetricInfo(**row) for row in _core.metric_info}
"""Every metric's :class:`MetricInfo`, by name, in the engine's order."""

METRICS: tuple[str, ...] = tuple(_core.metric_names)
"""Names of the summary metrics, in the engine's order (defined in docs/glossary.md)."""

UNITS: dict[str, str] = {name: info.unit for name, info in METRIC_INFO.items()}
"""Unit of every metric ("fraction" = a number in [0, 1])."""


def metric_info() -> pd.DataFrame:
    """The metric table as a DataFrame indexed by metric name: unit, group, label, description."""
    import pandas as pd

    return pd.DataFrame(list(METRIC_INFO.values())).set_index("name")


# ------------------------------------------------------------------------------------------------
# Labels


def metric_label(metric: str, unit: bool = True) -> str:
    """A metric's display label with its unit, for axis labels: ``"Profit (currency)"``.

    Names that are not metrics (a scenario field such as ``"customers.patience.mean"``) get a
    readable label from :func:`field_label`; other names are returned as they are.
    """
    info = METRIC_INFO.get(metric)
    if info is None:
        return field_label(metric, unit=unit) if "." in metric else metric
    return f"{info.label} ({info.unit})" if unit else info.label


def table_metric_label(metric: str, by: str) -> str:
    """A per-item (``by="item"``) or per-segment (``"segment"``) metric's label with its unit."""
    info = {m["name"]: m for m in getattr(_core, f"{by}_metric_info")}.get(metric)
    return f"{info['label']} ({info['unit']})" if info else metric


def display_name(name: str) -> str:
    """A metric's display label without its unit (``"Fill rate"``); other names via :func:`metric_label`."""
    return metric_label(name, unit=False)


# Short names for the one-letter parameters of replenishment policies and for distribution parameters.
_FIELD_WORDS = {"s": "reorder point s", "S": "order-up-to level S", "Q": "order quantity Q",
                "rate_per_day": "rate per day"}
_DIST_WORDS = {"mean": "mean {}", "cv": "{} variability (CV)", "value": "{}", "sd": "{} standard deviation",
               "min": "minimum {}", "max": "maximum {}"}
_COUNTS = {"units", "orders", "customers", "reviews", "events"}
_UNIT_WORDS = [(r"currency", "currency"), (r"\bdays?\b", "days"), (r"\bunits?\b", "units"),
               (r"\bshare\b|\bprobability\b|\bfraction\b", "share")]


def _words(key: str) -> str:
    words = re.sub(r"_days$", "", key).replace("_", " ")
    return _FIELD_WORDS.get(key, words)


def _unit(description: str) -> str:
    for pattern, unit in _UNIT_WORDS:
        if re.search(pattern, description, flags=re.I):
            return unit
    return ""


def _in_entry(parts: list[str]) -> tuple[list[str], list[str], str, int]:
    """The path within the innermost entry keyed by id (items.lens_50.replenishment.s: the item's
    replenishment.s), the schema descriptions along it, the entry's id ("" for none), and how many
    keys deep the field is in its section (an entry counts as deep as the object that holds it)."""
    steps = _schema.walk(parts)
    ids = [i for i, (_, is_id) in enumerate(steps) if is_id and i + 1 < len(parts)]
    if not ids:
        return parts, [node.get("description", "") for node, _ in steps], "", len(parts)
    start = ids[-1] + 1
    inner = parts[start:]
    return inner, [node.get("description", "") for node, _ in steps[start:]], parts[ids[-1]], len(inner) + start - 2


def field_label(path: str, unit: bool = True) -> str:
    """A readable label for a scenario field given by its dotted path, with its unit from the schema.

    ``"customers.patience.mean"`` -> ``"mean patience (days)"``; ``"replenishment.s"`` ->
    ``"reorder point s (units)"``; ``"items.lens_50.replenishment.s"`` -> ``"reorder point s
    (units), lens_50"``; ``"policies.backorder.shortage.apology_discount"`` -> ``"apology
    discount (share), backorder policy"``.
    """
    parts = path.split(".")
    policy = ""
    if len(parts) > 2 and parts[0] == "policies":
        policy, parts = parts[1], parts[2:]
    parts, descriptions, owner, depth = _in_entry(parts)
    last = parts[-1]
    if last in _DIST_WORDS and len(parts) > 1:
        text = _DIST_WORDS[last].format(_words(parts[-2]))
        what = "" if last == "cv" else _unit(descriptions[-2])
    else:
        # A field deep in a section is named with its parent ("quote factor", "loyalty turned away").
        text = _words(last) if depth < 3 or len(parts) < 2 else f"{_words(parts[-2])} {_words(last)}"
        what = "" if re.search(r"_per_(day|year)$", last) else _unit(descriptions[-1])
        what = "" if what == text else what  # "share", not "share (share)"
    if unit and what:
        text += f" ({what})"
    return text + (f", {owner}" if owner else "") + (f", {policy} policy" if policy else "")


# ------------------------------------------------------------------------------------------------
# Numbers


def _no_negative_zero(text: str) -> str:
    """``"-0.00"`` -> ``"0.00"``: a value that rounds to zero shows no sign."""
    return text[1:] if text.startswith("-") and not re.search(r"[1-9]", text) else text


def format_number(value: Any, metric: str | None = None, *, unit: str | None = None, cents: bool = False) -> str:
    """A number formatted for reading, by the metric's unit when ``metric`` names one (or by ``unit``).

    Fractions to 3 decimals, days to 1, money to whole amounts (to cents with ``cents=True``, or
    when below 100), means of counts (units, customers...) to 1 decimal below 100. Other numbers:
    whole ones as integers with thousands separators (``2,296``), others to 0 decimals from 100
    up, 2 decimals from 1, 4 significant digits below.
    Missing values give ``"n/a"``; a value that rounds to zero never shows a minus sign.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    x = float(value)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    unit = unit or UNITS.get(metric or "", "")
    if unit == "fraction":
        text = f"{x:.3f}"
    elif unit == "currency":
        text = f"{x:,.2f}" if cents or abs(x) < 100 else f"{x:,.0f}"
    elif unit == "days":
        text = f"{x:,.1f}"
    elif unit in _COUNTS and not x.is_integer():  # a mean of counts
        text = f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"
    elif x.is_integer() and abs(x) < 1e15:
        text = f"{int(x):,}"
    elif abs(x) >= 100:
        text = f"{x:,.0f}"
    elif abs(x) >= 1:
        text = f"{x:,.2f}"
    else:
        text = f"{x:.4g}"
    return _no_negative_zero(text)


def unknown_metrics(unknown: list[str], known: list[str]) -> KeyError:
    """The error for metric names that are not among ``known``: the closest names for each, or the
    list of known ones when none is close."""
    hints = [f"{m!r}: did you mean {', '.join(map(repr, near))}?"
             for m in unknown if (near := difflib.get_close_matches(m, known, n=2))]
    if hints:
        return KeyError(f"unknown metrics {unknown} ({'; '.join(hints)})")
    return KeyError(f"unknown metrics {unknown}; known: {', '.join(known)}")
