"""End-to-end test of the planner page in headless Chromium.

Starts the example server on a free port, loads the page, picks the flagship scenario, changes
the patients and the effect scale, runs, waits for the power curve, and checks the headline power
against (1) a direct API run and (2) the command line, for the same edited scenario and seed.
The effect-scale edit is re-implemented here from its documented rule, independently of app.js.
Screenshots: target/screenshots/page-before.png, page-after.png.

Run with tests/browser/run.sh (installs selenium into a venv, chromium from the distribution).
"""

import csv
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
SHOTS = ROOT / "target" / "screenshots"
PATIENTS = 40
SCALE = 1.2
REPS = 200
SEED = 7


@pytest.fixture(scope="module")
def server():
    exe = TARGET / "release" / "examples" / "serve"
    cmd = [str(exe), "--port", "0"] if exe.exists() else \
        ["cargo", "run", "--release", "--example", "serve", "--", "--port", "0"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("listening on "), line
    url = line.split()[-1]
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def driver():
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1900"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=opts)
    yield d
    d.quit()


def api(url, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url.rstrip("/") + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())


def scaled(sc, k):
    """The page's documented effect scale: patient shifts and arm changes times k; each arm's mean
    improvement moved to last + k * (own - last), `last` being the design's last arm."""
    s = json.loads(json.dumps(sc))
    for r in s.get("measures", {}).get("regions", []):
        if isinstance(r.get("patient_shift_d"), (int, float)):
            r["patient_shift_d"] = r["patient_shift_d"] * k
    arms = s.get("arms", {})
    for a in arms.values():
        if isinstance(a.get("change_pct"), dict):
            a["change_pct"] = {key: v * k for key, v in a["change_pct"].items()}
    order = [a["name"] for a in s["design"]["arms"]
             if isinstance(arms.get(a["name"], {}).get("improvement_mean"), (int, float))]
    if len(order) >= 2:
        ref = arms[order[-1]]["improvement_mean"]
        for n in order[:-1]:
            arms[n]["improvement_mean"] = ref + k * (arms[n]["improvement_mean"] - ref)
    return s


def set_number(d, elem_id, value):
    el = d.find_element(By.ID, elem_id)
    el.clear()
    el.send_keys(str(value))
    d.execute_script("arguments[0].dispatchEvent(new Event('change', {bubbles: true}))", el)


def test_flagship_run_matches_api_and_cli(server, driver):
    SHOTS.mkdir(parents=True, exist_ok=True)
    d = driver
    d.get(server)
    wait = WebDriverWait(d, 60)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "idle")
    Select(d.find_element(By.ID, "builtin")).select_by_value("ketamine-ampar-2026")
    wait.until(lambda d: d.find_element(By.ID, "patients").get_attribute("value") == "34")
    d.save_screenshot(str(SHOTS / "page-before.png"))

    set_number(d, "patients", PATIENTS)
    set_number(d, "scale", SCALE)
    set_number(d, "reps", REPS)
    set_number(d, "seed", SEED)
    wait.until(lambda d: not d.find_element(By.ID, "run").get_attribute("disabled"))
    primary = d.find_element(By.ID, "primary").get_attribute("value")
    d.find_element(By.ID, "run").click()

    long_wait = WebDriverWait(d, 1200, poll_frequency=1)
    long_wait.until(lambda d: d.find_elements(By.ID, "power-curve-svg"))
    head = d.find_element(By.ID, "headline-power")
    page_value = float(head.get_attribute("data-value"))
    n = int(head.get_attribute("data-n"))
    assert n == 49 + PATIENTS
    assert len(d.find_elements(By.CSS_SELECTOR, "#power-curve-svg polyline")) >= 1
    long_wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "done")
    d.save_screenshot(str(SHOTS / "page-after.png"))

    # The same edit made here, run through the API at the planned N.
    flagship = next(s for s in api(server, "/api/scenarios")["scenarios"] if s["name"] == "ketamine-ampar-2026")
    sc = json.loads(json.dumps(flagship["scenario"]))
    sc["design"]["patients"] = PATIENTS
    sc = scaled(sc, SCALE)
    fam, hyp = primary.rsplit(":", 1)
    res = api(server, "/api/power", {"scenario": sc, "reps": REPS, "seed": SEED, "n": n})
    row = next(r for r in res["rows"] if r["family"] == fam and r["hypothesis"] == hyp and r["metric"] == "power")
    assert row["value"] == page_value

    # And through the command line, from a scenario file.
    cli = TARGET / "release" / "trialsim"
    if cli.exists():
        with tempfile.TemporaryDirectory() as tmp:
            f = pathlib.Path(tmp) / "edited.json"
            f.write_text(json.dumps(sc, indent=2))
            out = pathlib.Path(tmp) / "power.csv"
            subprocess.run([str(cli), "power", str(f), "--reps", str(REPS), "--seed", str(SEED), "--n", str(n),
                            "--out", str(out), "--no-timing"], check=True, capture_output=True)
            with out.open() as fh:
                rows = [r for r in csv.DictReader(fh)
                        if r["family"] == fam and r["hypothesis"] == hyp and r["metric"] == "power"]
            assert float(rows[0]["value"]) == page_value

    # The page's address reproduces the edits and the seed.
    link = d.current_url
    d.get("about:blank")
    d.get(link)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "idle")
    assert d.find_element(By.ID, "patients").get_attribute("value") == str(PATIENTS)
    assert float(d.find_element(By.ID, "scale").get_attribute("value")) == SCALE
    assert d.find_element(By.ID, "seed").get_attribute("value") == str(SEED)


def test_validation_problem_is_shown_next_to_the_field(server, driver):
    d = driver
    d.get(server)
    wait = WebDriverWait(d, 60)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "idle")
    Select(d.find_element(By.ID, "builtin")).select_by_value("ketamine-ampar-2026")
    wait.until(lambda d: d.find_element(By.ID, "patients").get_attribute("value") == "34")
    el = d.find_element(By.CSS_SELECTOR, 'input[data-path="measures.regions.0.test_retest_cv"]')
    el.clear()
    el.send_keys("-0.5")
    d.execute_script("arguments[0].dispatchEvent(new Event('change', {bubbles: true}))", el)
    wait.until(lambda d: "bad" in (el.get_attribute("class") or ""))
    msg = el.find_element(By.XPATH, "following-sibling::div[@class='err']").text
    assert msg, "no message next to the field"
    assert d.find_element(By.ID, "run").get_attribute("disabled")
    d.save_screenshot(str(SHOTS / "page-invalid.png"))
