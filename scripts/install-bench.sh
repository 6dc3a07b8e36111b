#!/usr/bin/env bash
# What `rnn-lab bench` compares against, installed: the reference, PyTorch 2.13 CPU in a private venv
# (scripts/torch-venv.sh), and the baseline beside it, Debian's python3-torch 1.13 on OpenBLAS
# (libopenblas0-pthread: without it Debian's libblas.so.3 alternative is the slow reference BLAS).
# Needs root for apt-get (or sudo). Prints the reference python on its last line, as torch-venv.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || missing+=(libopenblas0-pthread)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "install-bench.sh: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
bash scripts/torch-venv.sh
