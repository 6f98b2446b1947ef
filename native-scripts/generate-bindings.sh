#!/usr/bin/env bash
# Regenerates bindings/src/main/java (dev.isthmus.bindings.{cudart,cublas,cudnn}) with jextract from the
# CUDA runtime, cuBLAS and cuDNN headers, then checks that every symbol named in native-scripts/bindings/*.args
# was generated. The output is committed; nothing under bindings/src/main/java is edited by hand.
#
# Environment:
#   JEXTRACT        jextract launcher (default: `jextract` on PATH)
#   CUDA_HOME       CUDA toolkit (default /usr/local/cuda); its include/ holds cuda_runtime_api.h
#   CUBLAS_INCLUDE  folder with cublas_v2.h (default $CUDA_HOME/include)
#   CUDNN_INCLUDE   folder with cudnn.h     (default $CUDA_HOME/include)
#   JAVA_HOME       JDK 25 or newer (found automatically otherwise); jextract and the generated code need it
#   JEXTRACT_BUILD  optional note recorded with the output: where this jextract came from (e.g. its git commit)
#   HEADERS_SOURCE  optional note recorded with the output: where the cuBLAS/cuDNN headers came from
#
# No -l option is passed on purpose: the generated header classes then resolve symbols through the loader
# lookup (libraries our own code loaded with System.load) instead of loading libraries in a static initialiser.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
args_dir="$script_dir/bindings"
out_dir="$root/bindings/src/main/java"
package_root=dev.isthmus.bindings

fail() { echo "generate-bindings: $*" >&2; exit 1; }

# shellcheck source=find-jdk.sh
. "$script_dir/find-jdk.sh"
isthmus_find_jdk || fail "jextract needs JDK 25 or newer: set JAVA_HOME to one."

jextract=${JEXTRACT:-$(command -v jextract || true)}
[ -n "$jextract" ] && [ -x "$jextract" ] \
  || fail "jextract not found: install jextract for JDK 25 (https://jdk.java.net/jextract) and put it on PATH or set JEXTRACT=/path/to/bin/jextract."

cuda_home=${CUDA_HOME:-/usr/local/cuda}
cuda_include="$cuda_home/include"
cublas_include=${CUBLAS_INCLUDE:-$cuda_include}
cudnn_include=${CUDNN_INCLUDE:-$cuda_include}
[ -f "$cuda_include/cuda_runtime_api.h" ] || fail "no cuda_runtime_api.h in $cuda_include: set CUDA_HOME to a CUDA 13 toolkit."
[ -f "$cublas_include/cublas_v2.h" ] || fail "no cublas_v2.h in $cublas_include: set CUBLAS_INCLUDE to the folder holding the cuBLAS headers."
[ -f "$cudnn_include/cudnn.h" ] || fail "no cudnn.h in $cudnn_include: set CUDNN_INCLUDE to the folder holding the cuDNN 9 headers."

# The CUDA include folder goes first: a cuBLAS/cuDNN header bundle may carry an older library_types.h.
include_path=(-I "$cuda_include")
for extra in "$cublas_include" "$cudnn_include"; do
  case " ${include_path[*]} " in *" $extra "*) ;; *) include_path+=(-I "$extra") ;; esac
done

# `jextract --version` prints three lines: jextract, JDK and libclang versions.
jextract_version=$("$jextract" --version 2>&1) || fail "'$jextract --version' failed: $jextract_version"
jextract_version=$(printf '%s\n' "$jextract_version" | sed '/^[[:space:]]*$/d' | paste -sd ';' - | sed 's/;/; /g')
[ -n "${JEXTRACT_BUILD:-}" ] && jextract_version="$jextract_version ($JEXTRACT_BUILD)"

header_define() { sed -n "s/^#define $2[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p" "$1" | head -n 1; }
cudart_version=$(header_define "$cuda_include/cuda_runtime_api.h" CUDART_VERSION)
cuda_version="$((cudart_version / 1000)).$((cudart_version % 1000 / 10))"
cublas_version="$(header_define "$cublas_include/cublas_api.h" CUBLAS_VER_MAJOR).$(header_define "$cublas_include/cublas_api.h" CUBLAS_VER_MINOR).$(header_define "$cublas_include/cublas_api.h" CUBLAS_VER_PATCH) (build $(header_define "$cublas_include/cublas_api.h" CUBLAS_VER_BUILD))"
cudnn_version="$(header_define "$cudnn_include/cudnn_version.h" CUDNN_MAJOR).$(header_define "$cudnn_include/cudnn_version.h" CUDNN_MINOR).$(header_define "$cudnn_include/cudnn_version.h" CUDNN_PATCHLEVEL)"
headers_line="CUDA runtime $cuda_version (CUDART_VERSION $cudart_version), cuBLAS $cublas_version, cuDNN $cudnn_version"
[ -n "${HEADERS_SOURCE:-}" ] && headers_line="$headers_line; $HEADERS_SOURCE"

# library  package  header-class  header-file
libraries=(
  "cudart cudart CudaRuntime $cuda_include/cuda_runtime_api.h"
  "cublas cublas Cublas $cublas_include/cublas_v2.h"
  "cudnn cudnn Cudnn $cudnn_include/cudnn.h"
)

# Symbols named in an args file, as "kind name" lines (kind: function, constant, typedef, struct, union, var).
requested_symbols() { sed -n 's/^[[:space:]]*--include-\([a-z]*\)[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\1 \2/p' "$1"; }

# True when the generated package declares the symbol: a static method (function, constant getter,
# global variable accessor), a static field (typedef alias of a primitive or pointer) or a class (struct,
# union, typedef of a struct).
is_generated() {
  local dir=$1 name=$2
  grep -rqE "(public static [^=(]*[[:space:]]$name[[:space:]]*[(=])|(class $name([[:space:]]|$))" "$dir" --include='*.java'
}

write_package_info() {
  local package_dir=$1 package=$2 header_class=$3 header_file=$4 command=$5
  cat > "$package_dir/package-info.java" <<EOF
/**
 * jextract bindings for {@code $(basename "$header_file")}; header class {@link $package.$header_class}.
 * Generated code, never edited by hand: regenerate with {@code native-scripts/generate-bindings.sh}.
 *
 * <p>No library is loaded here: symbols resolve through the loader lookup, so the caller must first
 * {@code System.load} the native library by absolute path.
 *
 * <ul>
 *   <li>Headers: $headers_line.</li>
 *   <li>jextract: $jextract_version.</li>
 *   <li>Command: {@code $command}</li>
 * </ul>
 */
package $package;
EOF
}

commands=()
for entry in "${libraries[@]}"; do
  read -r library package header_class header_file <<<"$entry"
  package="$package_root.$package"
  package_dir="$out_dir/${package//.//}"
  args_file="$args_dir/$library.args"
  [ -f "$args_file" ] || fail "missing $args_file."

  rm -rf "$package_dir"
  mkdir -p "$out_dir"
  command_args=("${include_path[@]}" --output "$out_dir" --target-package "$package" --header-class-name "$header_class" "@$args_file" "$header_file")
  echo "generate-bindings: $library <- $header_file"
  # jextract warns "type Declared(...) is not supported" for opaque handle structs; those become plain
  # pointers, which is what we want, so the warnings are filtered out.
  "$jextract" "${command_args[@]}" 2> >(grep -v 'is not supported' >&2) \
    || fail "jextract failed for $library (see the messages above)."

  shown_command="jextract ${command_args[*]}"
  shown_command=${shown_command//"$root/"/}
  commands+=("$shown_command")
  write_package_info "$package_dir" "$package" "$header_class" "$header_file" "$shown_command"

  missing=()
  while read -r kind name; do
    is_generated "$package_dir" "$name" || missing+=("--include-$kind $name")
  done < <(requested_symbols "$args_file")
  if [ ${#missing[@]} -gt 0 ]; then
    printf 'generate-bindings: %s: %d symbol(s) of %s were not generated (misspelt, a macro alias, or absent from these headers; see jextract --dump-includes):\n' \
      "$library" "${#missing[@]}" "${args_file#"$root/"}" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
  fi
done

{
  cat <<EOF
# bindings

Java bindings for the CUDA runtime, cuBLAS and cuDNN, generated by jextract. **Never edited by hand;
regenerate with \`native-scripts/generate-bindings.sh\`** (this README is written by that script too).

| Package | Header class | Header | Symbols |
|---|---|---|---|
| \`$package_root.cudart\` | \`CudaRuntime\` | \`cuda_runtime_api.h\` | \`native-scripts/bindings/cudart.args\` |
| \`$package_root.cublas\` | \`Cublas\` | \`cublas_v2.h\` | \`native-scripts/bindings/cublas.args\` |
| \`$package_root.cudnn\` | \`Cudnn\` | \`cudnn.h\` | \`native-scripts/bindings/cudnn.args\` |
| \`$package_root.dnnl\` | \`Dnnl\` | oneDNN 2.6 \`dnnl.h\` + \`dnnl_debug.h\` | \`native-scripts/bindings/dnnl.args\`, generated by \`native-scripts/generate-dnnl-bindings.sh\` (its own header versions are in that package's \`package-info.java\`) |

- Headers: $headers_line.
- jextract: $jextract_version.
- The generated classes load no library (jextract ran without \`-l\`): call \`System.load(absolutePath)\` for
  libcudart, libcublas and libcudnn first; symbols are then found through the loader lookup.
- Only the symbols listed in the \`.args\` files are generated. To add one, find its exact name with
  \`jextract --dump-includes\` (macro aliases such as \`cublasSgemm\` produce nothing; use \`cublasSgemm_v2\`),
  add it to the \`.args\` file and rerun the script; \`BindingsConsistencyTest\` checks that the two agree.

## Regenerating

\`\`\`
JEXTRACT=/path/to/jextract CUDA_HOME=/usr/local/cuda-13.0 \\
  CUBLAS_INCLUDE=/path/to/cublas/include CUDNN_INCLUDE=/path/to/cudnn/include \\
  JEXTRACT_BUILD='where this jextract came from' HEADERS_SOURCE='where the headers came from' \\
  native-scripts/generate-bindings.sh
\`\`\`

\`JEXTRACT_BUILD\` and \`HEADERS_SOURCE\` are optional notes copied into this README and the \`package-info.java\` files.

Commands run for the committed sources:

\`\`\`
EOF
  printf '%s\n' "${commands[@]}"
  echo '```'
} > "$root/bindings/README.md"

echo "generate-bindings: done; $(find "$out_dir" -name '*.java' | wc -l) files, $(cat $(find "$out_dir" -name '*.java') | wc -l) lines in ${out_dir#"$root/"}."
