"""Stubs of the compiled module (use the `trialsim` package instead)."""

from typing import Any, Callable, Optional

class ScenarioError(ValueError): ...

_Progress = Optional[Callable[[int, int], Any]]

def scenarios() -> list[tuple[str, str]]: ...
def merge(parts: list[tuple[str, str]]) -> PowerResult: ...
def version() -> str: ...

class Study:
    @staticmethod
    def load(name_or_path: str) -> Study: ...
    @staticmethod
    def from_json(label: str, text: str) -> Study: ...
    @property
    def label(self) -> str: ...
    @property
    def own_sizes(self) -> tuple[int, int]: ...
    def spec_json(self) -> str: ...
    def validate_text(self) -> str: ...
    def implied_json(self) -> str: ...
    def simulate_csv(
        self, seed: int, controls: Optional[int] = None, patients: Optional[int] = None, truth: bool = False
    ) -> str: ...
    def power(
        self,
        reps: int,
        seed: int,
        n: Optional[int] = None,
        n_grid: Optional[list[int]] = None,
        threads: Optional[int] = None,
        precision: Optional[float] = None,
        progress: _Progress = None,
    ) -> PowerResult: ...
    def power_shard(
        self,
        k: int,
        m: int,
        reps: int,
        seed: int,
        n: Optional[int] = None,
        n_grid: Optional[list[int]] = None,
        threads: Optional[int] = None,
        progress: _Progress = None,
    ) -> str: ...
    def sample_size(
        self,
        criterion: str,
        target: float,
        reps: int,
        seed: int,
        max_n: int,
        threads: Optional[int] = None,
        progress: _Progress = None,
    ) -> SampleSizeResult: ...

class PowerResult:
    reps_run: list[int]
    trials: int
    seed: int
    elapsed_secs: Optional[float]
    def columns(self) -> dict[str, list[Any]]: ...
    def csv(self) -> str: ...
    def json(self) -> str: ...
    def meta_json(self) -> str: ...
    def summary(self) -> str: ...

class SampleSizeResult:
    n: Optional[int]
    n_low: Optional[int]
    n_high: Optional[int]
    seed: int
    reps: int
    def columns(self) -> dict[str, list[Any]]: ...
    def at_n(self) -> dict[str, list[Any]]: ...
    def json(self) -> str: ...
