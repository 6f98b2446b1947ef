#!/usr/bin/env bash
# Builds the CPU stand-in for the CUDA runtime, cuBLAS and cuDNN (TEST-ONLY; see docs/cuda-standin.md):
#   native-scripts/cuda-standin/build.sh OUTDIR
# writes OUTDIR/libcudart.so.13, OUTDIR/libcublas.so.13 and OUTDIR/libcudnn.so.9, each self-contained, plus
# empty placeholder libraries named like the companions NVIDIA ships (libcublasLt.so.13, libcudnn_graph.so.9,
# libcudnn_ops.so.9, libcudnn_cnn.so.9) so that a loader that insists on finding them is satisfied.
# Needs gcc (or CC=...). Nothing in the product depends on these libraries.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out_dir=$1
cc=${CC:-gcc}
command -v "$cc" >/dev/null 2>&1 || { echo "cuda-standin: '$cc' not found: install gcc (e.g. apt-get install gcc) or set CC." >&2; exit 1; }
mkdir -p "$out_dir"

flags=(-std=c11 -O2 -fvect-cost-model=cheap -fPIC -shared -Wall -Wextra -Wno-unused-parameter -Werror -fvisibility=hidden -pthread)

build() { # soname source...
  local soname=$1; shift
  local target="$out_dir/$soname"
  "$cc" "${flags[@]}" -Wl,-soname,"$soname" -o "$target.tmp" "$@" -lm -ldl
  mv -f "$target.tmp" "$target"
}

build libcudart.so.13 "$source_dir/cudart.c"
build libcublas.so.13 "$source_dir/cublas.c"
build libcudnn.so.9 "$source_dir/cudnn.c"
for companion in libcublasLt.so.13 libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_cnn.so.9; do
  build "$companion" "$source_dir/companion.c"
done
