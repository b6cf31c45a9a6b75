"""scenarios/schema.json: a valid, documented JSON Schema that agrees with the C++ parser.

The parser is the reference. The schema must accept everything the parser accepts, list exactly the
keys the parser allows in each object, and reject on its own whatever JSON Schema can express (the
bad-scenario manifest records which corpus files those are). Each check covers both formats: one
item (schema_version 1) and a store (schema_version 2).
"""

from __future__ import annotations

import copy
import json
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import stocklab as sl
from stocklab import _core, _schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "scenarios" / "schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
SCENARIO_FILES = sorted(p for p in (ROOT / "scenarios").glob("*.json") if p.name != "schema.json")
CORPUS = ROOT / "tests" / "data" / "bad_scenarios"
MANIFEST = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
LENS: dict[str, Any] = json.loads((ROOT / "scenarios" / "camera_lens.json").read_text(encoding="utf-8"))
SHOP: dict[str, Any] = json.loads((ROOT / "tests" / "data" / "stores" / "small_shop.json").read_text(encoding="utf-8"))


def schema_errors(doc: Any) -> list[jsonschema.ValidationError]:
    return list(VALIDATOR.iter_errors(doc))


def pointer(path: Any) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "/"


# --- scenarios a user may reasonably write: the parser and the schema must both accept them ---------
MINIMAL: dict[str, Any] = {
    "schema_version": 1,
    "name": "minimal",
    "sku": {"price": 1, "unit_cost": 0},
    "demand": {"rate_per_day": 1},
    "supplier": {"lead_time": {"dist": "constant", "value": 0}},
    "replenishment": {"policy": "none"},
}
FULL_POISSON: dict[str, Any] = {
    "schema_version": 1,
    "name": "full_poisson",
    "description": "every optional key of a poisson scenario",
    "run": {
        "horizon_days": 730,
        "warmup_days": 30.5,
        "replications": 3,
        "seed": 0,
        "snapshot_interval_days": 0,
        "record_events": True,
        "record_ledger": False,
    },
    "sku": {"name": "", "price": 10, "unit_cost": 6.5, "holding_cost_per_unit_day": 0, "salvage_value": 2},
    "initial": {"on_hand": 0, "cash": -5000},
    "demand": {
        "model": "poisson",
        "rate_per_day": 2.5,
        "order_size": {"dist": "geometric", "mean": 1.5},
        "seasonality": {"amplitude": 0.4, "period_days": 365.25, "phase_days": -30},
    },
    "supplier": {
        "name": "acme",
        "lead_time": {"dist": "lognormal", "mean": 10, "cv": 0},
        "orders_may_cross": False,
        "unit_price": 6,
        "order_cost": 0,
        "payment_terms_days": 0,
        "prepay": False,
        "min_order": 10,
        "order_multiple": 5,
        "reliability": {
            "partial_probability": 0.2,
            "partial_fraction": {"dist": "uniform", "low": 0.2, "high": 1},
            "late_probability": 0.8,
            "late_days": {"dist": "empirical", "values": [1, 2, 3], "weights": [0, 1, 0]},
        },
        "capacity": {"units": 100, "period_days": 7},
        "disruptions": {
            "up_days": {"dist": "exponential", "mean": 180},
            "down_days": {"dist": "uniform", "low": 0, "high": 30},
            "first_down_day": 0,
        },
    },
    "replenishment": {
        "policy": "forecast",
        "alpha": 1,
        "cover_days": 21,
        "safety_stock": 0,
        "review_period_days": 7,
        "review_offset_days": 6.5,
    },
    "shortage": {
        "rule": "partial_backorder",
        "prepay": True,
        "deposit_fraction": 0.25,
        "partial_shipments": False,
        "max_open_backorders": 0,
        "max_quoted_wait_days": 0,
        "apology_discount": 1,
        "quote": {"mode": "optimistic", "factor": 1},
    },
    "finance": {
        "holding_cost_accrual": "period_end",
        "accrual_period_days": 30,
        "overdraft_rate_per_year": 10,
        "deposit_rate_per_year": 0.02,
    },
}
FULL_CUSTOMERS = copy.deepcopy(LENS)
FULL_CUSTOMERS["name"] = "full_customers"
FULL_CUSTOMERS["customers"].update(
    {
        "patience": {"dist": "infinite"},
        "late_grace_days": 2,
        "expected_wait_days": 0,
        "backorder_acceptance": {"form": "logistic", "beta0": 1, "rate_per_day": 0, "midpoint_days": 0},
    }
)
FULL_CUSTOMERS["customers"]["loyalty"]["churn_below"] = 0.3
FULL_CUSTOMERS["customers"]["response"]["delay_days"] = {"dist": "gamma", "mean": 3, "cv": 10}


# the store format: the least a store must give, and every optional key
MINIMAL_STORE: dict[str, Any] = {
    "schema_version": 2,
    "name": "minimal_store",
    "demand": {"visits_per_day": 1},
    "items": {"only": {"price": 1, "unit_cost": 0, "replenishment": {"policy": "none"}}},
}
FULL_STORE = copy.deepcopy(SHOP)
FULL_STORE["name"] = "full_store"
FULL_STORE["initial"] = {"cash": -100}
FULL_STORE["demand"].update(order_size={"dist": "geometric", "mean": 1.2}, seasonality={"amplitude": 0.2})
FULL_STORE["customers"].update(  # every store-wide customer setting of the one-item example
    {k: copy.deepcopy(v) for k, v in FULL_CUSTOMERS["customers"].items() if k != "population"}
)
FULL_STORE["customers"]["segments"]["pros"].update(
    description="working photographers", basket={"dist": "constant", "value": 2}, patience={"dist": "infinite"},
)
FULL_STORE["vendors"]["maker"].update(
    name="Maker GmbH", description="the manufacturer", orders_may_cross=False, payment_terms_days=30,
    order_multiple=5, reliability={"partial_probability": 0.1, "late_probability": 0.2},
    capacity={"units": 50, "period_days": 7}, disruptions={"up_days": {"dist": "exponential", "mean": 90},
                                                           "down_days": {"dist": "constant", "value": 5}},
)
FULL_STORE["items"]["lens_50"].update(
    name="50mm f/1.8", description="the best seller", holding_cost_per_unit_day=0.1, salvage_value=80,
    shortage={"rule": "backorder", "prepay": True, "deposit_fraction": 0.5, "apology_discount": 0.1,
              "quote": {"mode": "fixed", "days": 14}},
)
FULL_STORE["shortage"] = {"rule": "lost_sales", "partial_shipments": False}
FULL_STORE["finance"] = {"holding_cost_accrual": "period_end", "accrual_period_days": 7, "salvage_in_profit": True}


def with_(base: dict[str, Any], **sections: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    doc.update(copy.deepcopy(sections))
    return doc


LEAD = {"lead_time": {"dist": "constant", "value": 3}}
VALID: dict[str, dict[str, Any]] = {
    "minimal": MINIMAL,
    "full_poisson": FULL_POISSON,
    "full_customers": FULL_CUSTOMERS,
    "customers_textbook": with_(
        MINIMAL,
        demand={"model": "customers", "rate_per_day": 5},
        customers={"population": 1, "behaviour": False},
    ),
    "integers_written_as_floats": with_(
        LENS,
        initial={"on_hand": 120.0, "cash": 0},
        replenishment={"policy": "s_S", "s": 100.0, "S": 220.0},
        run={"replications": 10.0, "seed": 7.0},
    ),
    "s_Q_extremes": with_(MINIMAL, replenishment={"policy": "s_Q", "s": -1000000000, "Q": 1000000000}),
    "base_stock_zero": with_(MINIMAL, replenishment={"policy": "base_stock", "S": 0}),
    "R_S": with_(
        MINIMAL,
        replenishment={"policy": "R_S", "S": 1000000000, "review_period_days": 1, "review_offset_days": 0},
    ),
    "R_s_S_negative_levels": with_(
        MINIMAL, replenishment={"policy": "R_s_S", "s": -5, "S": -4, "review_period_days": 0.5}
    ),
    "forecast_defaults": with_(
        MINIMAL, replenishment={"policy": "forecast", "cover_days": 1, "review_period_days": 30}
    ),
    "order_size_uniform_int": with_(
        MINIMAL, demand={"rate_per_day": 1, "order_size": {"dist": "uniform_int", "low": 1, "high": 1000000}}
    ),
    "order_size_empirical": with_(
        MINIMAL,
        demand={
            "rate_per_day": 1,
            "order_size": {"dist": "empirical", "values": [1, 2, 12.0], "weights": [0.5, 0.25, 0.25]},
        },
    ),
    "order_size_max": with_(
        MINIMAL, demand={"rate_per_day": 10000000, "order_size": {"dist": "constant", "value": 1000000}}
    ),
    "lead_time_uniform_int": with_(
        MINIMAL, supplier={"lead_time": {"dist": "uniform_int", "low": 0, "high": 300}}
    ),
    "lead_time_gamma_near_horizon": with_(
        MINIMAL, supplier={"lead_time": {"dist": "gamma", "mean": 364.9, "cv": 0.1}}
    ),
    "lead_time_exponential": with_(MINIMAL, supplier={"lead_time": {"dist": "exponential", "mean": 0.001}}),
    "lead_time_empirical_big_value": with_(
        MINIMAL, supplier={"lead_time": {"dist": "empirical", "values": [0, 1e10], "weights": [1, 0]}}
    ),
    "partial_fraction_empirical": with_(
        MINIMAL,
        supplier={**LEAD, "reliability": {"partial_fraction": {"dist": "empirical", "values": [0, 0.5, 1]}}},
    ),
    "partial_fraction_constant_zero": with_(
        MINIMAL,
        supplier={
            **LEAD,
            "reliability": {"partial_probability": 1, "partial_fraction": {"dist": "constant", "value": 0}},
        },
    ),
    "supplier_prepay": with_(MINIMAL, supplier={**LEAD, "prepay": True}),
    "supplier_net_terms": with_(MINIMAL, supplier={**LEAD, "prepay": False, "payment_terms_days": 60}),
    "backorder_fixed_quote": with_(
        MINIMAL, shortage={"rule": "backorder", "quote": {"mode": "fixed", "days": 0}}
    ),
    "backorder_no_quote": with_(
        MINIMAL, shortage={"rule": "backorder", "prepay": False, "quote": {"mode": "none"}}
    ),
    "partial_backorder_units_cap": with_(
        MINIMAL, shortage={"rule": "partial_backorder", "max_open_backorders": 1000000000000}
    ),
    "partial_backorder_wait_cap": with_(
        MINIMAL,
        shortage={
            "rule": "partial_backorder",
            "max_quoted_wait_days": 21,
            "quote": {"mode": "fixed", "days": 10},
        },
    ),
    "partial_backorder_wait_cap_default_quote": with_(
        MINIMAL, shortage={"rule": "partial_backorder", "max_quoted_wait_days": 21, "quote": {}}
    ),
    "finance_daily": with_(MINIMAL, finance={"holding_cost_accrual": "daily"}),
    "finance_period_end_default": with_(MINIMAL, finance={"holding_cost_accrual": "period_end"}),
    "empty_optional_sections": with_(MINIMAL, run={}, initial={}, shortage={}, finance={}, policies={}),
    "long_horizon_no_snapshots": with_(MINIMAL, run={"horizon_days": 1e8, "snapshot_interval_days": 0}),
    "unicode_text": with_(
        MINIMAL,
        name="objectif \u2205 \u2014 \u65e5\u672c\u8a9e",
        description="\u00fcn\u00efc\u00f6d\u00e9 \u2713",
    ),
    "acceptance_constant": with_(
        LENS, customers={"population": 10, "backorder_acceptance": {"form": "constant"}}
    ),
    "acceptance_hyperbolic": with_(
        LENS, customers={"population": 10, "backorder_acceptance": {"form": "hyperbolic", "rate_per_day": 5}}
    ),
    "patience_constant_zero": with_(
        LENS, customers={"population": 10, "patience": {"dist": "constant", "value": 0}}
    ),
    "patience_uniform_max_mean": with_(
        LENS, customers={"population": 10000000, "patience": {"dist": "uniform", "low": 0, "high": 2e10}}
    ),
    "policies_with_null_removals": with_(
        FULL_CUSTOMERS,
        policies={
            "textbook": {"demand": {"model": "poisson"}, "customers": None},
            "base_stock": {"replenishment": {"policy": "base_stock", "s": None, "S": 150}},
            "renamed": {
                "description": None,
                "name": "renamed",
                "run": None,
                "initial": None,
            },
            "same_as_base": {},
            "a/b~c": {"shortage": {"rule": "backorder"}},
        },
    ),
    "policy_adds_customers": with_(
        MINIMAL, policies={"people": {"demand": {"model": "customers"}, "customers": {"population": 10}}}
    ),
    # the store format
    "store_minimal": MINIMAL_STORE,
    "store_small_shop": SHOP,
    "store_full": FULL_STORE,
    "store_one_vendor_items_name_none": with_(
        MINIMAL_STORE,
        vendors={"acme": LEAD},
        items={"a": {"price": 2, "unit_cost": 1, "replenishment": {"policy": "base_stock", "S": 3}},
               "b": {"price": 2, "unit_cost": 1, "popularity": 0, "replenishment": {"policy": "s_Q", "s": 0, "Q": 4}}},
    ),
    "store_empty_vendors": with_(MINIMAL_STORE, vendors={}),
    "store_two_vendors_one_never_reordered": with_(
        MINIMAL_STORE,
        vendors={"acme": LEAD, "other": LEAD},
        items={"a": {"price": 2, "unit_cost": 1, "replenishment": {"policy": "none"}},
               "b": {"price": 2, "unit_cost": 1, "vendors": ["other"], "substitutes": ["a"],
                     "replenishment": {"policy": "s_S", "s": 1, "S": 4}}},
    ),
    "store_ids_at_the_limits": with_(
        MINIMAL_STORE,
        items={"x" * 100: {"price": 1, "unit_cost": 0, "replenishment": {"policy": "none"}},
               "A-b_9": {"price": 1, "unit_cost": 0, "replenishment": {"policy": "none"}, "substitutes": ["x" * 100]}},
    ),
    "store_allocation_loyalty": with_(
        MINIMAL_STORE, demand={"model": "customers", "visits_per_day": 3}, customers={"population": 5},
        allocation="loyalty",
    ),
    "store_allocation_fcfs_poisson": with_(MINIMAL_STORE, allocation="first_come_first_served"),
    "store_item_shortage_leans_on_the_store": with_(
        MINIMAL_STORE,
        shortage={"rule": "partial_backorder", "max_open_backorders": 3, "prepay": True,
                  "quote": {"mode": "optimistic"}},
        items={"only": {"price": 1, "unit_cost": 0, "replenishment": {"policy": "none"},
                        "shortage": {"deposit_fraction": 0.5, "max_quoted_wait_days": 4, "quote": {"factor": 0.2}}}},
    ),
    "store_item_keeps_the_fixed_quote": with_(
        MINIMAL_STORE,
        shortage={"rule": "backorder", "quote": {"mode": "fixed", "days": 10}},
        items={"only": {"price": 1, "unit_cost": 0, "replenishment": {"policy": "none"}, "shortage": {"quote": {}}}},
    ),
    "store_policies": with_(
        SHOP,
        policies={
            "cheaper": {"vendors": {"maker": {"order_cost": 10}}, "items": {"strap": {"price": 18}}},
            "fcfs": {"allocation": None},
            "loyal_pros": {"customers": {"segments": {"pros": {"priority": 5}}}, "allocation": "loyalty"},
            "no_override": {"items": {"lens_50": {"shortage": None}, "body": {"shortage": None}}},
            "poisson": {"demand": {"model": "poisson"}, "customers": None, "allocation": None},
        },
    ),
}


def _all_variants(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The base scenario and every policy variant merged into it, each without `policies`."""
    for name in ["", *_core.policy_names(doc)]:
        merged = _core.resolve_policy(doc, name)
        merged.pop("policies", None)
        yield name, merged


# --- the schema itself --------------------------------------------------------------------------------
def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert jsonschema.validators.validator_for(SCHEMA) is jsonschema.Draft202012Validator
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["type"] == "object" and SCHEMA["required"] == ["schema_version"]
    # the root only chooses the format; each format lists its keys and allows no others
    assert SCHEMA["properties"]["schema_version"]["enum"] == [1, 2]
    formats = _schema.formats(SCHEMA)
    assert {v: node["properties"]["schema_version"]["const"] for v, node in formats.items()} == {1: 1, 2: 2}
    for name in ("one_item", "store"):
        assert SCHEMA["$defs"][name]["additionalProperties"] is False


def test_the_schema_version_chooses_the_format() -> None:
    assert schema_errors(MINIMAL) == [] and schema_errors(MINIMAL_STORE) == []
    assert schema_errors({**MINIMAL, "schema_version": 2})  # a one-item file read as a store
    assert schema_errors({**MINIMAL_STORE, "schema_version": 1})
    for version in (3, "1", 1.5, None):
        assert schema_errors({**MINIMAL, "schema_version": version}), version
    assert schema_errors({k: v for k, v in MINIMAL.items() if k != "schema_version"})


def _property_schemas(node: Any, path: str = "#") -> Iterator[tuple[str, Any]]:
    """Every (location, schema) under a "properties" keyword, skipping conditions (if/then/else only
    test or restrict fields that are declared, and documented, elsewhere)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("if", "then", "else"):
                continue
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    yield f"{path}/properties/{name}", sub
            yield from _property_schemas(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _property_schemas(value, f"{path}/{i}")


def _described(node: dict[str, Any]) -> bool:
    return bool(str(_schema.resolve(node, SCHEMA).get("description", "")).strip())


def test_every_property_has_a_description() -> None:
    props = list(_property_schemas(SCHEMA))
    assert len(props) > 150
    # a field that refers to a definition may leave its description to it
    undocumented = [loc for loc, sub in props if isinstance(sub, dict) and not _described(sub)]
    assert not undocumented
    # boolean property schemas only forbid a key in some context (e.g. deposit_fraction without prepay)
    assert all(sub is False for _, sub in props if not isinstance(sub, dict))
    for name, sub in SCHEMA["$defs"].items():
        assert sub.get("description"), name


def test_defaults_are_valid_values_of_their_property() -> None:
    checked = 0
    for loc, sub in _property_schemas(SCHEMA):
        if isinstance(sub, dict) and "default" in sub:
            assert VALIDATOR.evolve(schema=sub).is_valid(sub["default"]), loc
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("doc", [MINIMAL, MINIMAL_STORE], ids=["one_item", "store"])
def test_run_defaults_match_the_parser(doc: dict[str, Any]) -> None:
    parsed = sl.Scenario.from_dict(doc).parsed()
    version = doc["schema_version"]
    assert parsed.horizon_days == _schema.default("run", "horizon_days", version=version)
    assert parsed.warmup_days == _schema.default("run", "warmup_days", version=version)
    assert parsed.replications == _schema.default("run", "replications", version=version)
    assert parsed.seed == _schema.default("run", "seed", version=version)


def test_shared_sections_are_one_definition() -> None:
    """The sections both formats have are the same definitions (a change reaches both)."""
    one_item, store = SCHEMA["$defs"]["one_item"]["properties"], SCHEMA["$defs"]["store"]["properties"]
    for key in ("run", "shortage", "finance"):
        assert one_item[key] == store[key] == {"$ref": f"#/$defs/{key}"}, key
    for key, base in (("initial", "initial_fields"), ("demand", "demand_fields"), ("customers", "customers_fields")):
        assert one_item[key]["$ref"] == store[key]["$ref"] == f"#/$defs/{base}", key
    assert one_item["supplier"]["$ref"] == SCHEMA["$defs"]["vendor"]["$ref"] == "#/$defs/vendor_fields"
    assert one_item["sku"]["$ref"] == SCHEMA["$defs"]["item"]["$ref"] == "#/$defs/item_fields"
    assert one_item["replenishment"] == SCHEMA["$defs"]["item"]["properties"]["replenishment"]


def test_store_defaults_are_stated() -> None:
    """The store's own defaults are in the schema (the C++ test DefaultsMatchTheSchemaDocumentation
    checks each against the parser); a name that defaults to the entry's id states no constant."""
    assert _schema.default("demand", "basket", version=2) == {"dist": "constant", "value": 1}
    assert _schema.default("allocation", version=2) == "first_come_first_served"
    assert _schema.default("items", "only", "popularity", version=2) == 1
    assert _schema.default("items", "only", "substitutes", version=2) == []
    assert _schema.default("customers", "segments", "all", "priority", version=2) == 0
    with pytest.raises(KeyError):
        _schema.default("items", "only", "name", version=2)
    parsed = sl.Scenario.from_dict(MINIMAL_STORE).parsed()
    assert parsed.item_names == parsed.item_ids == ["only"]


def test_installed_schema_and_cli_print_this_file() -> None:
    assert sl.schema() == SCHEMA, "the installed copy is stale: run scripts/dev_install.sh"
    proc = subprocess.run(
        [sys.executable, "-m", "stocklab.cli", "schema"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == SCHEMA


# --- the keys of every object are exactly the parser's ---------------------------------------------
def _defs(name: str) -> dict[str, Any]:
    return _schema.resolve(SCHEMA["$defs"][name], SCHEMA)


def _props(*path: str, version: int = 1) -> dict[str, Any]:
    """The schema of a field of format ``version`` with its definitions merged in (any key stands
    for an id in an object keyed by id)."""
    node = _schema.formats(SCHEMA)[version]
    for key in path:
        found = _schema.child(node, key, SCHEMA)
        assert found is not None, path
        node = found[0]
    return node


def _closed(node: dict[str, Any]) -> bool:
    return node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False


REPLENISHMENT = {
    "none": {"policy": "none"},
    "s_S": {"policy": "s_S", "s": 1, "S": 2},
    "s_Q": {"policy": "s_Q", "s": 1, "Q": 2},
    "base_stock": {"policy": "base_stock", "S": 2},
    "R_S": {"policy": "R_S", "S": 2, "review_period_days": 7},
    "R_s_S": {"policy": "R_s_S", "s": 1, "S": 2, "review_period_days": 7},
    "forecast": {"policy": "forecast", "cover_days": 7, "review_period_days": 7},
}
DISTRIBUTIONS = {
    "constant": {"dist": "constant", "value": 1},
    "exponential": {"dist": "exponential", "mean": 1},
    "gamma": {"dist": "gamma", "mean": 1, "cv": 1},
    "lognormal": {"dist": "lognormal", "mean": 1, "cv": 1},
    "uniform": {"dist": "uniform", "low": 1, "high": 2},
    "uniform_int": {"dist": "uniform_int", "low": 1, "high": 2},
    "empirical": {"dist": "empirical", "values": [1]},
    "geometric": {"dist": "geometric", "mean": 1},
}


def _key_cases() -> Iterator[Any]:
    sections = {
        "": (FULL_POISSON, _props()),
        "/run": (FULL_POISSON, _props("run")),
        "/sku": (FULL_POISSON, _props("sku")),
        "/initial": (FULL_POISSON, _props("initial")),
        "/demand": (FULL_POISSON, _props("demand")),
        "/demand/seasonality": (FULL_POISSON, _props("demand", "seasonality")),
        "/supplier": (FULL_POISSON, _props("supplier")),
        "/supplier/reliability": (FULL_POISSON, _props("supplier", "reliability")),
        "/supplier/capacity": (FULL_POISSON, _props("supplier", "capacity")),
        "/supplier/disruptions": (FULL_POISSON, _props("supplier", "disruptions")),
        "/shortage": (FULL_POISSON, _props("shortage")),
        "/shortage/quote": (FULL_POISSON, _props("shortage", "quote")),
        "/finance": (FULL_POISSON, _props("finance")),
        "/customers": (FULL_CUSTOMERS, _props("customers")),
        "/customers/response": (FULL_CUSTOMERS, _props("customers", "response")),
        "/customers/backorder_acceptance": (FULL_CUSTOMERS, _props("customers", "backorder_acceptance")),
        "/customers/loyalty": (FULL_CUSTOMERS, _props("customers", "loyalty")),
        "/customers/new_customers": (FULL_CUSTOMERS, _props("customers", "new_customers")),
        "/customers/word_of_mouth": (FULL_CUSTOMERS, _props("customers", "word_of_mouth")),
    }
    for where, (doc, sub) in sections.items():
        yield pytest.param(doc, where, sub, id=where or "top")
    store = {
        "": (),
        "/run": ("run",),
        "/initial": ("initial",),
        "/demand": ("demand",),
        "/demand/seasonality": ("demand", "seasonality"),
        "/customers": ("customers",),
        "/customers/backorder_acceptance": ("customers", "backorder_acceptance"),
        "/customers/segments/pros": ("customers", "segments", "pros"),
        "/customers/segments/pros/backorder_acceptance": ("customers", "segments", "pros", "backorder_acceptance"),
        "/vendors/maker": ("vendors", "maker"),
        "/vendors/maker/reliability": ("vendors", "maker", "reliability"),
        "/vendors/maker/capacity": ("vendors", "maker", "capacity"),
        "/vendors/maker/disruptions": ("vendors", "maker", "disruptions"),
        "/items/lens_50": ("items", "lens_50"),
        "/items/lens_50/replenishment": None,
        "/items/lens_50/shortage": ("items", "lens_50", "shortage"),
        "/items/lens_50/shortage/quote": ("items", "lens_50", "shortage", "quote"),
        "/shortage": ("shortage",),
        "/finance": ("finance",),
    }
    for where, path in store.items():
        sub = _defs("replenishment_s_S") if path is None else _props(*path, version=2)
        yield pytest.param(FULL_STORE, where, sub, id="store" + (where or ":top"))
    for policy, rep in REPLENISHMENT.items():
        yield pytest.param(
            with_(MINIMAL, replenishment=rep),
            "/replenishment",
            _defs(f"replenishment_{policy}"),
            id=f"replenishment:{policy}",
        )
    for dist, spec in DISTRIBUTIONS.items():
        yield pytest.param(
            with_(MINIMAL, supplier={"lead_time": spec}),
            "/supplier/lead_time",
            _defs(f"dist_{dist}"),
            id=f"dist:{dist}",
        )
    patience = with_(LENS, customers={"population": 1, "patience": {"dist": "infinite"}})
    yield pytest.param(patience, "/customers/patience", _defs("dist_infinite"), id="dist:infinite")


@pytest.mark.parametrize(("doc", "where", "sub"), list(_key_cases()))
def test_schema_allows_exactly_the_parsers_keys(doc: dict[str, Any], where: str, sub: dict[str, Any]) -> None:
    doc = copy.deepcopy(doc)
    _core.validate(doc)  # the starting point is valid
    node = doc
    for key in where.strip("/").split("/") if where else []:
        node = node[key]
    node["zz_not_a_key"] = 1
    with pytest.raises(sl.ScenarioError) as info:
        _core.validate(doc)
    assert info.value.pointer == f"{where}/zz_not_a_key"
    found = re.search(r"allowed here: ([^)]*)\)", info.value.rule)
    assert found, info.value.rule
    parser_keys = {k.strip() for k in found.group(1).split(",")}
    assert _closed(sub)
    assert {k for k, v in sub["properties"].items() if v is not False} == parser_keys
    assert schema_errors(doc), "the schema accepts the unknown key too"


# --- scenarios that must be accepted -----------------------------------------------------------------
@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_bundled_scenarios_validate(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert schema_errors(doc) == []
    for _, variant in _all_variants(doc):
        assert schema_errors(variant) == []
    sc = sl.load_scenario(path)
    assert sc.name == doc["name"]


def test_there_are_bundled_scenarios() -> None:
    assert any(p.name == "camera_lens.json" for p in SCENARIO_FILES)


@pytest.mark.parametrize("name", sorted(VALID))
def test_reasonable_scenarios_validate(name: str) -> None:
    doc = VALID[name]
    _core.validate(doc)
    assert [e.message for e in schema_errors(doc)] == []
    for policy, variant in _all_variants(doc):
        assert [e.message for e in schema_errors(variant)] == [], policy
    sl.Scenario.from_dict(doc)  # the Python API runs both checks


# --- bad scenarios: the schema's verdict is recorded in the manifest -------------------------------
SCHEMA_CASES = sorted(name for name, exp in MANIFEST["files"].items() if "schema_rejects" in exp)


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b.rstrip("/") + "/") or b.startswith(a.rstrip("/") + "/")


def test_schema_alone_rejects_many_corpus_files() -> None:
    rejected = [n for n in SCHEMA_CASES if MANIFEST["files"][n]["schema_rejects"]]
    assert len(rejected) >= 50
    assert len(SCHEMA_CASES) >= 100


@pytest.mark.parametrize("name", SCHEMA_CASES)
def test_schema_verdict_matches_manifest(name: str) -> None:
    exp = MANIFEST["files"][name]
    doc = _core.parse_json_text((CORPUS / name).read_bytes())
    assert isinstance(doc, dict)
    errors = schema_errors(doc)
    if not exp["schema_rejects"]:
        # a rule only the parser checks (between fields, over the horizon, or inside a policy override)
        assert errors == [], [e.message for e in errors]
        return
    assert errors, "the schema accepts it"
    # an error at the field, at its parent object (for required / forbidden keys) or below it; the root
    # only counts for top-level fields
    expected = exp["pointer"]
    top_level = expected.count("/") == 1
    pointers = [pointer(e.absolute_path) for e in errors]
    assert any(_related(p, expected) and (p != "/" or top_level) for p in pointers), (expected, pointers)


# --- the parser and the schema agree on random edits of good scenarios ------------------------------
def _schema_property_names() -> list[str]:
    return sorted({name for loc, _ in _property_schemas(SCHEMA) for name in [loc.rsplit("/", 1)[1]]})


# fmt: off
EDIT_VALUES: list[Any] = [
    0, 1, -1, 0.5, 0.999, 1.5, 2, 7, 10, 11, 14, 364, 365, 366, 1e6, 1e6 + 1, 1e7, 1e7 + 1, 1e9,
    1e9 + 1, 1e10, 1e10 + 1, 1e12, 1e12 + 1, 2e10, -1e9, -1e9 - 1, 1e13, 1e14, -1e13, 0.001, 1e-7,
    True, False, None, "", "x", [], [1], [0, 1], {},
    "constant", "exponential", "gamma", "uniform", "uniform_int", "empirical", "geometric", "lognormal",
    "infinite", "customers", "poisson", "backorder", "lost_sales", "partial_backorder", "honest",
    "optimistic", "fixed", "none", "daily", "period_end", "s_S", "s_Q", "base_stock", "R_S", "R_s_S",
    "forecast", "logistic",
    {"dist": "constant", "value": 1}, {"dist": "infinite"}, {"dist": "uniform", "low": 0.1, "high": 0.9},
    {"dist": "empirical", "values": [1, 2]}, {"dist": "geometric", "mean": 2},
    {"dist": "gamma", "mean": 3, "cv": 0.5},
    # the store format: ids, id lists, entries
    "lens_50", "lens_35", "distributor", "maker", "lens 50", ["lens_35"], ["lens_50"], ["maker"], ["distributor"],
    ["lens_35", "lens_35"], ["nope"], "priority", "loyalty", "first_come_first_served", {"share": 1},
    {"share": 0.3}, {"lead_time": {"dist": "constant", "value": 2}},
    {"price": 5, "unit_cost": 1, "replenishment": {"policy": "none"}},
]
# fmt: on


def _locations(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _locations(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _locations(v, (*at, i))


def _edit(rng: random.Random, doc: dict[str, Any], names: list[str]) -> dict[str, Any]:
    for _ in range(rng.choice([1, 1, 2, 3])):
        at = rng.choice(list(_locations(doc)))
        node: Any = doc
        for k in at:
            node = node[k]
        op = rng.random()
        if isinstance(node, dict) and op < 0.5:
            node[rng.choice(names)] = copy.deepcopy(rng.choice(EDIT_VALUES))  # add a key some object knows
            continue
        if not at:
            continue
        parent: Any = doc
        for k in at[:-1]:
            parent = parent[k]
        if op < 0.65:
            del parent[at[-1]]
        else:
            parent[at[-1]] = copy.deepcopy(rng.choice(EDIT_VALUES))
    return doc


@pytest.mark.parametrize("version", [1, 2], ids=["one_item", "store"])
def test_schema_accepts_whatever_the_parser_accepts(version: int) -> None:
    rng = random.Random(20240601 + version)
    names = _schema_property_names()
    bases = [doc for doc in [LENS, *VALID.values()] if doc["schema_version"] == version]
    accepted = rejected_by_schema = 0
    disagreements = []
    for _ in range(600):
        doc = _edit(rng, copy.deepcopy(rng.choice(bases)), names)
        try:
            _core.validate(doc)
        except sl.ScenarioError:
            rejected_by_schema += bool(schema_errors(doc))
            continue
        accepted += 1
        errors = schema_errors(doc)
        if errors:
            disagreements.append((json.dumps(doc)[:300], pointer(errors[0].absolute_path), errors[0].message))
    assert not disagreements, disagreements[:3]
    # the edits reach both verdicts, so the check above is not vacuous
    assert accepted >= 30
    assert rejected_by_schema >= 200
