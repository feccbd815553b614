"""Timed, named steps of a board operation, shown with a rich progress display."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console


@dataclass
class StepLog:
    console: Console | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)
    current: str | None = None
    notes: list[str] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.current = name
        t0 = time.perf_counter()
        status = self.console.status(f"{name}...") if self.console else None
        if status:
            status.start()
        ok = False
        try:
            yield
            ok = True
        finally:
            dt = time.perf_counter() - t0
            if status:
                status.stop()
            self.timings.append((name, dt))
            if self.console:
                mark = "[green]ok[/]" if ok else "[red]failed[/]"
                self.console.print(f"  {name:<28} {mark} [dim]{dt:6.2f}s[/]")

    def note(self, text: str) -> None:
        self.notes.append(text)
        if self.console:
            self.console.print(f"  [dim]{text}[/]")

    @property
    def total(self) -> float:
        return sum(t for _, t in self.timings)
