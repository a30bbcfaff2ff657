# Sourced by run_app.sh and test.sh: make sure ./.venv exists, works, and holds a requirements file's pins.
# Stock Debian/Ubuntu refuse `pip install` into the system Python (externally-managed-environment), so
# everything goes into a virtual environment, and pip is always called as `.venv/bin/python -m pip`.
#   PYTHON=python3.12   which interpreter makes the venv (default python3; supported: see README)
#   VENV=path           where the venv lives (default .venv)
#   GAN_TORCH=cpu       install PyTorch's CPU-only build first (no CUDA packages); default: PyPI's build
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

apt_install() {
    $SUDO apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

ensure_venv() {
    local requirements="$1"
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        [ "$PYTHON" = python3 ] || { echo "error: $PYTHON not found" >&2; exit 1; }
        apt_install python3
    fi
    if ! "$PYTHON" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))'; then
        echo "error: $("$PYTHON" -V 2>&1) is not supported: use Python 3.11, 3.12 or 3.13 (e.g. PYTHON=python3.12)" >&2
        exit 1
    fi
    # Debian and Ubuntu ship `venv`'s pip bootstrap (ensurepip) in a separate package.
    if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        local minor; minor="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        apt_install "python$minor-venv"
    fi
    # A venv made before python3-venv was there has no pip: make it again.
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    # Skip pip when these exact files were already installed into this venv (a second start is instant).
    local stamp="$VENV/.installed" want
    want="$(cat "$requirements" requirements.txt | sha256sum | cut -d' ' -f1) torch=${GAN_TORCH:-pypi}"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    if [ "${GAN_TORCH:-}" = cpu ]; then
        # PyTorch's own CPU-only wheel index; `torch==X` in requirements.txt is then already satisfied by X+cpu.
        "$VENV/bin/python" -m pip install -q "$(grep -E '^torch==' requirements.txt)" \
            --index-url https://download.pytorch.org/whl/cpu
    fi
    "$VENV/bin/python" -m pip install -q -r "$requirements"
    echo "$want" > "$stamp"
}
