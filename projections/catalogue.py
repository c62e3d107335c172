"""Every read model and report, found by package: `projections/<name>/projection.py` defines the
projection, `projections/<name>/queries.py` registers its reports. Adding a read model is adding a
folder; nothing else lists them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache
from types import ModuleType

import projections
from projections.projection import Projection
from projections.reports import REPORTS, Report


@cache
def projection_classes() -> dict[str, type[Projection]]:
    """Read-model name → projection class, for every read-model package."""
    found: dict[str, type[Projection]] = {}
    for package in _packages():
        module = _optional(f"projections.{package}.projection")
        if module is None:
            continue
        for _, member in inspect.getmembers(module, inspect.isclass):
            if issubclass(member, Projection) and member.__module__ == module.__name__:
                found[member.name] = member
    return dict(sorted(found.items()))


@cache
def reports() -> dict[str, Report]:
    """Report name → report, once every read model's queries module is imported."""
    for package in _packages():
        _optional(f"projections.{package}.queries")
    return dict(REPORTS)


def _packages() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(projections.__path__)
                  if info.ispkg and info.name != "eventlog")


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        return None
