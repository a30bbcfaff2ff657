#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian/Ubuntu machine, then runs it.
# apt-get needs root or sudo (chromium for the browser tests, python3-venv when missing).
# Usage: bash scripts/test.sh [pytest args]   (PYTHON=, VENV=, GAN_TORCH=cpu: see scripts/venv.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
# Debian's chromium: Playwright drives it and never downloads a browser of its own.
# HAProxy: the multi-worker classroom test puts two workers behind it (scripts/serve_class.sh).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
ensure_venv requirements-test.txt
exec "$VENV/bin/python" -m pytest "$@"
