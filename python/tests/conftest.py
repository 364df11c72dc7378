"""Shared fixtures: the command-line binary the Python results are compared with."""

import os
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _candidates():
    if os.environ.get("TRIALSIM_BIN"):
        yield pathlib.Path(os.environ["TRIALSIM_BIN"])
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        yield pathlib.Path(target) / "release" / "trialsim"
    yield REPO / "target" / "release" / "trialsim"


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    """The `trialsim` binary (TRIALSIM_BIN, else target/release/trialsim, built if missing)."""
    for p in _candidates():
        if p.is_file():
            return p
    if shutil.which("cargo") is None:
        pytest.fail("no trialsim binary and no cargo to build one (set TRIALSIM_BIN)")
    subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
    for p in _candidates():
        if p.is_file():
            return p
    pytest.fail("cargo build --release did not produce target/release/trialsim")


@pytest.fixture()
def run_cli(cli, tmp_path):
    """Run the CLI with arguments; return the text of the --out file it wrote."""

    def run(*args: str, out: str = "out.csv") -> str:
        path = tmp_path / out
        subprocess.run(
            [str(cli), *args, "--out", str(path), "--no-timing"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return path.read_text(encoding="utf-8")

    return run
