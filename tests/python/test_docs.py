"""The user guide: it builds in strict mode, and documents every metric and every scenario field."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import stocklab as sl

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
needs_checkout = pytest.mark.skipif(not (ROOT / "mkdocs.yml").exists(), reason="needs a source checkout")


def _glossary_headings() -> list[str]:
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    return re.findall(r"^### `([a-z0-9_]+)`\s*$", text, flags=re.M)


@needs_checkout
def test_every_metric_is_in_the_glossary():
    headings = _glossary_headings()
    missing = [m for m in sl.METRICS if m not in headings]
    assert not missing, f"docs/glossary.md lacks a '### `name`' entry for {missing}"
    unknown = [h for h in headings if h not in sl.METRICS]
    assert not unknown, f"docs/glossary.md defines metrics stocklab does not have: {unknown}"
    assert len(headings) == len(set(headings))


_SECTIONS = {"Demand and sales": "sales", "Stock": "stock", "Money": "money", "Supply": "supply",
             "Customers": "customers", "Engine": "engine"}
_UNIT_WORDS = {"units": "Units", "fraction": "Fraction", "days": "Days", "currency": "Currency",
               "orders": "Orders", "customers": "Customers", "reviews": "Reviews", "notices": "Notices",
               "loyalty": "Loyalty", "events": "Events"}


def _glossary_entries() -> dict[str, tuple[str, str]]:
    """metric -> (the section it is under, its text) of docs/glossary.md."""
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    out, section = {}, ""
    for block in re.split(r"^(?=##+ )", text, flags=re.M):
        if m := re.match(r"## (.+)\n", block):
            section = m.group(1).strip()
        elif m := re.match(r"### `([a-z0-9_]+)`\s*\n", block):
            out[m.group(1)] = (section, block[m.end():].strip())
    return out


@needs_checkout
def test_glossary_equals_the_metric_table_entry_by_entry():
    entries = _glossary_entries()
    info = sl.metric_info()
    for section, group in _SECTIONS.items():
        here = [m for m, (s, _) in entries.items() if s == section]
        assert here == list(info.index[info["group"] == group]), f"section {section!r}: order or members"
    for metric, (_, text) in entries.items():
        units = re.findall(r"\b(" + "|".join(_UNIT_WORDS.values()) + r")\b[.;]", text)
        assert units and units[-1] == _UNIT_WORDS[info.loc[metric, "unit"]], f"{metric}: unit stated {units[-1:]}"


def _parser_keys() -> set[str]:
    """Every key the C++ parser accepts: the allowed-key lists of its ``Obj(...)`` views and
    ``optional_block(...)`` sections."""
    keys: set[str] = set()
    for name in ("fields.cpp", "parser.cpp", "store.cpp", "sourcing.cpp"):
        src = (ROOT / "cpp" / "scenario" / name).read_text(encoding="utf-8")
        lists = re.findall(r'(?:\bObj\s*\w*\(|optional_block\(|kShortageKeys\s*=)[^;]*?\{((?:\s*"\w+"\s*,?)+)\}', src)
        for allowed in lists:
            keys |= set(re.findall(r'"(\w+)"', allowed))
    return keys


class _Paths:
    """The field paths the model page lists for each format of the schema: a shared definition's
    fields once, where they first appear (the store format first, each format's own sections before
    the fields that refer to them); a field that only refers to a definition listed before is one
    path. ``ID`` and ``NAME`` stand for the keys of objects keyed by id or by name."""

    def __init__(self, schema: dict) -> None:
        self.defs = schema["$defs"]
        self.listed: dict[str, tuple[int, str]] = {}
        self.paths: set[str] = set()
        formats = {p["if"]["properties"]["schema_version"]["const"]: p["then"] for p in schema["allOf"]}
        for self.version in (2, 1):
            props = self._props(formats[self.version])
            for key, sub in props.items():
                if self._props(sub) or "$ref" in sub:
                    self._list(sub, key)
            for key, sub in props.items():
                self._field(key, sub)

    def _chain(self, node: dict) -> list[str]:
        names = []
        while isinstance(node, dict) and "$ref" in node:
            names.append(node["$ref"].rsplit("/", 1)[-1])
            node = self.defs[names[-1]]
        return names

    def _props(self, node: dict) -> dict:
        base = self._props(self.defs[self._chain(node)[0]]) if self._chain(node) else {}
        return {**base, **node.get("properties", {})}

    def _list(self, node: dict, path: str) -> None:
        for name in self._chain(node):
            self.listed.setdefault(name, (self.version, path))

    def _field(self, path: str, node) -> None:
        if not isinstance(node, dict):
            return
        self.paths.add(path)
        chain = self._chain(node)
        if chain and ("dist" in self._props(node) or not node.get("properties") and
                      self.listed.get(chain[0], (self.version, path)) != (self.version, path)):
            return  # a distribution, or fields listed elsewhere
        self._list(node, path)
        for key, sub in self._props(node).items():
            self._field(f"{path}.{key}", sub)
        target = self.defs[chain[-1]] if chain else node
        for part in target.get("allOf", []):  # a replenishment policy's fields
            for key, sub in self._props(part.get("then", {})).items():
                if key != "policy":
                    self._field(f"{path}.{key}", sub)
        entry = node.get("additionalProperties", self.defs[chain[0]].get("additionalProperties") if chain else None)
        # Entries with fields of their own get rows (a map of plain numbers, e.g. shares, is one field).
        if isinstance(entry, dict) and (entry.get("properties") or "$ref" in entry):
            named = "$ref" in self.defs[chain[0]].get("propertyNames", {}) if chain else "propertyNames" in node
            self._field(f"{path}.{'ID' if named else 'NAME'}", entry)


@needs_checkout
def test_docs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    assert "WARNING" not in log, log
    for page in ("index.html", "model/index.html", "glossary/index.html", "validation/index.html",
                 "performance/index.html", "api/index.html"):
        assert (site / page).is_file(), page

    # The parameter tables were generated from the schema: every field of it, and every key the
    # parser accepts, appears on the model page.
    model = (site / "model" / "index.html").read_text(encoding="utf-8")
    assert "<!-- scenario-parameters -->" not in model
    # Field names may break after a dot, nowhere else (the stylesheet keeps words whole).
    assert "customers.<wbr>patience" in model and "keep-all" in (DOCS / "stylesheets" / "extra.css").read_text()
    assert not re.search(r"[^.]<wbr>", model)
    model = model.replace("<wbr>", "")
    schema = json.loads((ROOT / "scenarios" / "schema.json").read_text(encoding="utf-8"))
    paths = _Paths(schema).paths
    assert {"run.horizon_days", "customers.patience", "shortage.max_open_backorders", "items.ID.price",
            "items.ID.replenishment.s", "items.ID.shortage", "customers.segments.ID.share", "vendors.ID.lead_time",
            "sku.price", "supplier.unit_price", "initial.on_hand", "demand.rate_per_day", "demand.basket",
            "policies.NAME.items", "replenishment"} <= paths
    assert "customers.segments.ID.backorder_acceptance.beta0" not in paths  # listed at customers.backorder_acceptance
    missing = sorted(p for p in paths if f"<code>{p}</code>" not in model)
    assert not missing, f"fields of schema.json missing from the model page: {missing}"
    for heading in ("Store format (<code>schema_version</code> 2)", "One-item format (<code>schema_version</code> 1)"):
        assert heading in model, heading
    words = set(re.findall(r"<code>([A-Za-z0-9_.]+)</code>", model))
    leaves = {w.rsplit(".", 1)[-1] for w in words}
    undocumented = sorted(_parser_keys() - leaves)
    assert not undocumented, f"keys the parser accepts but the model page never names: {undocumented}"

    # The API reference was generated from the docstrings.
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("simulate", "compare", "sweep", "Experiment", "Simulation", "ReplenishmentPolicy",
                 "sweep_heatmap", "ScenarioError", "optimize", "OptimizationResult"):
        assert f'id="stocklab.{name}"' in api or f'id="stocklab.plot.{name}"' in api, name
    assert ":func:" not in api

    glossary = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    for metric in sl.METRICS:
        assert f'id="{metric}"' in glossary, metric
        info = sl.METRIC_INFO[metric]  # the entry opens with its row of the metric table
        line = f"<strong>{info.label}</strong> ({info.unit}): <em>{info.description}</em>"
        assert line in glossary, metric


@needs_checkout
def test_api_reference_shows_every_public_member(tmp_path):
    """Every public member of the classes users touch has an entry (not hidden for a missing
    docstring), signatures wrap, and the engine's classes show their stub, not pybind11 internals."""
    pytest.importorskip("mkdocs")
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--config-file", str(ROOT / "mkdocs.yml"),
                    "--site-dir", str(site)], cwd=ROOT, env=env, capture_output=True, check=True, timeout=300)
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    members = {
        "RunResult": ["timeseries", "events", "ledger", "summary", "meta", "income_statement", "scenario"],
        "Scenario": ["name", "to_json", "horizon_days", "to_dict", "with_overrides", "policies"],
        "Simulation": ["now", "finished", "result", "timeseries", "events", "state", "run_until", "step"],
        "Experiment": ["policies", "metrics", "summary", "differences", "table"],
        "ReplenishmentPolicy": ["order", "review_period_days", "review_offset_days"],
        "InventoryView": ["inventory_position", "on_hand", "is_review"],
    }
    for cls, names in members.items():
        for name in names:
            assert f'id="stocklab.{cls}.{name}"' in api, f"{cls}.{name}"
    exported = [n for n in sl.__all__ if n not in ("ScenarioLike", "__version__")]  # a type alias, a string
    modules = [n for n in exported if inspect.ismodule(getattr(sl, n))]  # shown by their members
    for name in modules:
        assert f'id="stocklab.{name}.' in api, name
    for name in [f"stocklab.{n}" for n in exported if n not in modules] + [
            "stocklab.widgets.explore", "stocklab.plot.differences", "stocklab.plot.items"]:
        assert f'id="{name}"' in api, name
    assert "pybind11" not in api and "method descriptor" not in api
    assert "OrderUpTo(sl.ReplenishmentPolicy)" in api  # the subclass example
    # the Simulation constructor's parameters, wrapped one per line
    start = api.index('id="stocklab.Simulation"')
    signature = api[start: api.index("</code></pre>", start)]
    assert signature.count("\n") >= 4 and "replenishment" in signature
    for page in ("glossary", "model", "validation"):  # formulas typeset as math
        assert 'class="arithmatex"' in (site / page / "index.html").read_text(encoding="utf-8"), page


@needs_checkout
@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")) + ["../README.md"])
def test_whole_scenarios_in_the_docs_are_valid(page):
    """A JSON block of the docs that is a whole scenario (it has a run, demand or items section) loads
    as written: readers copy these."""
    text = (DOCS / page).read_text(encoding="utf-8")
    for block in re.findall(r"```json\n(.*?)\n```", text, flags=re.S):
        doc = json.loads(block)
        if isinstance(doc, dict) and {"demand", "items"} & doc.keys():
            sl.Scenario(doc).parsed()  # raises ScenarioError naming the field and the rule
