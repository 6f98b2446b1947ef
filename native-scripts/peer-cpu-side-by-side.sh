#!/usr/bin/env bash
# Trains the lesson's CNN on MNIST, one run after the other on this machine: first with libtorch's CPU
# build (the peer harness in peer/libtorch; with 1 thread and with all cores unless --threads is given),
# then with Isthmus's pure-Java reference backend; prints the speeds and the ratio of Isthmus's images/s
# to the faster libtorch run's.
#
# Usage: native-scripts/peer-cpu-side-by-side.sh [--data DIR] [--json FILE] [--epochs N]
#                                                [--threads N] [--wait-idle SECONDS] [--libtorch-only]
#   --data DIR       MNIST IDX files (raw or .gz); fetched there when missing
#                    (default: $XDG_CACHE_HOME/isthmus/mnist or ~/.cache/isthmus/mnist, Isthmus's own cache)
#   --json FILE      also write machine, both results and the ratio as JSON to FILE
#   --epochs N       epochs for both sides (default 1); the figures are the last epoch's
#   --threads N      libtorch intra-op threads (default: run libtorch with 1 thread and with all cores, and
#                    compare Isthmus with the faster: on a small network one thread often wins)
#   --wait-idle S    before each half, wait up to S seconds until other runnable tasks average 0.5 or fewer
#   --libtorch-only  run only the libtorch half (e.g. while `isthmus train` is unavailable)
# Environment: ISTHMUS_TRAIN_CMD replaces the Isthmus command (default: ./isthmus train); it is given
#   --backend reference --model cnn --epochs N --data DIR --out DIR and must write DIR/metrics.json
#   or print "<number> images/s".
# Run it on an otherwise idle machine: on busy cores libtorch's OpenMP threads spin-wait and its
# two-thread speed collapses, so the script prints (and writes to the JSON) how busy the machine was before each half.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=native-scripts/find-jdk.sh
. "$root/native-scripts/find-jdk.sh"

data="${XDG_CACHE_HOME:-$HOME/.cache}/isthmus/mnist"
json=""
epochs=1
threads=""
libtorch_only=false
wait_idle=0
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="${2:?--data needs a folder}"; shift 2 ;;
    --json) json="${2:?--json needs a file}"; shift 2 ;;
    --epochs) epochs="${2:?--epochs needs a number}"; shift 2 ;;
    --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
    --libtorch-only) libtorch_only=true; shift ;;
    --wait-idle) wait_idle="${2:?--wait-idle needs seconds}"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "peer-cpu-side-by-side: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$epochs" in ''|*[!0-9]*|0) echo "peer-cpu-side-by-side: --epochs needs a positive whole number, got '$epochs'" >&2; exit 2 ;; esac
case "$wait_idle" in ''|*[!0-9]*) echo "peer-cpu-side-by-side: --wait-idle needs whole seconds, got '$wait_idle'" >&2; exit 2 ;; esac
if [ -n "$threads" ]; then
  case "$threads" in *[!0-9]*|0) echo "peer-cpu-side-by-side: --threads needs a positive whole number, got '$threads'" >&2; exit 2 ;; esac
fi
if [ -n "$json" ]; then
  json="$(cd "$(dirname "$json")" 2>/dev/null && pwd)/$(basename "$json")" || {
    echo "peer-cpu-side-by-side: the folder of --json $json does not exist; create it first." >&2; exit 2; }
fi

isthmus_find_jdk || exit 1
java="$JAVA_HOME/bin/java"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- MNIST ------------------------------------------------------------------------------------------
peer_script=peer-cpu-side-by-side
# shellcheck source=native-scripts/peer-build.sh
. "$root/native-scripts/peer-build.sh"
isthmus_peer_mnist "$data" || exit 2

# --- machine ----------------------------------------------------------------------------------------
cpu_model="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
cpu_model="${cpu_model:-unknown}"
cores="$(nproc)"
load_now() { cut -d ' ' -f 1 /proc/loadavg; }
# Other runnable tasks right now: /proc/stat's procs_running (minus the reader) averaged over 2 s.
# Unlike the load average it does not still count the half that just finished.
runnable_others() {
  local i total=0 n
  for i in 1 2 3 4 5 6 7 8 9 10; do
    n="$(sed -n 's/^procs_running //p' /proc/stat)"
    total=$((total + n - 1))
    sleep 0.2
  done
  awk -v t="$total" 'BEGIN { printf "%.1f", (t < 0 ? 0 : t) / 10 }'
}
is_busy() { awk -v l="$1" 'BEGIN { exit !(l > 0.5) }'; }
# Before a half: waits up to --wait-idle seconds for other runnable tasks to average 0.5 or fewer,
# then sets last_load and last_runnable and warns when the machine is still busy.
last_load="" last_runnable=""
before_half() {
  local waited=0
  last_runnable="$(runnable_others)"
  while is_busy "$last_runnable" && [ "$waited" -lt "$wait_idle" ]; do
    [ "$waited" -eq 0 ] && echo "waiting up to $wait_idle s for the machine to become idle ($last_runnable other runnable tasks) ..." >&2
    sleep 8; waited=$((waited + 10)); last_runnable="$(runnable_others)"
  done
  last_load="$(load_now)"
  echo "before the $1 half: $last_runnable other runnable tasks, load average (1 min) $last_load"
  if is_busy "$last_runnable"; then
    echo "WARNING: the machine is busy ($last_runnable other runnable tasks on $cores cores); the figures will be lower and noisier than on an idle machine." >&2
  fi
}
# Peak RSS of a command in KiB through GNU time, when it is installed.
gnu_time=""
if [ -x /usr/bin/time ] && /usr/bin/time -f '%M' true >/dev/null 2>&1; then gnu_time=/usr/bin/time; fi
run_measured() { # run_measured RSS_FILE LOG_FILE command...; fails when the command fails (pipefail)
  local rss_file="$1" log="$2"; shift 2
  if [ -n "$gnu_time" ]; then
    "$gnu_time" -o "$rss_file" -f '%M' "$@" 2>&1 | tee "$log"
  else
    "$@" 2>&1 | tee "$log"
  fi
}
echo "machine: $cpu_model, $cores cores (nproc), JDK $("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')"

# --- libtorch half ----------------------------------------------------------------------------------
isthmus_build_peer || exit 1
json_number() { sed -n "s/^ *\"$1\": *\([-0-9.eE]*\),*$/\1/p" "$2" | head -n 1; }
# One libtorch run per thread count; the comparison uses the fastest (its lt_* figures).
if [ -n "$threads" ]; then thread_counts=("$threads"); else thread_counts=(1); [ "$cores" -gt 1 ] && thread_counts+=("$cores"); fi
lt_ips="" lt_runs=() lt_runs_json=()
for count in "${thread_counts[@]}"; do
  before_half "libtorch ($count thread(s))"
  run_json="$work/libtorch-$count.json"
  run_measured "$work/libtorch-$count.rss" "$work/libtorch-$count.log" \
    "$java" --enable-native-access=ALL-UNNAMED -cp "$peer_classpath" dev.isthmus.peer.libtorch.PeerMain \
    --data "$data" --epochs "$epochs" --threads "$count" --json "$run_json" || {
      echo "peer-cpu-side-by-side: the libtorch run failed (see above)." >&2; exit 1; }
  run_ips="$(json_number images_per_second "$run_json")"
  run_rss_kib=""
  if [ -s "$work/libtorch-$count.rss" ]; then
    run_rss_kib="$(tail -n 1 "$work/libtorch-$count.rss")"
  else # no GNU time: the harness's own VmHWM reading
    run_rss_bytes="$(json_number peak_rss_bytes "$run_json")"
    [ -n "$run_rss_bytes" ] && run_rss_kib=$(( run_rss_bytes / 1024 ))
  fi
  lt_runs+=("$count thread(s): epoch $(json_number epoch_seconds "$run_json") s, $run_ips images/s")
  lt_runs_json+=("{\"threads\": $count, \"images_per_second\": $run_ips, \"epoch_seconds\": $(json_number epoch_seconds "$run_json"), \"load_average_before\": $last_load, \"other_runnable_tasks_before\": $last_runnable}")
  if [ -z "$lt_ips" ] || awk -v a="$run_ips" -v b="$lt_ips" 'BEGIN { exit !(a > b) }'; then
    lt_ips="$run_ips" libtorch_json="$run_json" lt_rss_kib="$run_rss_kib" lt_load="$last_load" lt_runnable="$last_runnable"
  fi
done
lt_sec="$(json_number epoch_seconds "$libtorch_json")"
lt_acc="$(json_number test_accuracy "$libtorch_json")"
lt_threads="$(json_number threads "$libtorch_json")"
lt_version="$(sed -n 's/^ *"libtorch_version": *"\([^"]*\)".*/\1/p' "$libtorch_json")"

# --- Isthmus half -----------------------------------------------------------------------------------
is_ips="" is_sec="" is_acc="" is_rss_kib="" is_load="" is_runnable=""
if [ "$libtorch_only" = false ]; then
  if [ -z "${ISTHMUS_TRAIN_CMD:-}" ]; then
    # Build the command line now, if needed, so no build runs inside the measured process.
    "$root/isthmus" --version >/dev/null || { echo "peer-cpu-side-by-side: ./isthmus does not start (see above)." >&2; exit 1; }
  fi
  before_half Isthmus
  is_load="$last_load" is_runnable="$last_runnable"
  read -r -a isthmus_cmd <<< "${ISTHMUS_TRAIN_CMD:-$root/isthmus train}"
  isthmus_out="$work/isthmus-run"
  run_measured "$work/isthmus.rss" "$work/isthmus.log" \
    "${isthmus_cmd[@]}" --backend reference --model cnn --epochs "$epochs" --data "$data" --out "$isthmus_out" || {
      echo "peer-cpu-side-by-side: the Isthmus run failed (see above)." >&2; exit 1; }
  if command -v jq >/dev/null && [ -s "$isthmus_out/metrics.json" ]; then
    # metrics.json: one object per epoch (epoch, trainLoss, testAccuracy, seconds, imagesPerSecond).
    is_ips="$(jq -r '(.[-1].imagesPerSecond * 10 | round) / 10' "$isthmus_out/metrics.json")"
    is_sec="$(jq -r '(.[-1].seconds * 1000 | round) / 1000' "$isthmus_out/metrics.json")"
    is_acc="$(jq -r '(.[-1].testAccuracy * 10000 | round) / 100' "$isthmus_out/metrics.json")"
  else
    # The last summary line: "epoch N  train loss L  test accuracy A%  S s  R images/s".
    summary="$(grep -iE '(images|img)/s' "$work/isthmus.log" | tail -n 1)"
    is_ips="$(grep -oiE '[0-9][0-9,]*(\.[0-9]+)? *(images|img)/s' <<< "$summary" | grep -oE '^[0-9,.]+' | tr -d , || true)"
    is_sec="$(grep -oE '[0-9]+(\.[0-9]+)? s\b' <<< "$summary" | tail -n 1 | grep -oE '^[0-9.]+' || true)"
    is_acc="$(grep -iE 'accuracy' "$work/isthmus.log" | tail -n 1 | grep -oE '[0-9]+(\.[0-9]+)? *%' | tail -n 1 | grep -oE '^[0-9.]+' || true)"
  fi
  is_rss_kib="$( [ -s "$work/isthmus.rss" ] && tail -n 1 "$work/isthmus.rss" || true)"
  [ -n "$is_ips" ] && [ "$is_ips" != null ] || { echo "peer-cpu-side-by-side: found no images/s figure in Isthmus's metrics or output; cannot compute the ratio." >&2; exit 1; }
fi

# --- summary ----------------------------------------------------------------------------------------
mib() { [ -n "$1" ] && awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }' || echo "n/a"; }
echo
echo "=== Lesson CNN, MNIST, $epochs epoch(s), batch 64, SGD lr 0.01 momentum 0.5 ==="
echo "machine : $cpu_model, $cores cores"
[ "${#lt_runs[@]}" -gt 1 ] && printf 'libtorch runs: %s\n' "$(IFS=';'; echo "${lt_runs[*]}" | sed 's/;/; /g')"
printf 'libtorch %s CPU (oneDNN off, threads: %s, the faster run): epoch %s s, %s images/s, test accuracy %s, peak RSS %s\n' \
  "$lt_version" "$lt_threads" "$lt_sec" "$lt_ips" "$(awk -v a="$lt_acc" 'BEGIN { printf "%.2f%%", 100 * a }')" "$(mib "$lt_rss_kib")"
ratio=""
if [ "$libtorch_only" = false ]; then
  printf 'Isthmus reference backend: epoch %s s, %s images/s, test accuracy %s, peak RSS %s\n' \
    "${is_sec:-?}" "$is_ips" "${is_acc:-?}%" "$(mib "$is_rss_kib")"
  ratio="$(awk -v i="$is_ips" -v l="$lt_ips" 'BEGIN { printf "%.3f", i / l }')"
  echo "ratio (Isthmus images/s / libtorch images/s): $ratio  (>= 1 means Isthmus is at least as fast)"
fi

if [ -n "$json" ]; then
  num_or_null() { [ -n "$1" ] && echo "$1" || echo null; }
  {
    echo "{"
    echo "  \"machine\": {\"cpu_model\": \"$cpu_model\", \"cores\": $cores, \"java_home\": \"$JAVA_HOME\"},"
    echo "  \"epochs\": $epochs,"
    echo "  \"libtorch_runs\": [$(IFS=','; echo "${lt_runs_json[*]}")],"
    echo "  \"libtorch\": {\"images_per_second\": $lt_ips, \"epoch_seconds\": $lt_sec, \"test_accuracy\": $lt_acc, \"peak_rss_kib\": $(num_or_null "$lt_rss_kib"), \"load_average_before\": $lt_load, \"other_runnable_tasks_before\": $lt_runnable, \"details\": $(cat "$libtorch_json")},"
    if [ "$libtorch_only" = false ]; then
      echo "  \"isthmus\": {\"backend\": \"reference\", \"images_per_second\": $is_ips, \"epoch_seconds\": $(num_or_null "$is_sec"), \"test_accuracy_percent\": $(num_or_null "$is_acc"), \"peak_rss_kib\": $(num_or_null "$is_rss_kib"), \"load_average_before\": $(num_or_null "$is_load"), \"other_runnable_tasks_before\": $(num_or_null "$is_runnable")},"
    else
      echo "  \"isthmus\": null,"
    fi
    echo "  \"ratio_isthmus_over_libtorch\": $(num_or_null "$ratio")"
    echo "}"
  } > "$json"
  echo "results written to $json"
fi
