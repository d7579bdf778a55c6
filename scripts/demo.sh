#!/usr/bin/env bash
# Main job on the bundled defaults: set up, build the index of the shipped corpus if
# needed, and answer a sample question with citations.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/rag index build
.venv/bin/rag ask "${1:-Heeft het kabinet testkits van BGI gekocht?}"
