"""The Python API: types, columns, dtypes, scenario editing, validation, sample size."""

import json

import numpy as np
import pandas as pd
import pytest

import trialsim


def test_scenarios_lists_builtins():
    names = dict(trialsim.scenarios())
    assert "ketamine-ampar-2026" in names and "peer-comparison" in names
    assert all(isinstance(d, str) and d for d in names.values())


def test_power_columns_dtypes_and_attrs():
    df = trialsim.load("peer-comparison").power(reps=128, seed=1, threads=1)
    assert list(df.columns) == trialsim.POWER_COLUMNS
    for c in ("n_total", "n_controls", "n_patients", "reps"):
        assert df[c].dtype == np.int64, c
    for c in ("value", "mc_se", "ci_low", "ci_high"):
        assert df[c].dtype == np.float64, c
    for c in ("family", "hypothesis", "metric"):
        assert df[c].map(type).eq(str).all(), c
    assert df.attrs["seed"] == 1
    assert df.attrs["trials"] == 128
    assert df.attrs["version"] == trialsim.__version__
    assert "xoshiro" in df.attrs["generator"]
    power = df[(df.family == "regions") & (df.hypothesis == "any") & (df.metric == "power")]
    assert len(power) == 1 and 0 < power.value.iat[0] < 1
    # Power's Monte Carlo SE is the binomial one: sqrt(p (1 - p) / reps).
    p = power.value.iat[0]
    assert power.mc_se.iat[0] == pytest.approx(np.sqrt(p * (1 - p) / 128), rel=1e-12)


def test_threads_do_not_change_results():
    s = trialsim.load("peer-comparison")
    a = s.power(reps=300, seed=4, threads=1)
    b = s.power(reps=300, seed=4, threads=2)
    pd.testing.assert_frame_equal(a, b, check_exact=True, check_like=False)


def test_load_dict_and_path_round_trip(tmp_path):
    s = trialsim.load("peer-comparison")
    d = s.to_dict()
    from_dict = trialsim.load(d)
    assert from_dict.to_dict() == d
    p = tmp_path / "mine.json"
    p.write_text(s.to_json())
    from_path = trialsim.load(p)
    assert from_path.to_dict() == d
    assert from_path.label.endswith("mine.json")
    # Same scenario, same numbers.
    assert from_dict.power_csv(reps=64, seed=2) == s.power_csv(reps=64, seed=2)


def test_with_changes_dotted_and_nested():
    s = trialsim.load("peer-comparison")
    a = s.with_changes({"design.controls": 30})
    b = s.with_changes({"design": {"controls": 30}})
    assert a.sizes == (30, 50) and b.sizes == (30, 50)
    assert a.to_dict() == b.to_dict()
    assert s.sizes == (50, 50)  # the original is unchanged
    c = s.with_changes({"measures.regions.0.patient_shift_d": 0.8})
    assert c.to_dict()["measures"]["regions"][0]["patient_shift_d"] == 0.8
    assert c.to_dict()["measures"]["regions"][1]["patient_shift_d"] == 0.5


def test_validate_frame_and_text():
    s = trialsim.load("ketamine-ampar-2026")
    v = s.validate()
    assert {"region", "arm", "shift", "icc", "change_reliability"} <= set(v.columns)
    hab = v[v.region == "habenula"]
    assert len(hab) > 0 and (hab.icc < 0.5).all()
    # ICC of one scan: var(true) / (var(true) + meas_sd^2) lies in (0, 1].
    assert ((v.icc > 0) & (v.icc <= 1)).all()
    assert v.attrs["summary"] == s.validate_text()
    assert "habenula" in s.validate_text()


def test_simulate_frame():
    df = trialsim.load("ketamine-ampar-2026").simulate(seed=1)
    assert len(df) == 83
    assert df.columns[:3].tolist() == ["id", "group", "arm"]
    assert set(df.group) == {"control", "patient"}
    assert (df.group == "control").sum() == 49


def test_sample_size_result():
    r = trialsim.load("peer-comparison").sample_size("regions:any", 0.8, reps=256, seed=1, max_n=400)
    assert r.n is not None and r.n_low <= r.n <= 400
    assert list(r.evaluated.columns) == trialsim.POWER_COLUMNS
    assert len(r.at_n) == 1 and r.at_n.n_total.iat[0] == r.n and r.at_n.value.iat[0] >= 0.8
    meta = json.loads(r.to_json())
    assert meta["sample_size"]["n_total"] == r.n
    assert meta["sample_size"]["n_total_low"] == r.n_low
    assert "n=" in repr(r)


def test_sample_size_equals_cli(run_cli):
    cli_json = run_cli(
        "sample-size", "peer-comparison", "--criterion", "regions:any", "--target", "0.8",
        "--reps", "256", "--seed", "1", "--max-n", "400", out="ss.json",
    )
    r = trialsim.load("peer-comparison").sample_size("regions:any", 0.8, reps=256, seed=1, max_n=400)
    assert r.to_json() == cli_json


def test_progress_line_on_stderr(capfd):
    trialsim.load("peer-comparison").power(reps=64, seed=1, progress=True)
    err = capfd.readouterr().err
    try:
        import tqdm  # noqa: F401
    except ImportError:
        assert "power: 64/64 trials" in err
    else:
        assert "64/64" in err


def test_report_writes_the_html_report_with_its_figures(tmp_path):
    out = tmp_path / "report.html"
    s = trialsim.load("peer-comparison")
    assert s.report(str(out), reps=128, seed=3, n_grid=[40, 100], max_n=200) == str(out)
    html = out.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    # The figures are embedded as JSON; the power at N = 100 equals a plain power run's.
    start = html.index('id="trialsim-results">') + len('id="trialsim-results">')
    data = json.loads(html[start : html.index("</script>", start)])
    rows = data["rows_own"]
    assert {r["n_total"] for r in data["rows_grid"]} == {40, 100}
    direct = s.power(reps=128, seed=3)
    mine = direct[(direct.metric == "power") & (direct.hypothesis == "any")].value.iloc[0]
    assert any(
        r.get("metric") == "power" and r.get("hypothesis") == "any" and r.get("value") == mine
        for r in rows
    ), "the report's power at the scenario's size differs from a direct run"


def test_vary_what_if_grid_equals_cli(run_cli):
    cli_csv = run_cli(
        "power", "peer-comparison", "--reps", "128", "--seed", "4",
        "--vary", "effect_scale=0.5,1", "--n-grid", "60:100:40", out="v.csv",
    )
    s = trialsim.load("peer-comparison")
    assert s.power_csv(reps=128, seed=4, vary={"effect_scale": [0.5, 1]}, n_grid=[60, 100]) == cli_csv
    df = s.power(reps=128, seed=4, vary={"effect_scale": [0.5, 1]}, n_grid=[60, 100])
    assert list(df.columns[:2]) == ["effect_scale", "n_total"]
    assert sorted(df.effect_scale.unique()) == [0.5, 1.0]
