#!/usr/bin/env bash
# Regenerates bindings/src/main/java/dev/isthmus/bindings/dnnl (header class Dnnl) with jextract from oneDNN's
# C API headers (Debian: `apt-get install libdnnl-dev`, oneDNN 2.6), then checks that every symbol named in
# native-scripts/bindings/dnnl.args was generated. The output is committed; nothing in it is edited by hand.
# The sibling of generate-bindings.sh (CUDA); same conventions: no -l, so the caller System.loads libdnnl first.
#
# Environment:
#   JEXTRACT        jextract launcher (default: `jextract` on PATH)
#   DNNL_INCLUDE    folder holding oneapi/dnnl/dnnl.h (default /usr/include)
#   JAVA_HOME       JDK 25 or newer (found automatically otherwise)
#   JEXTRACT_BUILD  optional note recorded with the output: where this jextract came from
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
args_file="$script_dir/bindings/dnnl.args"
out_dir="$root/bindings/src/main/java"
package=dev.isthmus.bindings.dnnl
package_dir="$out_dir/${package//.//}"

fail() { echo "generate-dnnl-bindings: $*" >&2; exit 1; }

# shellcheck source=find-jdk.sh
. "$script_dir/find-jdk.sh"
isthmus_find_jdk || fail "jextract needs JDK 25 or newer: set JAVA_HOME to one."

jextract=${JEXTRACT:-$(command -v jextract || true)}
[ -n "$jextract" ] && [ -x "$jextract" ] \
  || fail "jextract not found: install jextract for JDK 25 and put it on PATH or set JEXTRACT=/path/to/bin/jextract."

include=${DNNL_INCLUDE:-/usr/include}
[ -f "$include/oneapi/dnnl/dnnl.h" ] || fail "no oneapi/dnnl/dnnl.h in $include: install libdnnl-dev (apt-get install libdnnl-dev) or set DNNL_INCLUDE."

version_define() { sed -n "s/^#define DNNL_VERSION_$1[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p" "$include/oneapi/dnnl/dnnl_version.h"; }
dnnl_version="$(version_define MAJOR).$(version_define MINOR).$(version_define PATCH)"
jextract_version=$("$jextract" --version 2>&1 | sed '/^[[:space:]]*$/d' | paste -sd ';' - | sed 's/;/; /g')
[ -n "${JEXTRACT_BUILD:-}" ] && jextract_version="$jextract_version ($JEXTRACT_BUILD)"

# dnnl_status2str lives in dnnl_debug.h, which dnnl.h does not include: one generated umbrella header holds both.
umbrella=$(mktemp -d)/dnnl_isthmus.h
trap 'rm -rf "$(dirname "$umbrella")"' EXIT
printf '#include <oneapi/dnnl/dnnl.h>\n#include <oneapi/dnnl/dnnl_debug.h>\n' > "$umbrella"

rm -rf "$package_dir"
mkdir -p "$out_dir"
command_args=(-I "$include" --output "$out_dir" --target-package "$package" --header-class-name Dnnl "@$args_file")
echo "generate-dnnl-bindings: dnnl <- oneDNN $dnnl_version headers in $include"
"$jextract" "${command_args[@]}" "$umbrella" || fail "jextract failed (see the messages above)."

shown_command="jextract ${command_args[*]} dnnl_isthmus.h"
shown_command=${shown_command//"$root/"/}
cat > "$package_dir/package-info.java" <<INFO
/**
 * jextract bindings for oneDNN's C API ({@code oneapi/dnnl/dnnl.h} and {@code dnnl_debug.h}); header class
 * {@link $package.Dnnl}. Generated code, never edited by hand: regenerate with
 * {@code native-scripts/generate-dnnl-bindings.sh}.
 *
 * <p>No library is loaded here: symbols resolve through the loader lookup, so the caller must first
 * {@code System.load} libdnnl by absolute path.
 *
 * <ul>
 *   <li>Headers: oneDNN $dnnl_version (Debian libdnnl-dev).</li>
 *   <li>jextract: $jextract_version.</li>
 *   <li>Command: {@code $shown_command}, where {@code dnnl_isthmus.h} includes both headers.</li>
 * </ul>
 */
package $package;
INFO

# Every requested symbol must exist in the output (jextract silently ignores unknown names).
missing=()
while read -r kind name; do
  grep -rqE "(public static [^=(]*[[:space:]]$name[[:space:]]*[(=])|(class $name([[:space:]]|$))" "$package_dir" --include='*.java' \
    || missing+=("--include-$kind $name")
done < <(sed -n 's/^[[:space:]]*--include-\([a-z]*\)[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\1 \2/p' "$args_file")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'generate-dnnl-bindings: %d symbol(s) of %s were not generated:\n' "${#missing[@]}" "${args_file#"$root/"}" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "generate-dnnl-bindings: done; $(find "$package_dir" -name '*.java' | wc -l) files, $(cat "$package_dir"/*.java | wc -l) lines in ${package_dir#"$root/"}."
