#!/usr/bin/env bash
# Installs the app into ./.venv (made when missing) and starts it on http://localhost:8501.
# Usage: bash scripts/run_app.sh [streamlit options, e.g. --server.port 8600]
# GAN_TORCH=cpu bash scripts/run_app.sh   takes PyTorch's CPU-only build (a laptop without an NVIDIA GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv requirements.txt
exec "$VENV/bin/python" -m streamlit run app.py "$@"
