#!/usr/bin/env bash
# dlc against PyTorch: the four benchmark models trained at the same batch
# size and thread counts, dlc and PyTorch measured in turn in one run, and a
# table of images/s and their ratio (best thread count for each side).
#
#   ./scripts/compare_pytorch.sh                      # batch 128, threads 1 and 2, 3 rounds
#   ./scripts/compare_pytorch.sh --batch 32 --rounds 5 --models cnn,convnet
#   ./scripts/compare_pytorch.sh --rss               # and the peak memory of training
#
# Needs a built dlc (./scripts/build.sh; or DLC=path/to/dlc). Installs
# Debian's python3-torch, libopenblas-dev and libtcmalloc-minimal4 when they
# are missing (a few hundred MB; neither setup.sh nor CI installs them).
#
# PyTorch runs at its best on this kind of machine (see scripts/torch_models.py):
# AVX-512 ATen kernels, OpenBLAS's SkylakeX kernels with its own cache
# sizes, passive OpenMP waiting, tcmalloc instead of glibc malloc, and the
# thread count given to both OpenMP and OpenBLAS. dlc runs without those.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dlc=${DLC:-$root/build/tools/dlc}
if [[ ! -x "$dlc" ]]; then
  echo "compare_pytorch: $dlc not found; build first (./scripts/build.sh) or set DLC" >&2
  exit 2
fi

packages=(python3-torch libopenblas-dev libtcmalloc-minimal4)
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  echo "compare_pytorch: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

tcmalloc=$(ls /usr/lib/*-linux-gnu/libtcmalloc_minimal.so.4 2>/dev/null | head -1)
if [[ -z "$tcmalloc" ]]; then
  echo "compare_pytorch: libtcmalloc_minimal.so.4 not found" >&2
  exit 1
fi

# AVX-512 kernels where the CPU has AVX-512 (PyTorch 1.13 picks AVX2 by default).
isa=()
if grep -qw avx512f /proc/cpuinfo; then
  isa=(ATEN_CPU_CAPABILITY=avx512 OPENBLAS_CORETYPE=SkylakeX)
fi

# Debian's python3 (the one python3-torch is for), not a pyenv or venv one.
cd "$root"
exec env -u OPENBLAS_L2_SIZE "${isa[@]}" OMP_WAIT_POLICY=passive \
  LD_PRELOAD="$tcmalloc" \
  /usr/bin/python3 "$root/scripts/compare_pytorch.py" --dlc "$dlc" "$@"
