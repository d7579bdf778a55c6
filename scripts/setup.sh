#!/usr/bin/env bash
# Idempotent setup: a virtual environment in .venv with the package and its extras.
# Usage: bash scripts/setup.sh [EXTRAS]   (default extras: ui,eval,dev)
# Fast when nothing changed: a stamp records the hash of pyproject.toml and the extras.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-ui,eval,dev}"
py="${PYTHON:-python3}"
stamp=".venv/.rag-setup-stamp"
want="$( (cat pyproject.toml; echo "$extras") | sha256sum | cut -c1-16)"
if [[ -x .venv/bin/python && -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv" >&2
  "$py" -m venv .venv
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
# CPU torch first, from the local wheel folder; a plain "torch" would pull CUDA.
echo "setup: installing torch==2.13.0 (CPU)" >&2
.venv/bin/pip install -q "torch==2.13.0"
echo "setup: installing rag[$extras] (llama-cpp-python builds from source once, ~11 min)" >&2
.venv/bin/pip install -q -e ".[$extras]"
echo "$want" > "$stamp"
echo "setup: done" >&2
