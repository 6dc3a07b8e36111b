#!/usr/bin/env bash
# A private Python venv with the PyTorch 2.13 CPU wheel this machine keeps on disk, for tests and
# benchmarks that want a current PyTorch (the exported PyTorch project's test, `rnn-lab bench`).
#   scripts/torch-venv.sh [DIR]     default ${RNNLAB_CACHE:-$HOME/.cache/rnn-lab}/torch-2.13-venv
# Idempotent: an existing venv whose python imports torch 2.13 and onnx is reused (about a second).
# The wheel is installed with --no-deps (nothing else is pulled in its name), then its few pure-Python
# dependencies and onnx (torch.onnx.export's TorchScript exporter needs it on 2.x) from the machine's
# pip index. Without the wheel it falls back to Debian's
# python3-torch (1.13; installed with apt-get when root) and prints /usr/bin/python3.
# The last line printed is the python to use; everything else goes to stderr.
# Environment: RNNLAB_TORCH_WHEEL overrides the wheel (default: the torch-2.13*.whl in /opt/wheels);
# PYTHON the interpreter the venv is made from (default /usr/bin/python3; the wheel is cp311).
set -euo pipefail

dir=${1:-${RNNLAB_CACHE:-$HOME/.cache/rnn-lab}/torch-2.13-venv}
base=${PYTHON:-/usr/bin/python3}
py="$dir/bin/python"

log() { echo "[torch-venv] $*" >&2; }

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "apt-get install $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "$@" >&2
  else
    log "missing Debian packages: $*; run as root (or: sudo apt-get install $*)"
    exit 1
  fi
}

if [ -x "$py" ] && "$py" -c 'import sys, torch, onnx; sys.exit(0 if torch.__version__.startswith("2.13") else 1)' 2>/dev/null; then
  echo "$py"
  exit 0
fi

wheel=${RNNLAB_TORCH_WHEEL:-}
if [ -z "$wheel" ]; then
  wheel=$(ls /opt/wheels/torch-2.13*.whl 2>/dev/null | head -n 1 || true)
fi
if [ -z "$wheel" ] || [ ! -f "$wheel" ]; then
  log "no PyTorch 2.13 wheel (/opt/wheels/torch-2.13*.whl or RNNLAB_TORCH_WHEEL): using Debian's python3-torch"
  /usr/bin/python3 -c 'import torch' 2>/dev/null || apt_install python3-torch
  /usr/bin/python3 -c 'import onnx' 2>/dev/null || apt_install python3-onnx
  /usr/bin/python3 -c 'import torch; print(f"[torch-venv] torch {torch.__version__} (Debian)", flush=True)' >&2
  echo /usr/bin/python3
  exit 0
fi

"$base" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
log "creating $dir from $base with $(basename "$wheel")"
rm -rf "$dir"
"$base" -m venv "$dir"
# --retries 0: the index that answers is the local one; an unreachable default index fails at once
# instead of being retried five times per package.
pip_install() { "$py" -m pip install --quiet --retries 0 --disable-pip-version-check "$@" >&2; }
pip_install --no-deps "$wheel"
# torch 2.13's Requires-Dist (its METADATA), without the optional extras.
pip_install filelock 'typing-extensions>=4.10.0' 'setuptools>=77.0.3' 'sympy>=1.13.3' 'networkx>=2.5.1' jinja2 'fsspec>=0.8.5'
# torch.onnx.export(dynamo=False) on 2.x reads its own output back with onnx (and onnx needs numpy).
pip_install onnx
"$py" -c 'import torch; print(f"[torch-venv] torch {torch.__version__} ready", flush=True)' >&2
echo "$py"
