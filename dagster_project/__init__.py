"""Dagster wiring for psynth: `dagster dev -m dagster_project` (see definitions.py)."""

from dagster_project.definitions import defs

__all__ = ["defs"]
