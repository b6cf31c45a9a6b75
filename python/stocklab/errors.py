"""Exceptions raised by stocklab (all documented in docs/api.md)."""

from __future__ import annotations

__all__ = ["ScenarioError", "SimulationError"]


class ScenarioError(ValueError):
    """A scenario broke rules. ``pointer`` is the JSON pointer of the (first) field, ``rule`` what it
    broke; ``problems`` lists every ``(pointer, rule)`` found in the document, the first first."""

    def __init__(self, message: str, pointer: str = "/", rule: str = "",
                 problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.rule = rule or message
        self.problems: list[tuple[str, str]] = [tuple(p) for p in problems] if problems else [(pointer, self.rule)]

    def __reduce__(self):  # picklable across process pools and dask workers
        return (type(self), (str(self), self.pointer, self.rule, self.problems))


class SimulationError(RuntimeError):
    """A run could not continue (for example, a custom policy failed); the simulation is closed."""
