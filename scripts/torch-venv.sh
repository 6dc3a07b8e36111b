#!/usr/bin/env bash
# A private Python venv with the PyTorch 2.13 CPU wheel this machine keeps on disk, for `rnn-lab bench
# --python` and fixture scripts that want a current PyTorch beside Debian's 1.13.
#   scripts/torch-venv.sh [DIR]     default ${RNNLAB_CACHE:-$HOME/.cache/rnn-lab}/torch-2.13-venv
# Idempotent: an existing venv whose python imports torch 2.13 is reused. The wheel is installed with
# --no-deps (nothing else is pulled in its name), then its few pure-Python dependencies from the
# machine's pip index. The last line printed is the venv's python path.
# Environment: RNNLAB_TORCH_WHEEL overrides the wheel (default: the torch-2.13*.whl in /opt/wheels);
# PYTHON the interpreter the venv is made from (default /usr/bin/python3; the wheel is cp311).
set -euo pipefail

dir=${1:-${RNNLAB_CACHE:-$HOME/.cache/rnn-lab}/torch-2.13-venv}
base=${PYTHON:-/usr/bin/python3}
py="$dir/bin/python"

if [ -x "$py" ] && "$py" -c 'import sys, torch; sys.exit(0 if torch.__version__.startswith("2.13") else 1)' 2>/dev/null; then
  echo "$py"
  exit 0
fi

wheel=${RNNLAB_TORCH_WHEEL:-}
if [ -z "$wheel" ]; then
  wheel=$(ls /opt/wheels/torch-2.13*.whl 2>/dev/null | head -n 1 || true)
fi
if [ -z "$wheel" ] || [ ! -f "$wheel" ]; then
  echo "torch-venv.sh: no PyTorch 2.13 wheel: expected /opt/wheels/torch-2.13*.whl or RNNLAB_TORCH_WHEEL=FILE" >&2
  exit 1
fi

echo "torch-venv.sh: creating $dir from $base with $(basename "$wheel")" >&2
"$base" -m venv "$dir"
"$py" -m pip install --quiet --no-deps "$wheel" >&2
# torch 2.13's Requires-Dist (METADATA), without the optional extras.
"$py" -m pip install --quiet filelock 'typing-extensions>=4.10.0' 'setuptools>=77.0.3' 'sympy>=1.13.3' \
  'networkx>=2.5.1' jinja2 'fsspec>=0.8.5' >&2
"$py" -c 'import torch; print(f"torch-venv.sh: torch {torch.__version__} ready", flush=True)' >&2
echo "$py"
