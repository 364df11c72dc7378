#!/usr/bin/env bash
# CI for the Python package: a fresh virtual environment, the package installed from this
# checkout the documented way (`pip install ./python`), the CLI binary built for the equality
# tests, then pytest. Run from anywhere; `.ci/run` calls it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
venv="$target/python-ci-venv"
python="${PYTHON:-python3}"

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet maturin pytest pandas numpy
# The extension builds in the shared target directory, so the main crate is compiled once.
export CARGO_TARGET_DIR="$target"
(cd "$repo" && "$venv/bin/python" -m pip install ./python)
(cd "$repo" && cargo build --release)
export TRIALSIM_BIN="$target/release/trialsim"

# The pytest script (not `python -m pytest`, which would put the source tree first on sys.path
# and import the package without its compiled module). pytest exits 5 when it
# collects no tests; that must fail CI, and so it does under `set -e`, but say why.
cd "$here"
status=0
"$venv/bin/pytest" -q -p no:cacheprovider tests || status=$?
if [ "$status" -eq 5 ]; then
    echo "python/ci.sh: pytest collected no tests" >&2
fi
exit "$status"
