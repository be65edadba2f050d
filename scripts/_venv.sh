# Shared by scripts/run, scripts/test and scripts/bench: make .venv if missing and install into it the exact versions
# of the lock file (requirements.lock, or requirements-dev.lock with the dev extra), then the package itself.
# Reinstalls only when the lock file or pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

_stamp_is_current() {  # $1: stamp file, $2: lock file
    [ -f "$1" ] && [ ! "$ROOT/pyproject.toml" -nt "$1" ] && [ ! "$2" -nt "$1" ]
}

ensure_venv() {
    local extras="$1"  # "" or "dev"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "creating virtualenv in $VENV" >&2
        "$PY" -m venv "$VENV"
    fi
    local stamp="$VENV/.installed${extras:+-$extras}"
    local lock="$ROOT/requirements${extras:+-$extras}.lock"
    # An install with the dev extra also has everything the plain install needs.
    if [ -z "$extras" ] && _stamp_is_current "$VENV/.installed-dev" "$ROOT/requirements-dev.lock"; then
        return 0
    fi
    if ! _stamp_is_current "$stamp" "$lock"; then
        echo "installing agent-console${extras:+ [$extras]} from ${lock##*/} into $VENV" >&2
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock" >&2
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT" >&2
        touch "$stamp"
    fi
}
