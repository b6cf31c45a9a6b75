"""MkDocs hook: the scenario parameter tables of docs/model.md, generated from scenarios/schema.json.

A page that contains the line ``<!-- scenario-parameters -->`` gets it replaced by the fields of
both scenario formats, the store format (schema_version 2) first, then the one-item format
(schema_version 1): one table per section (every field with its type, default and the schema's
description), per replenishment policy and per distribution family. A field without a description
is a warning, so ``mkdocs build --strict`` fails until the schema documents it.

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
    """Renders a JSON Schema (draft 2020-12, the subset stocklab's schema uses) as Markdown tables.

    The schema holds two formats (the root chooses one by schema_version) built from shared
    definitions. Each definition's fields are listed once, where they first appear (the store
    format first); a field that refers to a definition already listed elsewhere gets one row that
    names the place (items.ID.shortage: "the same fields as shortage").
    """

    FORMATS = {2: "store format", 1: "one-item format"}  # in the order the page shows them

    def __init__(self, schema: dict[str, Any], where: str) -> None:
        self.schema = schema
        self.defs: dict[str, Any] = schema.get("$defs", schema.get("definitions", {}))
        self.where = where
        self.dist_defs = {n for n, d in self.defs.items() if self._is_distribution(d)}
        # definition name -> (format, path) of the table that lists its fields, and the fields there
        self.listed: dict[str, tuple[int, str]] = {}
        self.fields: dict[tuple[int, str], set[str]] = {}
        self.version = 0

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

    def _chain(self, node: dict[str, Any]) -> list[str]:
        """The definitions ``node`` refers to, directly or through them."""
        names = []
        while (name := self._ref(node)[0]) and name not in names:
            names.append(name)
            node = self.defs[name]
        return names

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """``node`` with its $ref chain merged in: the definition's properties first, its own keywords winning."""
        name, target = self._ref(node)
        if not name:
            return node
        base = self._resolve(target)
        own = {k: v for k, v in node.items() if k != "$ref"}
        out = {**base, **own, "properties": {**base.get("properties", {}), **own.get("properties", {})}}
        out["required"] = [*base.get("required", []), *own.get("required", [])]
        return out

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
        name, _ = self._ref(node)
        target = self._resolve(node)
        if name in self.dist_defs:
            families = target.get("properties", {}).get("dist", {}).get("enum", [])
            return f"[distribution](#distributions) ({', '.join(families)})" if families else "distribution"
        if "const" in node:
            return f"always {_json(node['const'])}"
        if "enum" in target:
            return "one of " + ", ".join(_json(v) for v in target["enum"])
        t = target.get("type", "any")
        t = " or ".join(t) if isinstance(t, list) else t
        if t == "array" and isinstance(target.get("items"), dict):
            t = f"array of {self._resolve(target['items']).get('type', 'any')}"
        if isinstance(target.get("additionalProperties"), dict):
            t += " keyed by " + ("id" if "$ref" in target.get("propertyNames", {}) else "name")
        return t

    def _row(self, path: str, node: dict[str, Any], required: bool, note: str = "") -> str:
        target = self._resolve(node)
        desc = target.get("description")
        if not desc:
            log.warning("%s: schema.json: %s has no description", self.where, path)
            desc = ""
        kind = self._type(node)
        if required:
            kind += ", **required**"
        default = _json(target["default"]) if "default" in target else ""
        return f"| {_field(path)} | {_cell(kind)} | {_cell(default)} | {_cell(desc + note)} |"

    def _listed_elsewhere(self, node: dict[str, Any], path: str) -> tuple[int, str] | None:
        """Where the fields of ``node`` are listed, when that is another table (a field that only
        refers to a definition, adding no fields of its own)."""
        if "$ref" not in node or node.get("properties"):
            return None
        place = self.listed.get(self._ref(node)[0] or "")
        return place if place and place != (self.version, path) else None

    def _list_here(self, node: dict[str, Any], path: str) -> None:
        for name in self._chain(node):
            self.listed.setdefault(name, (self.version, path))
        self.fields.setdefault((self.version, path), set(self._resolve(node).get("properties", {})))

    def _same_as(self, place: tuple[int, str], node: dict[str, Any]) -> str:
        """"The same fields as X", naming X's format when it is the other one, and the fields of X
        that ``node`` lacks."""
        version, path = place
        where = f"`{path}`" + ("" if version == self.version else f" in the {self.FORMATS[version]}")
        lacks = sorted(self.fields.get(place, set()) - set(self._resolve(node).get("properties", {})))
        without = ", without " + ", ".join(f"`{k}`" for k in lacks) if lacks else ""
        return f"The same fields as {where}{without}."

    def _rows(self, node: dict[str, Any], prefix: str, blocks: list[str], skip: tuple[str, ...] = ()) -> list[str]:
        """The rows of ``node``'s fields and of the objects below them; the tables of their
        policy variants go to ``blocks``."""
        rows: list[str] = []
        target = self._resolve(node)
        required = set(target.get("required", []))
        for key, sub in target.get("properties", {}).items():
            if key in skip or sub is False:
                continue
            path = f"{prefix}.{key}" if prefix else key
            elsewhere = self._listed_elsewhere(sub, path)
            if elsewhere:
                rows.append(self._row(path, sub, key in required, " " + self._same_as(elsewhere, sub)))
                continue
            rows.append(self._row(path, sub, key in required))
            if self._ref(sub)[0] in self.dist_defs:
                continue
            rows += self._object_rows(sub, path, blocks)
        return rows

    def _object_rows(self, node: dict[str, Any], path: str, blocks: list[str]) -> list[str]:
        """The rows below a field that is an object: its fields, or its entries keyed by id."""
        self._list_here(node, path)
        target = self._resolve(node)
        rows: list[str] = []
        if target.get("type") == "object" and target.get("properties"):
            rows += self._rows(target, path, blocks)
            blocks += self._variant_blocks(target, path)
        entry = target.get("additionalProperties")
        if isinstance(entry, dict) and (entry.get("properties") or "$ref" in entry):
            key = "ID" if "$ref" in target.get("propertyNames", {}) else "NAME"
            rows.append(self._row(f"{path}.{key}", entry, False))
            rows += self._object_rows(entry, f"{path}.{key}", blocks)
        return rows

    def _variant_blocks(self, target: dict[str, Any], path: str) -> list[str]:
        """One table per policy (a replenishment policy's fields)."""
        text = []
        for disc, value, then in self._variants(target):
            _, variant = self._ref(then)
            text.append(f"##### `{path}.{disc}` = {_json(value)}\n")
            text.append(_cell(variant.get("description", "")) + "\n")
            rows = self._rows(variant, path, [], skip=(disc,))
            text.append(self._table(rows) if rows else "No other fields.\n")
        return text

    @staticmethod
    def _table(rows: list[str]) -> str:
        head = "| field | type | default | description |\n|---|---|---|---|\n"
        return head + "\n".join(rows) + "\n"

    # sections ----------------------------------------------------------------------------------
    def render(self) -> str:
        formats = self._formats()
        if not formats:
            log.warning("%s: schema.json documents no scenario format", self.where)
            return ""
        out = [self._format(v, formats[v]) for v in self.FORMATS if v in formats]
        out.append(self._distributions())
        return "\n".join(out)

    def _formats(self) -> dict[int, dict[str, Any]]:
        """The format definitions by schema_version (the root's ``if schema_version then $ref``)."""
        out = {}
        for part in self.schema.get("allOf", []):
            version = part.get("if", {}).get("properties", {}).get("schema_version", {}).get("const")
            if version in self.FORMATS and isinstance(part.get("then"), dict):
                out[version] = self._resolve(part["then"])
        return out

    def _format(self, version: int, node: dict[str, Any]) -> str:
        self.version = version
        props = node.get("properties", {})
        for key, sub in props.items():  # a section's own table lists its fields, not a field that refers to it
            if self._is_section(sub):
                self._list_here(sub, key)
        required = set(node.get("required", []))
        name = self.FORMATS[version]
        out = [f"### {name[0].upper()}{name[1:]} (`schema_version` {version})\n",
               _cell(node.get("description", "")) + "\n", "#### Top level\n"]
        top = [self._row(k, v, k in required) for k, v in props.items() if v is not False and not self._is_section(v)]
        out.append(self._table(top))
        out += [self._section(k, v, k in required) for k, v in props.items() if self._is_section(v)]
        return "\n".join(out)

    def _is_section(self, node: Any) -> bool:
        return isinstance(node, dict) and self._resolve(node).get("type") == "object"

    def _section(self, key: str, node: dict[str, Any], required: bool) -> str:
        target = self._resolve(node)
        text = [f"#### `{key}`\n"]
        if required:
            text.append("*Required section.*\n")
        text.append(_cell(target.get("description", "")) + "\n")
        elsewhere = self._listed_elsewhere(node, key)
        if elsewhere:
            text.append(self._same_as(elsewhere, node) + "\n")
            return "\n".join(text)
        blocks: list[str] = []
        rows = self._object_rows(node, key, blocks)
        if rows:
            text.append(self._table(rows))
        return "\n".join(text + blocks)

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
            rows = self._rows(family, "", [], skip=("dist",))
            text.append(self._table(rows) if rows else "No parameters.\n")
        return "\n".join(text)
