"""Result rows, timing helpers and the registry of measurements."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Result:
    """One measured figure. Times are in milliseconds, sizes in the unit named."""

    name: str
    median: float
    unit: str = "ms"
    p99: float | None = None
    #: The target the issue names; ``lower`` means the measured value must be below it.
    target: float | None = None
    #: What the same job costs done the plain way (measured in the same run, or from PERFORMANCE-NOTES.md).
    baseline: float | None = None
    baseline_label: str = ""
    samples: int = 1
    note: str = ""
    #: Which figure the target applies to: the median or the p99.
    target_on: str = "median"

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        judged = self.p99 if self.target_on == "p99" else self.median
        return judged is not None and judged < self.target

    @property
    def ratio(self) -> float | None:
        """Baseline divided by ours: how many times faster (or smaller) than the baseline."""
        if self.baseline is None or not self.median:
            return None
        return self.baseline / self.median

    def as_dict(self) -> dict:
        data = asdict(self)
        data["met"] = self.met
        data["ratio"] = self.ratio
        return data


@dataclass
class BenchContext:
    quick: bool
    workdir: Path
    #: Shared, lazily built fixtures (e.g. a store with 100k cases) so benchmarks can reuse them.
    cache: dict = field(default_factory=dict)
    #: ``--cases N``: the demo store's size for the sections that honour it (case_search) instead of their own.
    cases: int | None = None

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass
class Benchmark:
    name: str
    description: str
    run: Callable[[BenchContext], Iterable[Result]]


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str, description: str):
    def decorate(fn: Callable[[BenchContext], Iterable[Result]]):
        REGISTRY[name] = Benchmark(name, description, fn)
        return fn

    return decorate


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summarise(values: list[float]) -> tuple[float, float]:
    """Median and p99 of a list of samples."""
    return statistics.median(values), percentile(values, 0.99)


def time_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples
