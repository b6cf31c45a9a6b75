"""Reading scenarios/schema.json: a node with its definitions merged in, and a field by its path.

The schema describes two formats (schema_version 1, one item; 2, a store) that share definitions
through ``$ref``, extend them (``unevaluatedProperties``) and choose policy fields with ``allOf``
if/then parts. Field labels, defaults and the tests read it through these helpers, so each follows
the references the same way.

This module imports nothing of stocklab's at import time, so every other module may import it.
"""

from __future__ import annotations

import functools
import json
from typing import Any


@functools.lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The schema (``scenarios/schema.json``), read once."""
    from ._paths import data_dir

    return json.loads((data_dir() / "schema.json").read_text(encoding="utf-8"))


def _target(ref: str, schema: dict[str, Any]) -> dict[str, Any]:
    return schema.get("$defs", {}).get(ref.rsplit("/", 1)[-1], {})


def resolve(node: Any, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """``node`` with its ``$ref`` followed: its properties are the referenced definition's (first,
    in their order) and its own, then those its ``allOf`` parts add (the ``then`` of an if/then
    part: the fields of a replenishment policy or a distribution family). Its own keywords win;
    ``required`` lists are joined."""
    schema = load() if schema is None else schema
    if not isinstance(node, dict):
        return {}
    base = resolve(_target(node["$ref"], schema), schema) if "$ref" in node else {}
    out = {**base, **{k: v for k, v in node.items() if k != "$ref"}}
    props = {**base.get("properties", {}), **node.get("properties", {})}
    for part in node.get("allOf", []):
        extra = resolve(part.get("then", {}) if "if" in part else part, schema)
        props.update({k: v for k, v in extra.get("properties", {}).items() if k not in props})
    out["properties"] = props
    required = [*base.get("required", []), *node.get("required", [])]
    if required:
        out["required"] = list(dict.fromkeys(required))
    return out


def formats(schema: dict[str, Any] | None = None) -> dict[int, dict[str, Any]]:
    """The format definitions by schema_version (the root's ``if schema_version then $ref``)."""
    schema = load() if schema is None else schema
    out = {}
    for part in schema.get("allOf", []):
        version = part.get("if", {}).get("properties", {}).get("schema_version", {}).get("const")
        if version is not None and "then" in part:
            out[version] = resolve(part["then"], schema)
    return out


def child(node: dict[str, Any], key: str, schema: dict[str, Any] | None = None) -> tuple[dict[str, Any], bool] | None:
    """The resolved schema of ``node``'s field ``key`` and whether ``key`` is an id (an entry of an
    object keyed by id, such as items.lens_50); None when ``node`` has no such field."""
    schema = load() if schema is None else schema
    props = node.get("properties", {})
    if isinstance(props.get(key), dict):
        return resolve(props[key], schema), False
    entry = node.get("additionalProperties")
    if isinstance(entry, dict) and entry:
        return resolve(entry, schema), True
    return None


def walk(parts: list[str], schema: dict[str, Any] | None = None) -> list[tuple[dict[str, Any], bool]]:
    """The resolved schema of each key along a field path, with whether the key is an id, in the
    format that knows the most of the path (the one-item format first); ``({}, False)`` past the
    keys the schema knows."""
    schema = load() if schema is None else schema
    best: list[tuple[dict[str, Any], bool]] = []
    for _, node in sorted(formats(schema).items()):
        steps = []
        for key in parts:
            found = child(node, key, schema)
            if found is None:
                break
            steps.append(found)
            node = found[0]
        if len(steps) > len(best):
            best = steps
    return best + [({}, False)] * (len(parts) - len(best))


def default(*path: str, version: int = 1) -> Any:
    """The default the schema states for a field of format ``version`` (KeyError when none)."""
    node = formats()[version]
    for key in path:
        found = child(node, key)
        if found is None:
            raise KeyError(".".join(path))
        node = found[0]
    return node["default"]
