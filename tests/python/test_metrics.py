"""The metric table (one table in C++, read by Python), the one number formatter, formatted frames,
and the _core.pyi stub checked against the compiled module."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import stocklab as sl
from stocklab import _core

STUB = Path(sl.__file__).with_name("_core.pyi")
UNITS = {"units", "fraction", "days", "currency", "orders", "customers", "reviews", "notices", "loyalty", "events"}
GROUPS = ["sales", "stock", "money", "supply", "customers", "engine"]


def test_metric_table_is_complete_and_in_engine_order():
    info = sl.metric_info()
    assert list(info.index) == list(sl.METRICS) == list(_core.metric_names)
    assert list(info.columns) == ["unit", "group", "label", "description"]
    assert set(info["unit"]) <= UNITS and set(info["group"]) == set(GROUPS)
    assert info["label"].is_unique
    for name, row in info.iterrows():
        assert row["label"] and row["label"][0].isupper(), name
        assert row["description"].endswith(".") and "\n" not in row["description"], name
    assert sl.METRIC_INFO["profit"] == sl.MetricInfo("profit", "currency", "money", "Profit",
                                                     info.loc["profit", "description"])


@pytest.mark.parametrize("value, metric, text", [
    (2296.0, "lost_units", "2,296"),
    (2296.0, None, "2,296"),
    (-0.001, "profit", "0.00"),
    (-0.0004, "fill_rate", "0.000"),
    (-0.00001, None, "-1e-05"),
    (0.86754, "fill_rate", "0.868"),
    (183959.126, "profit", "183,959"),
    (183959.126, None, "183,959"),
    (12.345, "mean_backorder_wait_days", "12.3"),
    (12.345, None, "12.35"),
    (float("nan"), "profit", "n/a"),
    (None, None, "n/a"),
    (np.int64(5), None, "5"),
    (89.7, "cancelled_units", "89.7"),
    (0.08265, "churned_customers", "0.1"),
    (306.4, "lost_units", "306"),
])
def test_format_number(value, metric, text):
    assert sl.format_number(value, metric) == text
    assert sl.format_number(183959.126, "profit", cents=True) == "183,959.13"


def test_experiment_tables_use_the_shared_formatter():
    from stocklab import experiment

    assert experiment.format_number is sl.format_number


def test_style_formats_stocklab_frames():
    pytest.importorskip("jinja2")
    lens = sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 120})
    runs = {p: sl.simulate(lens, seed=1, policy=p) for p in lens.policies}
    wide = pd.DataFrame({p: r.summary for p, r in runs.items()})
    text = sl.style(wide).to_string()
    assert re.search(r"\d\.\d{6}\b", wide.to_string())  # what pandas shows unformatted
    assert not re.search(r"\d\.\d{4,}\b", text) and "-0.00" not in text
    row = next(line for line in text.splitlines() if line.startswith("demand_units"))
    assert row.split()[1:] == [f"{runs[p].summary['demand_units']:,.0f}" for p in lens.policies]
    exp = sl.compare(lens, replications=4, seed=1, jobs=1)
    d = exp.differences(metrics=["profit", "fill_rate"])
    text = sl.style(d).to_string()
    fill = d.set_index("metric").loc["fill_rate"]
    assert f"{fill['difference']:.3f}".replace("-0.000", "0.000") in text
    assert sl.style(d).data is d  # the numbers themselves are not changed


# ------------------------------------------------------------------------------------------------
# _core.pyi against the module


def _stub() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"))


def _names(body: list[ast.stmt]) -> dict[str, ast.stmt]:
    out: dict[str, ast.stmt] = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = node
    return out


def _public(obj) -> set[str]:
    return {n for n in vars(obj) if not n.startswith("__") and n != "_pybind11_conduit_v1_"}


def _pybind_params(fn) -> list[tuple[str, bool]] | None:
    """(name, has default) of a pybind11 function, from the signature line of its docstring."""
    first = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
    m = re.match(r"^\w+\((.*)\) ->", first)
    if not m:
        return None
    out = []
    for part in re.split(r", (?=\w+:)", m.group(1)):
        if part:
            name = part.split(":")[0].strip()
            out.append((name, "=" in part))
    return [p for p in out if p[0] != "self"]


def _stub_params(fn: ast.FunctionDef) -> list[tuple[str, bool]]:
    args = fn.args.posonlyargs + fn.args.args
    defaults = [False] * (len(args) - len(fn.args.defaults)) + [True] * len(fn.args.defaults)
    return [(a.arg, d) for a, d in zip(args, defaults, strict=True) if a.arg != "self"]


def test_stub_names_match_the_module():
    stub = _names(_stub().body)
    module = {n for n in dir(_core) if not n.startswith("__")} | {"__version__"}
    assert set(stub) == module, f"only in stub: {set(stub) - module}; only in module: {module - set(stub)}"


def test_stub_signatures_match_the_module():
    checked = 0
    for name, node in _names(_stub().body).items():
        obj = getattr(_core, name)
        if isinstance(node, ast.FunctionDef):  # pybind11 names unnamed arguments arg0, arg1...
            assert _stub_params(node) == _pybind_params(obj), name
            checked += 1
        elif isinstance(node, ast.ClassDef):
            members = _names(node.body)
            assert set(members) - {"__init__"} == _public(obj), name
            for member, sub in members.items():
                attr = inspect.getattr_static(obj, member)
                if isinstance(sub, ast.FunctionDef) and not any(
                        isinstance(d, ast.Name) and d.id == "property" for d in sub.decorator_list):
                    assert not isinstance(attr, property), f"{name}.{member} is a property in the module"
                    assert _stub_params(sub) == _pybind_params(getattr(obj, member)), f"{name}.{member}"
                    checked += 1
                elif isinstance(sub, ast.FunctionDef):
                    assert isinstance(attr, property), f"{name}.{member} is not a property in the module"
    assert checked > 20


def test_the_replenishment_policy_example_of_the_stub_runs():
    doc = ast.get_docstring(_names(_stub().body)["ReplenishmentPolicy"])
    blocks = re.findall(r"::\n\n((?:(?: {4}.*)?\n)+)", doc)
    code = "\n".join(line[4:] for line in blocks[0].splitlines())
    namespace = {"sl": sl}
    exec(code, namespace)  # noqa: S102  (the documented example, as the reader would run it)
    built_in = sl.simulate(sl.load_scenario("camera_lens").with_overrides(
        {"replenishment": {"policy": "s_S", "s": 100, "S": 220}}), seed=1)
    assert namespace["run"].summary.equals(built_in.summary)


def test_no_import_cycle_between_stocklab_modules():
    """Imports inside functions count too: results -> display -> plot -> results was such a circle."""
    package = Path(sl.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        if path.stem == "__init__":
            continue
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module} if node.module else {a.name for a in node.names}
        graph[path.stem] = {d.split(".")[0] for d in deps} - {"_core"}
    assert {"metrics", "display", "plot", "results"} <= set(graph)

    def visit(module: str, stack: tuple[str, ...]) -> None:
        assert module not in stack, " -> ".join((*stack, module))
        for dep in graph.get(module, ()):
            visit(dep, (*stack, module))

    for module in graph:
        visit(module, ())
