#!/usr/bin/env bash
# Checks the CPU stand-in against NVIDIA's headers (needs gcc and the headers, which are not committed):
#  1. ABI: compiles cudart.c, cublas.c and cudnn.c against NVIDIA's headers instead of standin.h's own
#     declarations, so an exported function whose parameter or return types differ from NVIDIA's prototype
#     fails to compile ("conflicting types");
#  2. constants: compares every enum value and layout fact the stand-in uses (its isthmusStandin*Constants()
#     tables) with the headers' values. The Java test StandInLibrariesTest covers the values the generated
#     bindings contain; this covers all of them.
#
# Environment (as for native-scripts/generate-bindings.sh):
#   CUDA_HOME       CUDA 13 toolkit (default /usr/local/cuda); its include/ holds cuda_runtime_api.h
#   CUBLAS_INCLUDE  folder with cublas_v2.h (default $CUDA_HOME/include)
#   CUDNN_INCLUDE   folder with cudnn.h     (default $CUDA_HOME/include)
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cuda_include=${CUDA_HOME:-/usr/local/cuda}/include
cublas_include=${CUBLAS_INCLUDE:-$cuda_include}
cudnn_include=${CUDNN_INCLUDE:-$cuda_include}
for header in "$cuda_include/cuda_runtime_api.h" "$cublas_include/cublas_v2.h" "$cudnn_include/cudnn.h"; do
  [ -f "$header" ] || { echo "check-against-headers: $header not found (set CUDA_HOME, CUBLAS_INCLUDE, CUDNN_INCLUDE)" >&2; exit 1; }
done

for source in cudart.c cublas.c cudnn.c; do
  gcc -std=c11 -fsyntax-only -DISTHMUS_STANDIN_REAL_HEADERS -I "$cuda_include" -I "$cublas_include" -I "$cudnn_include" \
    -Wall -Wextra -Wno-unused-parameter -Wno-deprecated-declarations -Werror "$source_dir/$source" \
    || { echo "check-against-headers: $source does not compile against NVIDIA's prototypes" >&2; exit 1; }
done
echo "check-against-headers: every exported function matches NVIDIA's prototype"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$source_dir/build.sh" "$work/lib"

cat > "$work/dump.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
typedef struct { const char *name; long long value; } constant;
int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        void *library = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);
        if (library == NULL) { fprintf(stderr, "%s\n", dlerror()); return 1; }
        const constant *(*table)(void) = (const constant *(*)(void)) dlsym(library, argv[i + 1]);
        for (const constant *row = table(); row->name != NULL; row++) printf("%s %lld\n", row->name, row->value);
    }
    return 0;
}
C
gcc -o "$work/dump" "$work/dump.c" -ldl
"$work/dump" "$work/lib/libcudart.so.13" isthmusStandinCudartConstants "$work/lib/libcublas.so.13" isthmusStandinCublasConstants \
  "$work/lib/libcudnn.so.9" isthmusStandinCudnnConstants | sort -u > "$work/standin.txt"

# Names become expressions; "sizeof(T)" and "offsetof(T.field)" rows become sizeof/offsetof.
{
  printf '#include <stddef.h>\n#include <stdio.h>\n#include <cuda_runtime_api.h>\n#include <cublas_v2.h>\n#include <cudnn.h>\ntypedef struct cudaDeviceProp cudaDeviceProp;\nint main(void) {\n'
  while read -r name _; do
    case "$name" in
      sizeof\(*) expression="sizeof(${name#sizeof(}" ;;
      offsetof\(*) inner=${name#offsetof(}; inner=${inner%)}; expression="offsetof(${inner%%.*}, ${inner#*.})" ;;
      *) expression="$name" ;;
    esac
    printf '    printf("%%s %%lld\\n", "%s", (long long) (%s));\n' "$name" "$expression"
  done < "$work/standin.txt"
  printf '    return 0;\n}\n'
} > "$work/headers.c"
gcc -w -I "$cuda_include" -I "$cublas_include" -I "$cudnn_include" -o "$work/headers" "$work/headers.c"
"$work/headers" | sort -u > "$work/headers.txt"

if diff "$work/standin.txt" "$work/headers.txt"; then
  echo "check-against-headers: all $(wc -l < "$work/standin.txt") stand-in constants equal NVIDIA's headers"
else
  echo "check-against-headers: the stand-in differs from NVIDIA's headers (< stand-in, > headers)" >&2
  exit 1
fi
