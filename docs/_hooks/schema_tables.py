"""MkDocs hook: the scenario parameter tables of docs/model.md, generated from scenarios/schema.json.

A page that contains the line ``<!-- scenario-parameters -->`` gets it replaced by one table per
scenario section (every field with its type, default and the schema's description), per
replenishment policy and per distribution family. A field without a description is a warning, so
``mkdocs build --strict`` fails until the schema documents it.

Also removes Sphinx roles (``:func:``, ``:class:``...) that docstrings use, from the rendered API page.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

MARKER = "<!-- scenario-parameters -->"
_ROLE = re.compile(r":(?:func|class|meth|data|attr|mod|obj|exc):(?=<code|`)")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER not in markdown:
        return markdown
    path = Path(config.config_file_path).parent / "scenarios" / "schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return markdown.replace(MARKER, SchemaDoc(schema, page.file.src_uri).render())


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return _ROLE.sub("", html)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _field(path: str) -> str:
    """A field path that a narrow column may break after its dots only (docs/stylesheets/extra.css
    keeps words whole)."""
    return "<code>" + path.replace(".", ".<wbr>") + "</code>"


def _json(value: Any) -> str:
    return "`" + json.dumps(value, separators=(", ", ": ")) + "`"


class SchemaDoc:
    """Renders a JSON Schema (draft 2020-12, the subset stocklab's schema uses) as Markdown tables."""

    def __init__(self, schema: dict[str, Any], where: str) -> None:
        self.schema = schema
        self.defs: dict[str, Any] = schema.get("$defs", schema.get("definitions", {}))
        self.where = where
        self.dist_defs = {n for n, d in self.defs.items() if self._is_distribution(d)}

    # helpers -----------------------------------------------------------------------------------
    def _ref(self, node: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        ref = node.get("$ref")
        if not ref:
            return None, node
        name = ref.rsplit("/", 1)[-1]
        if name not in self.defs:
            log.warning("%s: schema.json: unresolved $ref %s", self.where, ref)
            return None, node
        return name, self.defs[name]

    @staticmethod
    def _is_distribution(node: dict[str, Any]) -> bool:
        return "dist" in node.get("properties", {}) and "allOf" in node

    @staticmethod
    def _variants(node: dict[str, Any]) -> list[tuple[str, Any, dict[str, Any]]]:
        """(key, value, then) of ``allOf: [{if: {properties: {key: {const: value}}}, then: {$ref}}]``."""
        out = []
        for part in node.get("allOf", []):
            cond, then = part.get("if", {}), part.get("then")
            props = cond.get("properties", {})
            if not isinstance(then, dict) or len(props) != 1:
                continue
            ((key, test),) = props.items()
            if "const" in test and "$ref" in then:
                out.append((key, test["const"], then))
        return out

    def _type(self, node: dict[str, Any]) -> str:
        name, target = self._ref(node)
        if name in self.dist_defs:
            families = target.get("properties", {}).get("dist", {}).get("enum", [])
            return f"[distribution](#distributions) ({', '.join(families)})" if families else "distribution"
        if "const" in node:
            return f"always {_json(node['const'])}"
        if "enum" in node:
            return "one of " + ", ".join(_json(v) for v in node["enum"])
        t = target.get("type", "any")
        t = " or ".join(t) if isinstance(t, list) else t
        if t == "array" and isinstance(target.get("items"), dict):
            t = f"array of {target['items'].get('type', 'any')}"
        return t

    def _row(self, path: str, node: dict[str, Any], required: bool) -> str:
        desc = node.get("description")
        if not desc:
            _, target = self._ref(node)
            desc = target.get("description")
        if not desc:
            log.warning("%s: schema.json: %s has no description", self.where, path)
            desc = ""
        kind = self._type(node)
        if required:
            kind += ", **required**"
        default = _json(node["default"]) if "default" in node else ""
        return f"| {_field(path)} | {_cell(kind)} | {_cell(default)} | {_cell(desc)} |"

    def _rows(self, node: dict[str, Any], prefix: str, skip: tuple[str, ...] = ()) -> list[str]:
        rows: list[str] = []
        required = set(node.get("required", []))
        for key, sub in node.get("properties", {}).items():
            if key in skip or sub is False:
                continue
            path = f"{prefix}.{key}" if prefix else key
            rows.append(self._row(path, sub, key in required))
            name, target = self._ref(sub)
            if name in self.dist_defs:
                continue
            if target.get("type") == "object" and target.get("properties"):
                rows += self._rows(target, path)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra.get("properties"):
            path = f"{prefix}.NAME" if prefix else "NAME"
            rows.append(self._row(path, extra, False))
            rows += self._rows(extra, path)
        return rows

    @staticmethod
    def _table(rows: list[str]) -> str:
        head = "| field | type | default | description |\n|---|---|---|---|\n"
        return head + "\n".join(rows) + "\n"

    # sections ----------------------------------------------------------------------------------
    def render(self) -> str:
        props = self.schema.get("properties", {})
        if not props:
            log.warning("%s: schema.json documents no scenario fields", self.where)
            return ""
        out = []
        required = set(self.schema.get("required", []))
        top = {k: v for k, v in props.items() if not self._is_section(v)}
        if top:
            out.append("### Top level\n")
            out.append(self._table([self._row(k, v, k in required) for k, v in top.items()]))
        for key, node in props.items():
            if key in top:
                continue
            out.append(self._section(key, node, key in required))
        out.append(self._distributions())
        return "\n".join(out)

    def _is_section(self, node: Any) -> bool:
        return isinstance(node, dict) and self._ref(node)[1].get("type") == "object"

    def _section(self, key: str, node: dict[str, Any], required: bool) -> str:
        _, target = self._ref(node)
        text = [f"### `{key}`\n"]
        if required:
            text.append("*Required section.*\n")
        text.append(_cell(node.get("description") or target.get("description", "")) + "\n")
        rows = self._rows(target, key)
        if rows:
            text.append(self._table(rows))
        for disc, value, then in self._variants(target):
            _, variant = self._ref(then)
            text.append(f"#### `{key}.{disc}` = {_json(value)}\n")
            text.append(_cell(variant.get("description", "")) + "\n")
            rows = self._rows(variant, key, skip=(disc,))
            text.append(self._table(rows) if rows else "No other fields.\n")
        return "\n".join(text)

    def _distributions(self) -> str:
        if not self.dist_defs:
            return ""
        text = ["### Distributions\n",
                'A distribution is an object `{"dist": NAME, ...parameters}`: `dist` names the family, '
                "the other keys are its parameters. Which families a field accepts depends on what it "
                "measures:\n"]
        for name in sorted(self.dist_defs):
            d = self.defs[name]
            families = d.get("properties", {}).get("dist", {}).get("enum", [])
            text.append(f"* **{name.replace('_', ' ')}**: {_cell(d.get('description', ''))} "
                        f"Families: {', '.join(f'`{f}`' for f in families)}.")
        text.append("\nThe families and their parameters:\n")
        seen: dict[str, dict[str, Any]] = {}
        for name in sorted(self.dist_defs):
            for _, value, then in self._variants(self.defs[name]):
                ref, family = self._ref(then)
                if ref and value not in seen:
                    seen[value] = family
        for value, family in seen.items():
            text.append(f"#### `{value}`\n")
            text.append(_cell(family.get("description", "")) + "\n")
            rows = self._rows(family, "", skip=("dist",))
            text.append(self._table(rows) if rows else "No parameters.\n")
        return "\n".join(text)
