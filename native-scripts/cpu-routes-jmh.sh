#!/usr/bin/env bash
# The measurement behind issue #19's choice of route: convolution and linear ops at the lesson networks'
# shapes, then whole training steps of the three networks, all at batch 64, on reference (pure Java), cpu (route (a): oneDNN) and vector (route (b): the Vector
# API kernels), interleaved: one JMH invocation per workload, so an op's three backends run back to back
# and share the same machine conditions. Writes the merged JMH JSON (GFLOP/s added) and its Markdown table.
#
# Usage: native-scripts/cpu-routes-jmh.sh OUT-DIR [-- JMH-OPTIONS...]   (default options: -f 1 -wi 4 -w 1s -i 4 -r 1s)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { echo "cpu-routes-jmh.sh: give an output folder, e.g. docs/measurements/2026-12-06-vector-api-route" >&2; exit 2; }
out=$1; shift
[ "${1:-}" = "--" ] && shift
options=("$@")
[ ${#options[@]} -gt 0 ] || options=(-f 1 -wi 4 -w 1s -i 4 -r 1s)
mkdir -p "$out/parts"

convs=(cnn.conv1 cnn.conv2 resnet.conv1 resnet.conv2 resnet.rblock1.conv1 resnet.rblock2.conv1
       inception.incep1.branch1x1 inception.incep1.branch5x5_2 inception.incep1.branch3x3_2 inception.incep1.branch3x3_3
       inception.conv2)
linears=(cnn.fc inception.fc)
steps=(cnn resnet inception)
jar="$root/bench/${ISTHMUS_BUILD_DIR:-target}/benchmarks.jar"
[ -f "$jar" ] || { echo "cpu-routes-jmh.sh: build the benchmarks first: mvn -pl bench -am package -DskipTests" >&2; exit 1; }
. "$root/native-scripts/find-jdk.sh"
isthmus_find_jdk
# On a shared machine another JMH may hold its lock file: both then run, and the conditions say the machine was loaded.
run() { # benchmark-regex workload
  "$JAVA_HOME/bin/java" -Djmh.ignoreLock=true -jar "$jar" "$1" -rf json -rff "$out/parts/$1-$2.json" \
    -prof gc -prof dev.isthmus.bench.CpuTimeProfiler "${options[@]}" \
    -p backend=reference,cpu,vector -p workload="$2/b64" 2>&1 | tee -a "$out/jmh-output.txt"
}
echo "cpu-routes-jmh.sh: $(date -u +%FT%TZ), $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg)" | tee "$out/jmh-output.txt"
for w in "${convs[@]}"; do run ConvBenchmark "$w"; done
for w in "${linears[@]}"; do run LinearBenchmark "$w"; done
for w in "${steps[@]}"; do run TrainingStepBenchmark "$w"; done
echo "cpu-routes-jmh.sh: finished $(date -u +%FT%TZ), load average $(cut -d ' ' -f 1-3 /proc/loadavg)" | tee -a "$out/jmh-output.txt"
jq -s 'add' "$out"/parts/*.json > "$out/jmh.json"
"$JAVA_HOME/bin/java" -cp "$jar" dev.isthmus.bench.BenchReport "$out/jmh.json" --write > /dev/null
rm -r "$out/parts"
