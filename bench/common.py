"""Shared helpers of the benchmarks: timing, figures, the 1x and 10x databases."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench import targets


@dataclass
class Figure:
    """One measured figure; its target (an upper bound) comes from the one table, bench/targets.py."""

    name: str
    value: float
    unit: str
    note: str = ""

    @property
    def target(self) -> float | None:
        return targets.target(self.name)

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.value <= self.target


@dataclass
class Env:
    """What every benchmark module gets: the seeded databases and a scratch folder."""

    db_1x: Path
    db_10x: Path
    tmp: Path
    password: str
    tips_databases: dict | None = None  # bench/tips.py's 10k and 1M databases, once built


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def p95(samples: list[float]) -> float:
    """95th percentile of a list of samples."""
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def repeat(fn, n: int = 30) -> list[float]:
    """Seconds of ``n`` calls after one warm-up call."""
    fn()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out
