"""trialsim: Monte Carlo simulation of clinical trials with PET biomarkers, from Python.

The engine is the Rust library ``trialsim`` (the same one the command-line tool runs); this
package calls it through a compiled module and returns pandas DataFrames. With the same seed, a
Python run gives the same numbers as the command line, bit for bit.

>>> import trialsim
>>> s = trialsim.load("ketamine-ampar-2026")
>>> df = s.power(reps=200, seed=1)          # doctest: +SKIP
>>> df.head()                               # doctest: +SKIP

Runs release the GIL and can be interrupted with Ctrl-C (``KeyboardInterrupt``). Shards of one
run (:meth:`Scenario.power_shard`) are plain function calls returning picklable text, so any
scheduler (``concurrent.futures``, Dask, a cluster's job array) can run them; :func:`merge`
combines them into exactly the result of one run.
"""

from __future__ import annotations

import copy
import io
import json
import os
import sys
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _trialsim
from ._trialsim import ScenarioError

__all__ = [
    "Scenario",
    "ScenarioError",
    "SampleSize",
    "load",
    "merge",
    "scenarios",
    "__version__",
]

__version__: str = _trialsim.version()

#: Columns of a power table, in the command line's order.
POWER_COLUMNS = [
    "n_total",
    "n_controls",
    "n_patients",
    "family",
    "hypothesis",
    "metric",
    "value",
    "mc_se",
    "ci_low",
    "ci_high",
    "reps",
]

_INT_COLUMNS = ("n_total", "n_controls", "n_patients", "reps")


def scenarios() -> list[tuple[str, str]]:
    """The built-in scenarios as ``(name, description)`` pairs."""
    return _trialsim.scenarios()


def load(source: Union[str, os.PathLike, Mapping[str, Any]]) -> "Scenario":
    """Load a scenario: a built-in name, a path to a scenario JSON file, or a dict.

    Raises :class:`ScenarioError` (a ``ValueError``) naming the file and the field path of every
    problem when the scenario is invalid or cannot be found.
    """
    if isinstance(source, Mapping):
        return Scenario._from_dict(dict(source), label="<dict>")
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str):
        raise TypeError(f"load: expected a name, a path or a dict, got {type(source).__name__}")
    return Scenario(_trialsim.Study.load(source))


def _frame(columns: dict) -> "Any":
    """A DataFrame with the power table's columns and dtypes (int64 counts, float64 figures)."""
    import numpy as np
    import pandas as pd

    data = {}
    for name in POWER_COLUMNS:
        values = columns[name]
        if name in _INT_COLUMNS:
            data[name] = np.asarray(values, dtype=np.int64)
        elif name in ("family", "hypothesis", "metric"):
            data[name] = pd.Series(values, dtype=object)
        else:
            data[name] = np.asarray(values, dtype=np.float64)
    return pd.DataFrame(data, columns=POWER_COLUMNS)


def _power_frame(result: "_trialsim.PowerResult") -> "Any":
    if result.is_grid:
        import pandas as pd

        # A what-if grid: the CLI's CSV, with one leading column per varied parameter.
        df = pd.read_csv(io.StringIO(result.csv()))
    else:
        df = _frame(result.columns())
    meta = json.loads(result.meta_json())
    run = meta.get("run", {})
    df.attrs.update(
        {
            "seed": result.seed,
            "version": run.get("version"),
            "generator": run.get("generator"),
            "trials": result.trials,
            "reps_run": list(result.reps_run),
            "elapsed_secs": result.elapsed_secs,
        }
    )
    if "precision" in run:
        df.attrs["precision"] = run["precision"]
    return df


class _Progress:
    """A progress display: tqdm when installed (notebook-aware), else one stderr line."""

    def __init__(self, desc: str) -> None:
        self.desc = desc
        self.bar = None
        self.last = 0
        try:
            from tqdm.auto import tqdm  # type: ignore

            self._tqdm = tqdm
        except ImportError:
            self._tqdm = None

    def __call__(self, done: int, total: int) -> None:
        if self._tqdm is not None:
            if self.bar is None:
                self.bar = self._tqdm(total=total or None, desc=self.desc, unit="trial")
            self.bar.update(done - self.last)
            self.last = done
        else:
            of = f"/{total}" if total else ""
            sys.stderr.write(f"\r{self.desc}: {done}{of} trials")
            sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self._tqdm is None:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _with_progress(flag: bool, desc: str, call):
    if not flag:
        return call(None)
    bar = _Progress(desc)
    try:
        return call(bar)
    finally:
        bar.close()


def _set_path(d: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node: Any = d
    for i, key in enumerate(keys[:-1]):
        if isinstance(node, list):
            node = node[int(key)]
            continue
        if key not in node or not isinstance(node[key], (dict, list)):
            node[key] = {}
        node = node[key]
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _merge_into(d: dict, changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        if "." in key:
            _set_path(d, key, copy.deepcopy(value))
        elif isinstance(value, Mapping) and isinstance(d.get(key), dict):
            _merge_into(d[key], value)
        else:
            d[key] = copy.deepcopy(value)


class SampleSize:
    """The outcome of a sample-size search.

    Attributes
    ----------
    n : int or None
        Smallest total N whose estimate reaches the target (None: not reached within ``max_n``).
    n_low, n_high : int or None
        The range of N consistent with the Monte Carlo error (``n_high`` None: not within max_n).
    at_n : pandas.DataFrame
        The criterion's row at ``n`` (empty when the target was not reached).
    evaluated : pandas.DataFrame
        Every evaluated size's full result rows (the power table's columns).
    """

    def __init__(self, result: "_trialsim.SampleSizeResult", criterion: str, target: float):
        self._result = result
        self.criterion = criterion
        self.target = target
        self.n: Optional[int] = result.n
        self.n_low: Optional[int] = result.n_low
        self.n_high: Optional[int] = result.n_high
        self.at_n = _frame(result.at_n())
        self.evaluated = _frame(result.columns())

    def to_json(self) -> str:
        """The JSON text ``trialsim sample-size --out FILE.json --no-timing`` writes."""
        return self._result.json()

    def __repr__(self) -> str:
        return (
            f"SampleSize(criterion={self.criterion!r}, target={self.target}, n={self.n}, "
            f"n_low={self.n_low}, n_high={self.n_high}, evaluated={len(set(self.evaluated.n_total))} sizes)"
        )


class Scenario:
    """A validated scenario. Create with :func:`load`; modify with :meth:`with_changes`."""

    def __init__(self, study: "_trialsim.Study") -> None:
        self._study = study

    @classmethod
    def _from_dict(cls, d: dict, label: str) -> "Scenario":
        return cls(_trialsim.Study.from_json(label, json.dumps(d)))

    # -- inspection ---------------------------------------------------------------------------

    @property
    def label(self) -> str:
        """The name the scenario was loaded under (built-in name, file path, or ``<dict>``)."""
        return self._study.label

    @property
    def name(self) -> str:
        """The scenario's ``name`` field."""
        return self.to_dict().get("name", "")

    @property
    def sizes(self) -> tuple[int, int]:
        """The scenario's own group sizes: ``(controls, patients)``."""
        return self._study.own_sizes

    def to_dict(self) -> dict:
        """The scenario as a plain dict (the JSON a scenario file holds); a fresh copy each call."""
        return json.loads(self._study.spec_json())

    def to_json(self, indent: Optional[int] = 2) -> str:
        """The scenario as JSON text (loadable again with :func:`load` or by the command line)."""
        return json.dumps(self.to_dict(), indent=indent)

    def with_changes(self, changes: Mapping[str, Any]) -> "Scenario":
        """A new, validated scenario with some fields changed.

        Keys are dotted paths (``{"design.controls": 30}``; list items by index,
        ``"regions.0.meas_sd"``) or top-level keys whose dict values are merged recursively
        (``{"design": {"controls": 30}}``). Raises :class:`ScenarioError` naming the field
        path when the result is invalid.
        """
        d = self.to_dict()
        _merge_into(d, changes)
        return Scenario._from_dict(d, label=f"{self.label} (changed)")

    def validate(self) -> "Any":
        """The implied quantities per region and arm, as a DataFrame.

        One row per (region, arm): the patient shift (in the unit and in SDs, true and observed),
        measurement error and ICC, the mean change and its reliability, and the true and observed
        correlations with symptom improvement. ``df.attrs["summary"]`` holds the text
        ``trialsim validate`` prints. An invalid scenario never gets this far: :func:`load` and
        :meth:`with_changes` raise :class:`ScenarioError`.
        """
        import pandas as pd

        records = []
        for region in json.loads(self._study.implied_json()):
            arms = region.pop("arms")
            if not arms:
                records.append(dict(region, arm=None))
            for arm in arms:
                records.append({**region, **arm})
        df = pd.DataFrame.from_records(records)
        df.attrs["summary"] = self.validate_text()
        return df

    def validate_text(self) -> str:
        """The text ``trialsim validate`` prints for this scenario."""
        return self._study.validate_text()

    # -- simulation ---------------------------------------------------------------------------

    def simulate_csv(
        self,
        seed: int = 1,
        controls: Optional[int] = None,
        patients: Optional[int] = None,
        truth: bool = False,
    ) -> str:
        """One simulated cohort as the exact CSV text ``trialsim simulate`` prints."""
        return self._study.simulate_csv(seed, controls, patients, truth)

    def simulate(
        self,
        seed: int = 1,
        controls: Optional[int] = None,
        patients: Optional[int] = None,
        truth: bool = False,
    ) -> "Any":
        """One simulated cohort, one row per subject, with the command line's columns.

        ``controls``/``patients`` override the scenario's group sizes; ``truth=True`` adds the
        latent true values. The DataFrame is the CLI's CSV read by pandas (empty cells are NaN;
        biomarker values carry the CSV's 6 decimals).
        """
        import pandas as pd

        text = self.simulate_csv(seed, controls, patients, truth)
        return pd.read_csv(io.StringIO(text))

    def _power(self, reps, seed, n, n_grid, threads, precision, progress, vary=None):
        _check_int("reps", reps)
        _check_int("seed", seed)
        grid = None if n_grid is None else [int(x) for x in n_grid]
        points = None if vary is None else [(str(k), [float(x) for x in v]) for k, v in vary.items()]
        return _with_progress(
            progress,
            "power",
            lambda cb: self._study.power(reps, seed, n, grid, threads, precision, cb, points),
        )

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
    ) -> "Any":
        """Simulate ``reps`` trials (per size) and return the tidy result table.

        Parameters
        ----------
        reps : trials per size (the maximum when ``precision`` is set).
        seed : master seed; the same seed gives the command line's numbers bit for bit.
        n : one total size N, split over the groups by the scenario's ratios.
        n_grid : several total sizes (a power curve); give ``n`` or ``n_grid``, not both.
        threads : worker threads (results do not depend on it); default every core.
        precision : stop each size once every power's Monte Carlo SE is below this.
        progress : show a progress bar (tqdm if installed, else a line on stderr).
        vary : a what-if grid, ``{PARAM: values}`` with PARAM a scenario path in the provenance
            syntax (``"arms.ketamine.improvement_mean"``) or ``"effect_scale"``; several give the
            product grid; the table gets one leading column per parameter (as ``--vary``).

        Returns a DataFrame with columns n_total, n_controls, n_patients, family, hypothesis,
        metric, value, mc_se, ci_low, ci_high, reps; ``df.attrs`` holds seed, version, generator
        and the trials run. Bad settings raise ``ValueError``; Ctrl-C raises
        ``KeyboardInterrupt`` within a block of trials.
        """
        res = self._power(reps, seed, n, n_grid, threads, precision, progress, vary)
        return _power_frame(res)

    def power_csv(self, reps: int = 1000, seed: int = 1, **kwargs) -> str:
        """The exact text ``trialsim power ... --out FILE.csv`` writes (same arguments as power)."""
        return self._power(reps, seed, *_power_kwargs(kwargs)).csv()

    def power_json(self, reps: int = 1000, seed: int = 1, **kwargs) -> str:
        """The exact text ``trialsim power ... --out FILE.json --no-timing`` writes."""
        return self._power(reps, seed, *_power_kwargs(kwargs)).json()

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
    ) -> str:
        """Shard ``k`` of ``m`` (1-based) of a power run: a partial result as JSON text.

        The text is what ``trialsim power --shard K/M --out PART.json`` writes; it is picklable
        and can be saved, sent to another machine, and combined with :func:`merge` (also with
        the command line's ``trialsim merge``). All ``m`` shards merged give exactly the table
        of one unsharded run with the same reps and seed.
        """
        _check_int("reps", reps)
        _check_int("seed", seed)
        grid = None if n_grid is None else [int(x) for x in n_grid]
        return _with_progress(
            progress,
            f"shard {k}/{m}",
            lambda cb: self._study.power_shard(k, m, reps, seed, n, grid, threads, cb),
        )

    def sample_size(
        self,
        criterion: str,
        target: float,
        reps: int = 1000,
        seed: int = 1,
        max_n: int = 2000,
        threads: Optional[int] = None,
    ) -> SampleSize:
        """The smallest total N at which ``criterion`` reaches ``target``.

        ``criterion`` is ``FAMILY:HYPOTHESIS[:METRIC]`` (metric ``power`` by default), e.g.
        ``"clinical:madrs_change"``. Only the criterion's family (and its gates) is simulated,
        with common random numbers across sizes. Ctrl-C raises ``KeyboardInterrupt`` at once
        and stops the search.
        """
        _check_int("reps", reps)
        _check_int("seed", seed)
        res = self._study.sample_size(criterion, float(target), reps, seed, max_n, threads, None)
        return SampleSize(res, criterion, float(target))

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
    ) -> str:
        """Write the self-contained HTML report ``trialsim report`` writes (power at the
        scenario's size and over a grid of N, plots, prediction accuracy, a sample-size answer,
        methods and provenance) to ``path``; returns the path.
        """
        _check_int("reps", reps)
        _check_int("seed", seed)
        grid = None if n_grid is None else [int(n) for n in n_grid]
        html = self._study.report_html(
            reps, seed, grid, criterion, float(target), max_n, threads
        )
        with open(path, "w", encoding="utf-8") as f:
            f.write(html)
        return path

    def __repr__(self) -> str:
        c, p = self.sizes
        return f"Scenario({self.label!r}, controls={c}, patients={p})"


def _check_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name}: must be >= 0, got {value}")


def _power_kwargs(kwargs: dict) -> tuple:
    allowed = ("n", "n_grid", "threads", "precision", "progress", "vary")
    unknown = set(kwargs) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected arguments: {', '.join(sorted(unknown))}")
    return tuple(kwargs.get(k, False if k == "progress" else None) for k in allowed)


def _read_part(part: Union[str, bytes, os.PathLike], i: int) -> tuple[str, str]:
    if isinstance(part, bytes):
        return (f"part {i + 1}", part.decode("utf-8"))
    if isinstance(part, os.PathLike):
        path = os.fspath(part)
        with open(path, encoding="utf-8") as f:
            return (path, f.read())
    if isinstance(part, str):
        if part.lstrip().startswith("{"):
            return (f"part {i + 1}", part)
        with open(part, encoding="utf-8") as f:
            return (part, f.read())
    raise TypeError(f"merge: part {i + 1} is a {type(part).__name__}, expected JSON text or a path")


def merge_result(parts: Iterable[Union[str, bytes, os.PathLike]]) -> "_trialsim.PowerResult":
    """Merge shards into the compiled result object (``.csv()``, ``.json()`` give the CLI bytes)."""
    named = [_read_part(p, i) for i, p in enumerate(parts)]
    return _trialsim.merge(named)


def merge(parts: Iterable[Union[str, bytes, os.PathLike]]) -> "Any":
    """Merge the partial results of one sharded run into its power table (a DataFrame).

    ``parts`` are the texts :meth:`Scenario.power_shard` returned (or paths to files written by
    ``trialsim power --shard``), in any order. Raises ``ValueError`` when shards are missing,
    duplicated, or come from different runs.
    """
    return _power_frame(merge_result(parts))
