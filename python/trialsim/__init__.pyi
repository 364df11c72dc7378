"""Type stubs of the trialsim package (see __init__.py for the documentation)."""

import os
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

from . import _trialsim

__version__: str
POWER_COLUMNS: list[str]

class ScenarioError(ValueError):
    """An invalid scenario: the message names the file and the field path of every problem."""

_Part = Union[str, bytes, os.PathLike[str]]

def scenarios() -> list[tuple[str, str]]: ...
def load(source: Union[str, os.PathLike[str], Mapping[str, Any]]) -> Scenario: ...
def merge(parts: Iterable[_Part]) -> pd.DataFrame: ...
def merge_result(parts: Iterable[_Part]) -> _trialsim.PowerResult: ...

class SampleSize:
    criterion: str
    target: float
    n: Optional[int]
    n_low: Optional[int]
    n_high: Optional[int]
    at_n: pd.DataFrame
    evaluated: pd.DataFrame
    def to_json(self) -> str: ...

class Scenario:
    @property
    def label(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def sizes(self) -> tuple[int, int]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self, indent: Optional[int] = 2) -> str: ...
    def with_changes(self, changes: Mapping[str, Any]) -> Scenario: ...
    def validate(self) -> pd.DataFrame: ...
    def validate_text(self) -> str: ...
    def simulate(
        self,
        seed: int = 1,
        controls: Optional[int] = None,
        patients: Optional[int] = None,
        truth: bool = False,
    ) -> pd.DataFrame: ...
    def simulate_csv(
        self,
        seed: int = 1,
        controls: Optional[int] = None,
        patients: Optional[int] = None,
        truth: bool = False,
    ) -> str: ...
    def power(
        self,
        reps: int = 1000,
        seed: int = 1,
        n: Optional[int] = None,
        n_grid: Optional[Sequence[int]] = None,
        threads: Optional[int] = None,
        precision: Optional[float] = None,
        progress: bool = False,
        vary: Optional[Mapping[str, Sequence[float]]] = None,
    ) -> pd.DataFrame: ...
    def power_csv(self, reps: int = 1000, seed: int = 1, **kwargs: Any) -> str: ...
    def power_json(self, reps: int = 1000, seed: int = 1, **kwargs: Any) -> str: ...
    def power_shard(
        self,
        k: int,
        m: int,
        reps: int = 1000,
        seed: int = 1,
        n: Optional[int] = None,
        n_grid: Optional[Sequence[int]] = None,
        threads: Optional[int] = None,
        progress: bool = False,
    ) -> str: ...
    def sample_size(
        self,
        criterion: str,
        target: float,
        reps: int = 1000,
        seed: int = 1,
        max_n: int = 2000,
        threads: Optional[int] = None,
    ) -> SampleSize: ...
    def report(
        self,
        path: str,
        reps: int = 1000,
        seed: int = 1,
        n_grid: Optional[Sequence[int]] = None,
        criterion: Optional[str] = None,
        target: float = 0.8,
        max_n: int = 1000,
        threads: Optional[int] = None,
    ) -> str: ...
