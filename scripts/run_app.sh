#!/usr/bin/env bash
# Installs the app into ./.venv (made when missing) and starts it on http://localhost:8501.
# Usage: bash scripts/run_app.sh [streamlit options, e.g. --server.port 8600]
# GAN_TORCH=cpu bash scripts/run_app.sh   takes PyTorch's CPU-only build (a laptop without an NVIDIA GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv requirements.txt
# One OpenMP thread for the server (unless set): with one per core, 8 students on the spam page got 2.6 updates/s
# instead of 4.9, CGAN 1.8 instead of 2.4 (docs/classroom.md, session 6); a student alone is no slower.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec "$VENV/bin/python" -m streamlit run app.py "$@"
