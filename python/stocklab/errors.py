"""Exceptions raised by stocklab (all documented in docs/api.md)."""

from __future__ import annotations

__all__ = ["ScenarioError", "SimulationError"]


class ScenarioError(ValueError):
    """A scenario broke a rule. ``pointer`` is the JSON pointer of the field, ``rule`` what it broke."""

    def __init__(self, message: str, pointer: str = "/", rule: str = "") -> None:
        super().__init__(message)
        self.pointer = pointer
        self.rule = rule or message

    def __reduce__(self):  # picklable across process pools and dask workers
        return (type(self), (str(self), self.pointer, self.rule))


class SimulationError(RuntimeError):
    """A run could not continue (for example, a custom policy failed); the simulation is closed."""
