"""Sharded runs: shards are plain function calls; merged, they equal one run exactly."""

import concurrent.futures
import pickle

import pandas as pd
import pytest

import trialsim

SCENARIO = "peer-comparison"
REPS, SEED = 1000, 7


def run_shard(k, m):
    """A top-level function (picklable), as a process pool needs."""
    return trialsim.load(SCENARIO).power_shard(k, m, reps=REPS, seed=SEED, n_grid=[60, 100], threads=1)


@pytest.fixture(scope="module")
def whole():
    return trialsim.load(SCENARIO).power(reps=REPS, seed=SEED, n_grid=[60, 100])


def test_merged_shards_equal_one_run(whole):
    parts = [run_shard(k, 3) for k in (1, 2, 3)]
    assert all(pickle.loads(pickle.dumps(p)) == p for p in parts)
    merged = trialsim.merge(reversed(parts))  # order does not matter
    pd.testing.assert_frame_equal(merged, whole, check_exact=True)
    assert merged.attrs["trials"] == whole.attrs["trials"] == 2 * REPS
    assert trialsim.merge_result(parts).csv() == trialsim.load(SCENARIO).power_csv(
        reps=REPS, seed=SEED, n_grid=[60, 100]
    )


def test_process_pool(whole):
    # The documented concurrent.futures example: the shards on a pool of processes.
    m = 4
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(run_shard, range(1, m + 1), [m] * m))
    pd.testing.assert_frame_equal(trialsim.merge(parts), whole, check_exact=True)


def test_cli_partials_merge_in_python(cli, tmp_path, whole):
    import subprocess

    files = []
    for k in (1, 2):
        f = tmp_path / f"part{k}.json"
        subprocess.run(
            [str(cli), "power", SCENARIO, "--reps", str(REPS), "--seed", str(SEED),
             "--n-grid", "60:100:40", "--shard", f"{k}/2", "--out", str(f)],
            check=True, capture_output=True,
        )
        files.append(f)
    # A CLI partial and a Python partial are the same text.
    assert files[0].read_text() == run_shard(1, 2)
    pd.testing.assert_frame_equal(trialsim.merge(files), whole, check_exact=True)


def test_dask_bag(whole):
    dask_bag = pytest.importorskip("dask.bag")
    m = 3
    parts = dask_bag.from_sequence(range(1, m + 1), npartitions=m).map(run_shard, m).compute(
        scheduler="processes"
    )
    pd.testing.assert_frame_equal(trialsim.merge(parts), whole, check_exact=True)
