#!/usr/bin/env bash
# One-command verification of the CUDA backend on a GPU machine that has NVIDIA's driver and PyTorch
# (with its nvidia-cudnn / nvidia-cublas pip packages) but no Java and maybe no fonts. See docs/gpu-verification.md.
#
#   native-scripts/device-check.sh prepare [BUNDLE]          CPU side, in this checkout with JDK 25:
#       builds BUNDLE (default target-devicecheck/bundle): a jlinked Java runtime with a font (as jre.tar.xz), the
#       shaded CLI jar, core's test classes, the JUnit console launcher and MNIST (.gz); fails above 64 MiB.
#   native-scripts/device-check.sh run [BUNDLE] [LOGDIR]     GPU side, no Java needed, at most DEVICE_CHECK_DEADLINE_S
#       (default 420) seconds: `isthmus doctor` (discovery on its own first), the gpu-tagged tests (a skipped one
#       fails), a 1-epoch training of the lesson CNN with --backend cuda and the lesson's PyTorch CNN on the same
#       GPU, `isthmus compare` reference vs cuda for three models, a one-step parity with PyTorch and a training
#       with --cudnn-algo find. LOGDIR (default $OUT when set, else target-devicecheck/logs) receives three files:
#       device-check.log, device-check-summary.json and device-check-results.tar.gz (everything else).
#   native-scripts/device-check.sh dry-run [BUNDLE] [LOGDIR] the run half on this CPU machine against the CPU
#       stand-in libraries (native-scripts/cuda-standin), placed in a virtual environment shaped like the GPU
#       machine's; the same as `DEVICE_CHECK_STANDIN=1 ... run`. Labelled DRY RUN everywhere; proves nothing about a GPU.
#       DEVICE_CHECK_STANDIN_BREAK_CUDNN=1 makes the stand-in's cuDNN unloadable; DEVICE_CHECK_STANDIN_HANG=TEXT
#       makes the step whose name contains TEXT hang (both only to show how failures are reported).
#
# Exit status of run/dry-run: 0 when every step passed, 1 otherwise (the summary says which and why).
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
default_bundle="$root/target-devicecheck/bundle"
size_limit_bytes=$((64 * 1024 * 1024))

fail() { echo "device-check: $*" >&2; exit 1; }

usage() {
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

# ============================================================================ prepare (CPU side)

prepare() {
  local bundle=${1:-$default_bundle}
  set -e
  # shellcheck source=find-jdk.sh
  . "$script_dir/find-jdk.sh"
  isthmus_find_jdk || fail "prepare needs JDK 25 (jlink, jdeps) and builds with ./mvnw."
  local build_dir=${ISTHMUS_DEVICECHECK_BUILD_DIR:-target-devicecheck-build}
  echo "device-check prepare: building the CLI and core's test classes (-Disthmus.buildDir=$build_dir)"
  (cd "$root" && ./mvnw -B -q -Disthmus.buildDir="$build_dir" -pl cli -am -DskipTests package) \
    || fail "the Maven build failed; run it by hand to see why: ./mvnw -B -Disthmus.buildDir=$build_dir -pl cli -am -DskipTests package"

  local jar="$root/cli/$build_dir/isthmus.jar"
  local test_classes="$root/core/$build_dir/test-classes"
  [ -f "$jar" ] || fail "the build did not produce $jar"
  [ -d "$test_classes" ] || fail "the build did not produce $test_classes"

  rm -rf "$bundle"
  mkdir -p "$bundle/lib"
  cp "$jar" "$bundle/lib/isthmus.jar"
  cp -r "$test_classes" "$bundle/test-classes"
  cp "${BASH_SOURCE[0]}" "$bundle/device-check.sh"
  cp "$script_dir/device-check-run.sh" "$bundle/device-check-run.sh"

  local jupiter platform
  jupiter=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' "$root/pom.xml" | head -n 1)
  platform="1.${jupiter#5.}"
  echo "device-check prepare: JUnit console launcher $platform"
  (cd "$root" && ./mvnw -B -q dependency:copy \
      -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" \
      -DoutputDirectory="$bundle/lib" -Dmdep.stripVersion=true) \
    || fail "could not copy junit-platform-console-standalone $platform with ./mvnw dependency:copy"

  local modules jre="$root/target-devicecheck/jre"
  modules=$(runtime_modules "$bundle/lib/isthmus.jar" "$bundle/lib/junit-platform-console-standalone.jar")
  echo "device-check prepare: jlink --add-modules $modules"
  rm -rf "$jre"
  # Uncompressed modules, then xz over the whole runtime: about 21 MiB instead of 63 MiB with jlink's zip.
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
      --output "$jre" || fail "jlink failed"
  bundle_font "$jre"
  echo "device-check prepare: packing the runtime (xz; a few minutes on a small machine)"
  tar -C "$jre" -cf - . | xz -6 -T0 > "$bundle/jre.tar.xz" || fail "packing the runtime with tar and xz failed"

  prepare_mnist "$bundle" "$jre"
  verify_font "$bundle" "$jre"

  {
    echo "bundle prepared $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$root" && git diff --quiet HEAD 2>/dev/null || echo ' (working tree differs from it)')"
    echo "java runtime: $("$jre/bin/java" -version 2>&1 | head -n 1)"
    echo "jlink modules: $modules"
  } > "$bundle/MANIFEST.txt"

  local total
  total=$(du -sb "$bundle" | cut -f1)
  du -sh "$bundle"/* | sed 's/^/  /'
  echo "device-check prepare: bundle $bundle is $((total / 1024 / 1024)) MiB ($total bytes; limit $((size_limit_bytes / 1024 / 1024)) MiB)"
  [ "$total" -le "$size_limit_bytes" ] || fail "the bundle is larger than 64 MiB; it cannot travel to the GPU machine"
  echo "device-check prepare: done. On the GPU machine, from the checkout: native-scripts/device-check.sh run ${bundle#"$root"/} [LOGDIR]"
}

# The GPU machine may have no fonts, and AWT then draws no chart. The runtime carries DejaVu Sans (Debian's
# fonts-dejavu-core) in lib/fonts with a logical-font table naming it: the JDK registers lib/fonts itself and
# uses lib/fontconfig.properties when fontconfig finds no font (or is not installed).
font_file=${DEVICE_CHECK_FONT:-/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf}

bundle_font() {
  local jre=$1 family style
  [ -f "$font_file" ] || fail "no $font_file to put into the runtime: install it (apt-get install fonts-dejavu-core) or set DEVICE_CHECK_FONT to a .ttf"
  mkdir -p "$jre/lib/fonts"
  cp "$font_file" "$jre/lib/fonts/DejaVuSans.ttf"
  {
    echo "# Written by native-scripts/device-check.sh prepare: every logical font is DejaVu Sans from lib/fonts."
    echo "version=1"
    echo "sequence.allfonts=dejavu"
    for family in serif sansserif monospaced dialog dialoginput; do
      for style in plain bold italic bolditalic; do echo "$family.$style.dejavu=DejaVu Sans"; done
    done
    echo 'filename.DejaVu_Sans=$JRE_LIB_FONTS/DejaVuSans.ttf'
  } > "$jre/lib/fontconfig.properties"
}

# Proof that the runtime draws charts with no system font visible: fontconfig is pointed at an empty configuration.
verify_font() {
  local bundle=$1 jre=$2 check="$root/target-devicecheck/font-check"
  rm -rf "$check"; mkdir -p "$check"
  printf '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n' > "$check/no-fonts.conf"
  FONTCONFIG_FILE="$check/no-fonts.conf" XDG_CACHE_HOME="$check/cache" "$jre/bin/java" --enable-native-access=ALL-UNNAMED \
      -jar "$bundle/lib/isthmus.jar" compare --a reference --b reference --model cnn --synthetic --steps 1 --batch-size 2 \
      --chart "$check/chart.png" >"$check/log.txt" 2>&1
  [ -s "$check/chart.png" ] || fail "the bundled runtime drew no chart without system fonts: $(grep -m 1 warning "$check/log.txt")"
  echo "device-check prepare: the runtime draws charts with no system font visible (DejaVu Sans in lib/fonts)"
}

# The JDK modules the jars need (jdeps), plus the ones reflection and native access need at run time.
runtime_modules() {
  local found extra="java.base,jdk.unsupported,jdk.zipfs,java.logging,java.management"
  found=$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$@" 2>/dev/null | tail -n 1)
  printf '%s,%s\n' "$found" "$extra" | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -
}

# MNIST travels as .gz (the GPU machine has no network); `isthmus data fetch` gets it here first.
prepare_mnist() {
  local bundle=$1 jre=$2
  local cache="$root/target-devicecheck/mnist-raw"
  mkdir -p "$cache" "$bundle/mnist"
  if ! "$jre/bin/java" --enable-native-access=ALL-UNNAMED -jar "$bundle/lib/isthmus.jar" data fetch --dataset mnist --data "$cache" >/dev/null 2>"$cache.log"; then
    echo "device-check prepare: WARNING: could not fetch MNIST ($(tail -n 1 "$cache.log")); the run half will skip the MNIST steps" >&2
    rmdir "$bundle/mnist" 2>/dev/null || true
    return 0
  fi
  local file
  for file in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    if [ -f "$cache/$file" ]; then
      gzip -9 -n -c "$cache/$file" > "$bundle/mnist/$file.gz"
    elif [ -f "$cache/$file.gz" ]; then
      cp "$cache/$file.gz" "$bundle/mnist/$file.gz"
    else
      fail "isthmus data fetch succeeded but $cache has no $file"
    fi
  done
}

# ============================================================================ run (GPU side) and dry-run

# shellcheck source=device-check-run.sh
. "$script_dir/device-check-run.sh"

case "${1:-}" in
  prepare) shift; prepare "$@" ;;
  run) shift; run_check real "$@" ;;
  dry-run) shift; DEVICE_CHECK_STANDIN=1 run_check dry "$@" ;;
  *) usage ;;
esac
