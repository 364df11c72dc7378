#!/usr/bin/env bash
# End-to-end test of the planner page in headless Chromium (Selenium + the distribution's
# chromedriver). Installs what it needs on a fresh Debian machine, builds the example server and
# the CLI, and runs tests/browser/test_page.py with pytest. Screenshots go to target/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium chromium-driver python3-venv >/dev/null
fi
VENV="${TRIALSIM_BROWSER_VENV:-target/browser-venv}"
if [ ! -x "$VENV/bin/pytest" ] || ! "$VENV/bin/python" -c "import selenium" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "selenium>=4.15,<5" "pytest>=7"
fi
cargo build --release --example serve --bin trialsim
exec "$VENV/bin/pytest" -q tests/browser/test_page.py "$@"
