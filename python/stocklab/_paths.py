"""Where the bundled data files (schema, example scenarios) live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The folder with schema.json and the example scenarios."""
    bundled = _HERE / "scenarios"
    if (bundled / "schema.json").exists():
        return bundled
    checkout = _HERE.parent.parent / "scenarios"
    return checkout
