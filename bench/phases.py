"""Progress on the terminal: one line per phase of a run, with a bar where the work is counted."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class Phases:
    """`with Phases(console) as phases:` then `phases.bar(...)` / `phases.step(...)` per phase."""

    def __init__(self, console: Console):
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=console)
        self.prefix = ""
        self._current: TaskID | None = None

    def __enter__(self) -> Self:
        self.progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._finish()
        self.progress.stop()

    def title(self, prefix: str) -> None:
        """Name the run the next phases belong to ("sqlite 10k")."""
        self.prefix = prefix

    def bar(self, description: str, total: int) -> Callable[[int], None]:
        """Start a counted phase; the returned function advances it."""
        task = self._start(description, total)
        return lambda count: self.progress.advance(task, count)

    def step(self, description: str) -> Callable[[str], None]:
        """Start a phase of named steps; the returned function names the current step."""
        task = self._start(description, None)
        return lambda name: self.progress.update(task, description=self._label(
            f"{description}: {name}"))

    def _start(self, description: str, total: int | None) -> TaskID:
        self._finish()
        if not self.progress.console.is_terminal:  # no live bar in a log file: a line per phase
            self.progress.console.log(self._label(description))
        self._current = self.progress.add_task(self._label(description), total=total)
        return self._current

    def _finish(self) -> None:
        """Mark the current phase complete (a step phase gets a full bar too)."""
        if self._current is None:
            return
        task = next(t for t in self.progress.tasks if t.id == self._current)
        done = task.total or task.completed or 1
        self.progress.update(self._current, total=done, completed=done)
        self._current = None

    def _label(self, description: str) -> str:
        return f"[bold]{self.prefix}[/] {description}"
