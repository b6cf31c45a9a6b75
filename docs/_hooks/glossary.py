"""MkDocs hook: each metric entry of docs/glossary.md opens with its row of the metric table.

The table (name, unit, group, display label, one-line description) is defined once, in the engine
(cpp/include/stocklab/metrics.hpp), and read here through ``stocklab.METRIC_INFO``: under every
heading ``### `name` `` the page shows the label plots and tables use, the unit and the description.
A heading that names no metric is a warning, so ``mkdocs build --strict`` fails.

The per-item, per-vendor and per-segment column tables are written into glossary.md itself (so the
file reads whole on its own), between ``<!-- item-metric-rows -->`` and ``<!-- /item-metric-rows -->``
(and ``vendor``, ``segment``); a block that differs from the engine's table is a warning too.
Rewrite them with ``.venv/bin/python docs/_hooks/glossary.py``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

_HEADING = re.compile(r"^### `([a-z0-9_]+)`[ \t]*$", flags=re.M)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri != "glossary.md":
        return markdown
    from stocklab import METRIC_INFO, _core

    def entry(match: re.Match[str]) -> str:
        info = METRIC_INFO.get(match.group(1))
        if info is None:
            log.warning("glossary.md: %s is not a metric of stocklab", match.group(1))
            return match.group(0)
        return f"{match.group(0)}\n\n**{info.label}** ({info.unit}): *{info.description}*"

    for table, (written, expected) in _tables(markdown, _core).items():
        if written != expected:
            log.warning("glossary.md: the %s table differs from the engine's; run "
                        "'.venv/bin/python docs/_hooks/glossary.py' to rewrite it", table)
    return _HEADING.sub(entry, markdown)


def _rows(info: Any) -> str:
    """The whole table: a header, then a row per metric."""
    rows = [f"| `{m['name']}` | {m['unit']} | {m['description']} |" for m in info]
    return "\n".join(["| column | unit | meaning |", "|---|---|---|", *rows])


def _block(table: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {table}-metric-rows -->\n\n)(.*?)(\n\n<!-- /{table}-metric-rows -->)", flags=re.S)


def _tables(markdown: str, core: Any) -> dict[str, tuple[str | None, str]]:
    """Per table: the rows written in the page (None without its block) and the engine's."""
    out = {}
    for table in ("item", "vendor", "segment"):
        found = _block(table).search(markdown)
        out[table] = (found.group(2) if found else None, _rows(getattr(core, f"{table}_metric_info")))
    return out


def rewrite(path: Path) -> None:
    """Writes the engine's tables into the page's blocks."""
    from stocklab import _core

    text = path.read_text(encoding="utf-8")
    for table, (_, expected) in _tables(text, _core).items():
        text = _block(table).sub(lambda m, rows=expected: m.group(1) + rows + m.group(3), text)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    rewrite(Path(__file__).resolve().parents[1] / "glossary.md")
