"""What a custom replenishment policy may order: units, and which of the item's vendors they come from."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

__all__ = ["Order"]


@dataclass(frozen=True)
class Order:
    """One purchase order a :class:`stocklab.ReplenishmentPolicy` asks for.

    ``order(view)`` may return a number of units (the item's sourcing rule picks the vendor), an
    ``Order``, or a list of them (several vendors at once)::

        class ExpediteWhenLow(sl.ReplenishmentPolicy):
            def order(self, view):
                if view.inventory_position > 40:
                    return 0
                fast = [v for v in view.vendors if v.id == "express"][0]
                if view.inventory_position < 10 and fast.up:
                    return [sl.Order(120 - view.inventory_position - 20, "maker"), sl.Order(20, "express")]
                return sl.Order(120 - view.inventory_position, "maker")

    ``vendor`` is the id of one of the item's vendors (``view.vendors``), or None for the vendor the
    item's sourcing rule picks.
    """

    units: int
    vendor: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.units, bool) or not isinstance(self.units, numbers.Integral) or self.units < 0:
            raise ValueError(f"Order units must be a whole number >= 0, got {self.units!r}")
        if self.vendor is not None and not isinstance(self.vendor, str):
            raise TypeError(f"Order vendor must be a vendor id (str) or None, got {self.vendor!r}")
