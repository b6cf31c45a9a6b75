"""MkDocs hook: each metric entry of docs/glossary.md opens with its row of the metric table.

The table (name, unit, group, display label, one-line description) is defined once, in the engine
(cpp/include/stocklab/metrics.hpp), and read here through ``stocklab.METRIC_INFO``: under every
heading ``### `name` `` the page shows the label plots and tables use, the unit and the description.
A heading that names no metric is a warning, so ``mkdocs build --strict`` fails.
"""

from __future__ import annotations

import logging
import re
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

    def rows(info: Any) -> str:
        return "\n".join(f"| `{m['name']}` | {m['unit']} | {m['description']} |" for m in info)

    out = _HEADING.sub(entry, markdown).replace("ITEM_METRIC_ROWS", rows(_core.item_metric_info))
    out = out.replace("SEGMENT_METRIC_ROWS", rows(_core.segment_metric_info))
    return out.replace("VENDOR_METRIC_ROWS", rows(_core.vendor_metric_info))
