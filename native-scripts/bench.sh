#!/usr/bin/env bash
# Runs the JMH benchmarks of bench/ and writes their results as JSON, with GFLOP/s and GB/s added,
# plus a Markdown table beside it. Backends that are not usable here (cuda without a GPU) are left
# out with a one-line reason; the full suite takes a long while, --quick a few minutes.
#
# Usage: native-scripts/bench.sh [--quick] [--out FILE.json] [JMH-REGEX...] [-- MORE-JMH-OPTIONS...]
#   --quick        1 fork, 3 warm-up and 3 measured iterations of 0.5 s each (default: the annotations'
#                  3 warm-up and 5 measured iterations of 1-2 s)
#   --cuda-standin also run the CUDA backend on the CPU stand-in of the CUDA libraries (built with gcc;
#                  rows labelled cuda-standin): its host-side cost per op, never a GPU figure
#   --out FILE     where the JSON goes (default: out/bench/jmh-<date>.json); the table goes to FILE.md
#   JMH-REGEX      which benchmarks, e.g. 'ConvBenchmark.forward' or 'TrainingStep' (default: all)
#   -- ...         passed to JMH as is, e.g. -- -p backend=reference -p workload=cnn.conv1/b64
# Environment: ISTHMUS_BUILD_DIR (default target) is the Maven output folder holding benchmarks.jar.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$root/native-scripts/find-jdk.sh"
isthmus_find_jdk

quick=0
stand_in=0
out=""
regexes=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --cuda-standin) stand_in=1 ;;
    --out)
      [ $# -ge 2 ] || { echo "bench.sh: --out needs a file name, e.g. --out out/bench/results.json" >&2; exit 2; }
      out="$2"; shift ;;
    --out=*) out="${1#--out=}" ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "bench.sh: unknown option $1; options are --quick, --cuda-standin, --out FILE, a JMH regex, and -- followed by JMH options" >&2; exit 2 ;;
    *) regexes+=("$1") ;;
  esac
  shift
done

build_dir="${ISTHMUS_BUILD_DIR:-target}"
jar="$root/bench/$build_dir/benchmarks.jar"
# Rebuild when the jar is missing or any source or pom it is made of is newer.
stale() {
  [ ! -f "$jar" ] && return 0
  [ -n "$(cd "$root" && find bench/src core/src/main bindings/src/main pom.xml bench/pom.xml core/pom.xml bindings/pom.xml \
      -newer "$jar" -type f -print -quit 2>/dev/null)" ]
}
if stale; then
  echo "bench.sh: building $jar" >&2
  (cd "$root" && mvn -B -q "-Disthmus.buildDir=$build_dir" -pl bench -am package -DskipTests)
fi

if [ -z "$out" ]; then
  out="$root/out/bench/jmh-$(date +%Y%m%d-%H%M%S).json"
fi
mkdir -p "$(dirname "$out")"

host=()
if [ "$stand_in" = 1 ]; then
  stand_in_dir="$root/bench/$build_dir/cuda-standin"
  if [ ! -f "$stand_in_dir/libcudart.so.13" ] || [ -n "$(find "$root/native-scripts/cuda-standin" -newer "$stand_in_dir/libcudart.so.13" -type f -print -quit)" ]; then
    echo "bench.sh: building the CUDA stand-in into $stand_in_dir" >&2
    "$root/native-scripts/cuda-standin/build.sh" "$stand_in_dir"
  fi
  host+=("-Disthmus.bench.cudaStandIn=$stand_in_dir")
fi

jmh=(-rf json -rff "$out" -prof gc -prof dev.isthmus.bench.CpuTimeProfiler)
if [ "$quick" = 1 ]; then
  jmh+=(-f 1 -wi 3 -w 500ms -i 3 -r 500ms)
fi

cpus=$(nproc)
load=$(cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo "?")
echo "bench.sh: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); $cpus CPUs; load average $load; results to $out" >&2
# Benchmarks share the cores with whatever else runs: say so when the machine is already busy.
if [ "$load" != "?" ] && awk -v l="$load" -v c="$cpus" 'BEGIN { exit !(l > c / 2) }'; then
  echo "bench.sh: warning: load average $load on $cpus CPUs: other work is running, times will be inflated and noisy" >&2
fi
exec "$JAVA_HOME/bin/java" "${host[@]}" -jar "$jar" "${jmh[@]}" "${extra[@]}" "${regexes[@]}"
