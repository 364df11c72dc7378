"""Errors: invalid scenarios raise ScenarioError naming the field; bad settings raise ValueError."""

import pytest

import trialsim


def test_scenario_error_is_a_value_error():
    assert issubclass(trialsim.ScenarioError, ValueError)


def test_unknown_name():
    with pytest.raises(trialsim.ScenarioError, match="no such file and no built-in scenario"):
        trialsim.load("no-such-scenario")


def test_invalid_field_names_its_path():
    s = trialsim.load("peer-comparison")
    with pytest.raises(trialsim.ScenarioError, match=r"design\.controls"):
        s.with_changes({"design.controls": -1})
    with pytest.raises(trialsim.ScenarioError, match=r"test_retest_cv"):
        s.with_changes({"measures.regions.0.test_retest_cv": -0.5})


def test_invalid_dict():
    d = trialsim.load("peer-comparison").to_dict()
    del d["design"]
    with pytest.raises(trialsim.ScenarioError, match="design"):
        trialsim.load(d)


def test_invalid_json_file(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{"name": "x",')
    with pytest.raises(trialsim.ScenarioError, match="broken.json"):
        trialsim.load(str(p))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(reps=0), "reps"),
        (dict(threads=0), "threads"),
        (dict(precision=0.7), "precision"),
        (dict(precision=0.0), "precision"),
        (dict(n=3), "use a larger N"),
        (dict(n=60, n_grid=[40, 80]), "n and n_grid"),
        (dict(n_grid=[]), "no sizes"),
    ],
)
def test_bad_power_settings(kwargs, message):
    s = trialsim.load("peer-comparison")
    with pytest.raises(ValueError, match=message):
        s.power(**{"reps": 100, **kwargs})


def test_bad_types():
    s = trialsim.load("peer-comparison")
    with pytest.raises(TypeError):
        s.power(reps=10.5)
    with pytest.raises(ValueError):
        s.power(reps=-1)


def test_bad_shard_and_merge():
    s = trialsim.load("peer-comparison")
    with pytest.raises(ValueError, match="shard"):
        s.power_shard(3, 2, reps=100)
    with pytest.raises(ValueError, match="shard"):
        s.power_shard(0, 2, reps=100)
    p1 = s.power_shard(1, 2, reps=200, seed=1)
    with pytest.raises(ValueError):
        trialsim.merge([p1])  # shard 2 of 2 missing
    with pytest.raises(ValueError):
        trialsim.merge([p1, p1])
    with pytest.raises(ValueError, match="not a partial result"):
        trialsim.merge(['{"hello": 1}'])
    other_seed = s.power_shard(2, 2, reps=200, seed=2)
    with pytest.raises(ValueError):
        trialsim.merge([p1, other_seed])


def test_bad_sample_size_settings():
    s = trialsim.load("peer-comparison")
    with pytest.raises(ValueError, match="criterion|family"):
        s.sample_size("nosuchfamily:any", 0.8, reps=100)
    with pytest.raises(ValueError):
        s.sample_size("regions:any", float("nan"), reps=100)
    with pytest.raises(ValueError, match="reps"):
        s.sample_size("regions:any", 0.8, reps=0)
