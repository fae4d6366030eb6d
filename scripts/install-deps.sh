#!/usr/bin/env bash
# Installs everything zkinfer needs to build and test, from Debian's packages only.
# Idempotent: packages already present are skipped. Used by the README's commands and by .ci/run.
# --python-examples also installs PyTorch and scikit-learn for examples/python (large; optional).
# --ml installs scikit-learn and XGBoost for scripts/ml/train_classic.py (the classic-ML examples).
# --torchvision installs PyTorch and torchvision for scripts/torchvision/export.py (the real CNNs).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  libgmp-dev
  nlohmann-json3-dev libcli11-dev
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  clang libclang-rt-14-dev
  python3-dev pybind11-dev python3-pybind11 python3-numpy python3-pytest
  python3-onnx
)
# node and npm: scripts/make-test-ptau.sh installs snarkjs with them to make the kzg tests' TEST-ONLY
# .ptau (CTest fixture make_test_ptau16). Debian's packages unless a node with npm is already there.
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
for arg in "$@"; do
  case "$arg" in
    --python-examples) packages+=(python3-torch python3-sklearn) ;;
    --ml) packages+=(python3-sklearn python3-xgboost) ;;
    --torchvision) packages+=(python3-torch python3-torchvision) ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
