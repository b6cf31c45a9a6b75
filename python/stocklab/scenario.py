"""Scenarios: load, validate, override and inspect them. One parser (C++) plus the JSON schema."""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import _core
from ._paths import data_dir
from .errors import ScenarioError

__all__ = ["Scenario", "load_scenario", "schema", "bundled_scenarios"]

_MAX_BYTES = 10 * 1024 * 1024


@functools.lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (``scenarios/schema.json``)."""
    path = data_dir() / "schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _validator():
    import jsonschema

    s = schema()
    cls = jsonschema.validators.validator_for(s)
    cls.check_schema(s)
    return cls(s)


def _pointer(path) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "/"


def _schema_check(doc: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: (len(e.absolute_path), str(e.absolute_path)))
    if errors:
        e = errors[0]
        pointer = _pointer(e.absolute_path)
        raise ScenarioError(f"{pointer}: {e.message} (schema rule: {e.validator})", pointer, e.message)


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
        self._parsed: dict[str, Any] = {}
        _core.validate(self._doc)
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
        return list(_core.policy_names(self._doc))

    @property
    def source(self) -> str | None:
        return self._source

    def parsed(self, policy: str = "") -> Any:
        """The validated C++ scenario of one policy variant ("" = the base scenario)."""
        if not isinstance(policy, str):
            raise TypeError(f"policy must be a str, got {type(policy).__name__}")
        if policy not in self._parsed:
            self._parsed[policy] = _core.parse_scenario(self._doc, policy)
        return self._parsed[policy]

    @property
    def horizon_days(self) -> float:
        return self.parsed().horizon_days

    @property
    def seed(self) -> int:
        return self.parsed().seed

    @property
    def replications(self) -> int:
        return self.parsed().replications

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
    if not isinstance(path, str) or not path:
        raise ScenarioError(f"{path!r}: a field path must be a non-empty string", "/", "bad path")
    if path.startswith("/"):
        return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]
    return path.split(".")


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set ``doc[a][b][c] = value`` for path ``a.b.c``; intermediate objects are created."""
    parts = split_path(path)
    node: Any = doc
    for i, key in enumerate(parts[:-1]):
        if not isinstance(node, dict):
            pointer = "/" + "/".join(parts[:i])
            raise ScenarioError(f"{pointer}: is not an object, cannot set {path!r}", pointer, "not an object")
        node = node.setdefault(key, {})
    if not isinstance(node, dict):
        pointer = "/" + "/".join(parts[:-1])
        raise ScenarioError(f"{pointer}: is not an object, cannot set {path!r}", pointer, "not an object")
    node[parts[-1]] = _plain(value)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load and validate a scenario file; a bare name such as ``"camera_lens"`` loads a bundled one."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load_scenario() needs a path, got {type(path).__name__}")
    p = Path(path)
    if not p.exists() and isinstance(path, str) and path in bundled_scenarios():
        p = data_dir() / f"{path}.json"
    if not p.exists():
        raise FileNotFoundError(f"no scenario file at {str(path)!r} (bundled: {', '.join(bundled_scenarios())})")
    if p.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder, not a scenario file")
    size = p.stat().st_size
    if size > _MAX_BYTES:
        raise ScenarioError(
            f"/: file is {size // (1024 * 1024)} MB; scenario files are limited to 10 MB", "/",
            "file too large: scenario files are limited to 10 MB"
        )
    data = p.read_bytes()
    return Scenario(_core.parse_json_text(data), source=str(p))
