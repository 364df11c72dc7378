"""The Python package and the command line give the same numbers for the same seed, bit for bit.

The CLI's CSV writes every float as its shortest round-trip text (Rust `{}`), which is also what
Python's `repr(float)` gives, so comparing the DataFrame's floats with `float(cell)` of the CLI's
file is an exact comparison; the tests also compare the files' bytes.
"""

import csv
import io
import math
import subprocess

import pandas as pd
import pytest

import trialsim


def _cli_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def _assert_frame_equals_cli(df, text):
    rows = _cli_rows(text)
    assert len(df) == len(rows)
    assert list(df.columns) == list(rows[0].keys())
    for i, row in enumerate(rows):
        for col, cell in row.items():
            got = df[col].iat[i]
            if col in ("family", "hypothesis", "metric"):
                assert got == cell, (i, col)
            elif col in ("n_total", "n_controls", "n_patients", "reps"):
                assert int(got) == int(cell), (i, col)
            elif cell == "":
                assert math.isnan(got), (i, col)
            else:
                # Exact: the same double, and the same shortest text.
                assert float(got) == float(cell), (i, col, got, cell)
                assert repr(float(got)) == repr(float(cell))


def test_power_peer_comparison_equals_cli(run_cli):
    cli_csv = run_cli("power", "peer-comparison", "--reps", "256", "--seed", "3")
    s = trialsim.load("peer-comparison")
    assert s.power_csv(reps=256, seed=3) == cli_csv
    _assert_frame_equals_cli(s.power(reps=256, seed=3), cli_csv)


def test_power_grid_equals_cli(run_cli):
    cli_csv = run_cli(
        "power", "peer-comparison", "--reps", "200", "--seed", "11", "--n-grid", "40:90:25"
    )
    df = trialsim.load("peer-comparison").power(reps=200, seed=11, n_grid=[40, 65, 90], threads=1)
    _assert_frame_equals_cli(df, cli_csv)
    assert sorted(set(df.n_total)) == [40, 65, 90]


def test_power_json_equals_cli(run_cli):
    cli_json = run_cli("power", "peer-comparison", "--reps", "128", "--seed", "5", "--n", "70", out="o.json")
    assert trialsim.load("peer-comparison").power_json(reps=128, seed=5, n=70) == cli_json


def test_flagship_equals_cli(run_cli):
    # The flagship runs every analysis family (logistic prediction, mediation, ...).
    cli_csv = run_cli("power", "ketamine-ampar-2026", "--reps", "64", "--seed", "2")
    df = trialsim.load("ketamine-ampar-2026").power(reps=64, seed=2)
    _assert_frame_equals_cli(df, cli_csv)


def test_precision_stop_equals_cli(run_cli):
    cli_csv = run_cli(
        "power", "peer-comparison", "--reps", "20000", "--seed", "1", "--precision", "0.02"
    )
    df = trialsim.load("peer-comparison").power(reps=20000, seed=1, precision=0.02)
    _assert_frame_equals_cli(df, cli_csv)
    assert df.attrs["precision"] == 0.02
    assert df.attrs["trials"] < 20000


@pytest.mark.parametrize("truth", [False, True])
def test_simulate_equals_cli(cli, truth):
    args = [str(cli), "simulate", "ketamine-ampar-2026", "--seed", "9", "--controls", "12", "--patients", "10"]
    if truth:
        args.append("--truth")
    cli_csv = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    s = trialsim.load("ketamine-ampar-2026")
    assert s.simulate_csv(seed=9, controls=12, patients=10, truth=truth) == cli_csv
    df = s.simulate(seed=9, controls=12, patients=10, truth=truth)
    pd.testing.assert_frame_equal(df, pd.read_csv(io.StringIO(cli_csv)))
    assert len(df) == 22
    assert df["id"].tolist() == list(range(1, 23))
