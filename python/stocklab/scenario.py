"""Scenarios: load, validate, override and inspect them. One parser (C++) plus the JSON schema."""

from __future__ import annotations

import copy
import difflib
import functools
import json
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import _core, _schema
from ._paths import data_dir
from ._schema import default as _default
from .errors import ScenarioError

__all__ = ["Scenario", "load_scenario", "schema", "bundled_scenarios"]

_MAX_BYTES: int = _core.max_scenario_bytes  # the parser's limit, stated once (in C++)


def schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (``scenarios/schema.json``): both formats, one-item
    (schema_version 1) and store (schema_version 2), chosen by schema_version."""
    return _schema.load()


@functools.lru_cache(maxsize=1)
def _validator():
    import jsonschema

    s = schema()
    cls = jsonschema.validators.validator_for(s)
    cls.check_schema(s)
    return cls(s)


def pointer(parts: Iterable[object]) -> str:
    """The JSON pointer (RFC 6901) of a path given as keys and indices: ``["a/b", 0]`` -> ``/a~1b/0``."""
    tokens = [str(p).replace("~", "~0").replace("/", "~1") for p in parts]
    return "/" + "/".join(tokens) if tokens else "/"


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _schema_check(doc: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: (len(e.absolute_path), str(e.absolute_path)))
    if errors:
        e = errors[0]
        at = pointer(e.absolute_path)
        raise ScenarioError(f"{at}: {e.message} (schema rule: {e.validator})", at, e.message)


def bundled_scenarios() -> list[str]:
    """Names of the example scenarios shipped with stocklab."""
    return sorted(p.stem for p in data_dir().glob("*.json") if p.stem != "schema")


class Scenario:
    """A validated scenario document. Immutable: every change returns a new Scenario.

    Build one with :func:`load_scenario`, :meth:`from_dict` or :meth:`from_json`.
    """

    __slots__ = ("_doc", "_source", "_parsed")

    def __init__(self, doc: Mapping[str, Any], *, source: str | None = None) -> None:
        if not isinstance(doc, Mapping):
            raise ScenarioError(
                f"/: a scenario must be a JSON object (a dict), got {type(doc).__name__}", "/",
                "must be a JSON object"
            )
        # A private deep copy: mutating the caller's dict later cannot change this scenario.
        self._doc: dict[str, Any] = _plain(doc)
        self._source = source
        self._parsed: dict[str, _core.ParsedScenario] = _parse_variants(self._doc)
        _schema_check(self._doc)

    # construction ------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Scenario:
        """Validate a scenario given as a dict (the JSON file's content)."""
        return cls(doc)

    @classmethod
    def from_json(cls, text: str | bytes) -> Scenario:
        """Validate a scenario given as JSON text."""
        if not isinstance(text, (str, bytes)):
            raise TypeError(f"from_json() needs str or bytes, got {type(text).__name__}")
        return cls(_core.parse_json_text(text))

    # views -------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the document."""
        return copy.deepcopy(self._doc)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self._doc, indent=indent)

    @property
    def name(self) -> str:
        return self._doc["name"]

    @property
    def description(self) -> str:
        return self._doc.get("description", "")

    @property
    def policies(self) -> list[str]:
        """Names of the policy variants this scenario compares (may be empty)."""
        return [name for name in self._parsed if name]

    @property
    def source(self) -> str | None:
        return self._source

    def parsed(self, policy: str = "") -> Any:
        """The validated C++ scenario of one policy variant ("" = the base scenario)."""
        if not isinstance(policy, str):
            raise TypeError(f"policy must be a str, got {type(policy).__name__}")
        if policy not in self._parsed:  # every variant was parsed at construction: this raises
            _core.parse_scenario(self._doc, policy)
        return self._parsed[policy]

    def _variant_json(self, policy: str = "") -> str:
        """JSON text of a document holding the base and only variant ``policy``: what a worker needs
        to run that variant, without the other variants (small to ship, linear to parse)."""
        self.parsed(policy)
        return json.dumps(_one_variant(self._doc, policy))

    @property
    def horizon_days(self) -> float:
        return self.parsed().horizon_days

    @property
    def seed(self) -> int:
        return self.parsed().seed

    @property
    def replications(self) -> int:
        return self.parsed().replications

    def notes(self) -> list[str]:
        """Defaults worth knowing that are not errors, one sentence each (``stocklab validate`` prints
        them): today, customers with behaviour on whose loyalty settings never let one churn."""
        names = [n for n in ["", *self.policies] if _churn_off(_core.resolve_policy(_one_variant(self._doc, n), n))]
        if not names:
            return []
        where = "" if len(names) == len(self.policies) + 1 else \
            " in " + ", ".join("the base scenario" if not n else f"policy {n!r}" for n in names)
        return [f"churn is off{where}: customers.behaviour is on, but customers.loyalty sets neither churn_below "
                "nor churn_probability (both default to 0), so no customer ever stops buying here; loyalty still "
                "changes how often customers come"]

    # changes -----------------------------------------------------------------------------------
    def with_policy(self, policy: str) -> Scenario:
        """The named variant merged into the base, as a scenario without other variants."""
        doc = _core.resolve_policy(self._doc, policy)
        doc.pop("policies", None)
        return Scenario(doc, source=self._source)

    def with_overrides(self, overrides: Mapping[str, Any] | None = None, **kwargs: Any) -> Scenario:
        """A copy with fields replaced by dotted path, e.g. ``{"replenishment.s": 30}``.

        Paths may also use ``/`` (JSON pointer style). Unknown fields are rejected by validation.
        """
        items = dict(overrides or {})
        items.update(kwargs)
        doc = copy.deepcopy(self._doc)
        for path, value in items.items():
            set_path(doc, path, value)
        return Scenario(doc, source=self._source)

    def _with_variant(self, name: str, patch: Mapping[str, Any]) -> Scenario:
        """The base scenario with ``patch`` (a merge patch of sections) as its only variant, ``name``."""
        doc = _one_variant(self._doc, "")
        doc["policies"] = {name: patch}
        return Scenario(doc, source=self._source)

    # display -----------------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._doc == other._doc

    def __hash__(self) -> int:
        return hash(json.dumps(self._doc, sort_keys=True))

    def __repr__(self) -> str:
        pol = ", ".join(self.policies) or "none"
        return f"Scenario({self.name!r}, horizon={self.horizon_days:g} days, policies: {pol})"

    def _repr_html_(self) -> str:
        from .display import scenario_html

        return scenario_html(self)

    def __reduce__(self):
        return (Scenario, (self._doc,), None)


def _churn_off(doc: dict[str, Any]) -> bool:
    """Customers with behaviour on whom nothing can make churn (the loyalty block's defaults)."""
    if (doc.get("demand") or {}).get("model", _default("demand", "model")) != "customers":
        return False
    customers = doc.get("customers") or {}
    if not customers.get("behaviour", _default("customers", "behaviour")):
        return False
    loyalty = customers.get("loyalty") or {}
    return not any(loyalty.get(k, _default("customers", "loyalty", k)) for k in ("churn_below", "churn_probability"))


def _one_variant(doc: dict[str, Any], policy: str) -> dict[str, Any]:
    """``doc`` with only variant ``policy`` (no variants for ""): parses to the same scenario."""
    out = {k: v for k, v in doc.items() if k != "policies"}
    if policy:
        out["policies"] = {policy: doc["policies"][policy]}
    return out


def _parse_variants(doc: dict[str, Any]) -> dict[str, _core.ParsedScenario]:
    """The base ("") and every variant, parsed once, in linear time (each variant from the base and
    its own override only). A document with problems is handed to ``_core.validate``, which reports
    every problem of the base and all variants at once (at a cost quadratic in the variants, paid
    only then)."""
    try:
        out = {"": _core.parse_scenario(_one_variant(doc, ""), "")}
        for name in _core.policy_names(doc):
            out[name] = _core.parse_scenario(_one_variant(doc, name), name)
    except ScenarioError:
        _core.validate(doc)  # raises the complete report
        raise
    return out


def _plain(obj: Any) -> Any:
    """A deep copy in plain JSON types (numpy scalars become int/float, tuples lists)."""
    if isinstance(obj, Mapping):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if hasattr(obj, "item") and hasattr(obj, "dtype") and getattr(obj, "shape", None) == ():
        return obj.item()
    return copy.deepcopy(obj)


def split_path(path: str) -> list[str]:
    """The keys of a field path: dotted (``"supplier.lead_time.mean"``) or a JSON pointer."""
    if not isinstance(path, str) or not path:
        raise ScenarioError(f"{path!r}: a field path must be a non-empty string", "/", "bad path")
    if path.startswith("/"):
        return [_unescape(p) for p in path[1:].split("/")]
    return path.split(".")


def _not_an_object(parts: list[str], path: str) -> ScenarioError:
    at = pointer(parts)
    return ScenarioError(f"{at}: is not an object, cannot set {path!r}", at, "not an object")


_KEYED = (("items",), ("vendors",), ("customers", "segments"))  # a store's sections keyed by id


def _check_known_id(doc: dict[str, Any], parts: list[str], path: str) -> None:
    """A path into a store's items, vendors or segments must name one that exists (a typo would
    otherwise create a new, half-specified entry)."""
    if doc.get("schema_version") != 2:
        return
    for section in _KEYED:
        n = len(section)
        if tuple(parts[:n]) != section or len(parts) <= n + 1:
            continue
        node: Any = doc
        for key in section:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and parts[n] not in node:
            guess = difflib.get_close_matches(parts[n], list(node), n=1)
            hint = f' (did you mean "{guess[0]}"?)' if guess else ""
            at = pointer(parts[: n + 1])
            what = {"items": "item", "vendors": "vendor", "segments": "segment"}[section[-1]]
            raise ScenarioError(f"{at}: no {what} with id {parts[n]!r} in the scenario{hint}; cannot set {path!r}",
                                at, f"no {what} with this id")


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set ``doc[a][b][c] = value`` for path ``a.b.c``; intermediate objects are created (but not a
    store's items, vendors or segments: ``items.ID.price`` must name an item of the scenario)."""
    parts = split_path(path)
    _check_known_id(doc, parts, path)
    node: Any = doc
    for i, key in enumerate(parts[:-1]):
        if not isinstance(node, dict):
            raise _not_an_object(parts[:i], path)
        node = node.setdefault(key, {})
    if not isinstance(node, dict):
        raise _not_an_object(parts[:-1], path)
    node[parts[-1]] = _plain(value)


def _read_limited(path: Path, shown: str) -> bytes:
    """The bytes of a regular file of at most the parser's limit. Reads at most limit + 1 bytes and
    opens without blocking, so a device (/dev/zero) or a FIFO is refused instead of read forever."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(f"{shown!r} is a folder, not a scenario file")
        if not stat.S_ISREG(mode):
            raise ScenarioError(f"/: {shown!r} is not a regular file (a device, pipe or socket); "
                                "give a scenario file", "/", "not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(_MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > _MAX_BYTES:
        limit = f"scenario files are limited to {_MAX_BYTES // (1024 * 1024)} MB"
        raise ScenarioError(f"/: {shown!r} is larger than {_MAX_BYTES:,} bytes; {limit}", "/",
                            f"file too large: {limit}")
    return data


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load and validate a scenario file; a bare name such as ``"camera_lens"`` loads a bundled one."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load_scenario() needs a path, got {type(path).__name__}")
    p = Path(path)
    if not p.exists() and isinstance(path, str) and path in bundled_scenarios():
        p = data_dir() / f"{path}.json"
    if not p.exists():
        raise FileNotFoundError(f"no scenario file at {str(path)!r} (bundled: {', '.join(bundled_scenarios())})")
    return Scenario(_core.parse_json_text(_read_limited(p, str(path))), source=str(p))
