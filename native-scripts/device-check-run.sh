# The run half of native-scripts/device-check.sh (sourced by it; see its header and docs/gpu-verification.md).
#
# What comes back from a device machine is at most 8 files, and a command may run 600 s. So everything goes
# to three files in LOGDIR: device-check.log (all output), device-check-summary.json (every step's result,
# rewritten after each step, so it is there even if the machine kills the command) and
# device-check-results.tar.gz (JUnit XML, charts, the training folders, doctor's JSON, each step's output).
# One overall deadline (DEVICE_CHECK_DEADLINE_S, default 420 s from the start) bounds every step's limit; a
# signal (TERM, INT, HUP) ends the running step and still writes the summary and the archive.

# Limits of the steps, each cut to what is left before the deadline (less a reserve for the summary).
deadline_s=${DEVICE_CHECK_DEADLINE_S:-420}
reserve_s=20
doctor_limit=45
tests_limit=150
train_limit=100
torch_limit=90
compare_limit=45
parity_limit=90
timing_limit=200

log_file= summary_file= archive_file= results= mode= deadline_epoch= start_epoch= start_iso=
step_pid= step_status= interrupted= finished=0
running_step= running_out= running_limit= running_check= running_start=
names=() statuses=() exits=() seconds=() limits=() reasons=() outputs=()

say() { echo "$*" | tee -a "$log_file"; }

json_string() {
  local s
  s=$(printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037')
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/\\t}; s=${s//$'\n'/\\n}
  printf '"%s"' "$s"
}

# Lines worth reading first: GPU, images/s, accuracy, notes of compare, [gpu] lines of the tests.
key_lines() {
  grep -h -E '^GPUs |^\[gpu\]|^\[gpu tests skipped\]|^epoch [0-9]+ |^PyTorch lesson CNN|^gpu: |^note: |^(cnn|inception|resnet) +[0-9,]+ parameters|^Libraries from one installation' \
    "$log_file" 2>/dev/null | grep -v 'cuDNN conv2d' | head -n 60
}

write_summary() {
  local state=$1 i overall=PASSED tmp="$summary_file.tmp"
  for i in "${!statuses[@]}"; do [ "${statuses[$i]}" = PASSED ] || overall=FAILED; done
  [ "${#statuses[@]}" -gt 0 ] || overall=FAILED
  [ -z "$interrupted" ] || overall=FAILED
  {
    printf '{\n  "kind": %s,\n' "$(json_string "$([ "$mode" = dry ] && echo 'DRY RUN on the CPU stand-in, not a GPU result' || echo 'GPU run')")"
    printf '  "state": %s,\n  "overall": %s,\n' "$(json_string "$state")" "$(json_string "$overall")"
    printf '  "interrupted_by": %s,\n' "$([ -n "$interrupted" ] && json_string "$interrupted" || echo null)"
    printf '  "started": %s,\n  "elapsed_s": %d,\n  "deadline_s": %d,\n' "$(json_string "$start_iso")" \
      "$(( $(date +%s) - start_epoch ))" "$deadline_s"
    printf '  "host": %s,\n  "steps": [' "$(json_string "${HOSTNAME:-unknown}")"
    for i in "${!names[@]}"; do
      printf '%s\n    {"name": %s, "status": %s, "exit": %s, "seconds": %d, "limit_s": %d, "reason": %s}' "$([ "$i" -gt 0 ] && echo ,)" \
        "$(json_string "${names[$i]}")" "$(json_string "${statuses[$i]}")" "${exits[$i]:-null}" "${seconds[$i]}" "${limits[$i]}" \
        "$(json_string "${reasons[$i]}")"
    done
    printf '\n  ],\n  "key_lines": ['
    local first=1 line
    while IFS= read -r line; do
      printf '%s\n    %s' "$([ "$first" -eq 1 ] || echo ,)" "$(json_string "$line")"; first=0
    done < <(key_lines)
    printf '\n  ],\n  "files": {"log": "device-check.log", "archive": "device-check-results.tar.gz"}\n}\n'
  } > "$tmp" && mv -f "$tmp" "$summary_file"
}

record() { # NAME STATUS EXIT SECONDS LIMIT REASON OUTPUT
  names+=("$1"); statuses+=("$2"); exits+=("$3"); seconds+=("$4"); limits+=("$5"); reasons+=("$6"); outputs+=("$7")
  say "--- $1: $2 in $4 s (limit $5 s)${6:+: $6}"
  write_summary running
}

# The last line of a step's output that says something (not a stack frame).
last_words() {
  local line
  line=$(grep -v -E '^\s+at |^\s*$|^\s*\.\.\. [0-9]+ more' "$1" 2>/dev/null | tail -n 1 | cut -c1-400)
  echo "${line:-(no output)}"
}

# step NAME LIMIT [--check FUNCTION] COMMAND...: runs COMMAND in the background (so that a signal reaches
# this script at once), its output in a file of its own, then in the log; FUNCTION may fail a step that exited 0.
step() {
  local name=$1 own_limit=$2 check=; shift 2
  if [ "${1:-}" = --check ]; then check=$2; shift 2; fi
  local out; out="$results/steps/$(printf '%02d' $(( ${#names[@]} + 1 )))-$(echo "$name" | tr -c 'A-Za-z0-9\n' '-' | cut -c1-50).txt"
  local left=$(( deadline_epoch - reserve_s - $(date +%s) ))
  if [ "$left" -lt 10 ]; then
    say ""; record "$name" "NOT RUN" "" 0 0 "the overall deadline of ${deadline_s} s left no time for it" ""
    return 0
  fi
  local limit=$(( own_limit < left ? own_limit : left ))
  if [ "$mode" = dry ] && [ -n "${DEVICE_CHECK_STANDIN_HANG:-}" ] && [[ "$name" == *"$DEVICE_CHECK_STANDIN_HANG"* ]]; then
    set -- sleep 86400 # a deliberately hanging step (dry runs only), to show it is killed at its limit
  fi
  say ""
  say "=== $name ($(date -u +%H:%M:%S), limit ${limit} s)"
  say "\$ $*"
  running_step=$name running_out=$out running_limit=$limit running_check=$check running_start=$(date +%s) step_status=
  timeout --kill-after=5 "$limit" "$@" >"$out" 2>&1 </dev/null &
  step_pid=$!
  wait "$step_pid"
  step_status=$?
  step_pid=
  conclude_step
}

# Records the running step once, from its exit status; without one (a signal came first) as stopped.
conclude_step() {
  [ -n "$running_step" ] || return 0
  local name=$running_step out=$running_out status=$step_status verdict=PASSED reason=
  running_step=
  cat "$out" >>"$log_file"
  if [ -z "$status" ]; then
    verdict=FAILED; reason="stopped by $interrupted; last output: $(last_words "$out")"
  elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    verdict="TIMED OUT"; reason="killed at its limit of ${running_limit} s; last output: $(last_words "$out")"
  elif [ "$status" -ne 0 ]; then
    verdict=FAILED; reason="exit status $status: $(last_words "$out")"
  elif [ -n "$running_check" ] && ! reason=$("$running_check" "$out"); then
    verdict=FAILED
  fi
  record "$name" "$verdict" "$status" "$(( $(date +%s) - running_start ))" "$running_limit" "$reason" "$out"
}

# The gpu-tagged tests pass only when they all ran: a skipped or aborted test (wrong environment) and an
# empty selection are failures here, whatever the JUnit console launcher's exit status says.
check_junit() {
  local file=$1 found skipped aborted started containers_aborted
  count() { sed -n "s/^\[ *\([0-9][0-9]*\) $1 *\].*/\1/p" "$file" | tail -n 1; }
  found=$(count 'tests found'); skipped=$(count 'tests skipped'); aborted=$(count 'tests aborted')
  started=$(count 'tests started'); containers_aborted=$(count 'containers aborted')
  if [ -z "$found" ]; then echo "the JUnit console launcher printed no summary"; return 1; fi
  if [ "$found" -eq 0 ]; then echo "no gpu-tagged tests found"; return 1; fi
  local why; why=$(grep -m 1 -o '\[gpu tests\{0,1\} skipped\].*' "$file" | cut -c1-300)
  if [ "$(( skipped + aborted + containers_aborted ))" -gt 0 ]; then
    echo "$skipped skipped and $aborted aborted of $found gpu-tagged tests, $containers_aborted classes aborted: ${why:-see the log}"
    return 1
  fi
  if [ "$started" -lt "$found" ]; then echo "only $started of $found gpu-tagged tests ran: ${why:-see the log}"; return 1; fi
  echo "all $found gpu-tagged tests ran and passed"
}

on_signal() {
  trap '' TERM INT HUP # a second signal must not cut the summary short
  interrupted=$1
  say ""
  say "device-check: $1 received${running_step:+ during \"$running_step\"}; stopping and writing the summary"
  if [ -n "$step_pid" ]; then
    kill -TERM "$step_pid" 2>/dev/null; sleep 2; kill -KILL "$step_pid" 2>/dev/null
  fi
  conclude_step
  exit 1
}

# EXIT trap: the summary in the log and on stdout (last lines of each failing step), the JSON, the archive.
finish() {
  [ "$finished" -eq 0 ] || return
  finished=1
  trap '' TERM INT HUP
  local i failed=0
  say ""
  say "=== summary ($([ "$mode" = dry ] && echo 'DRY RUN on the CPU stand-in, not a GPU result' || echo 'GPU run'), $(( $(date +%s) - start_epoch )) s)"
  key_lines | sed 's/^/  /' | tee -a "$log_file"
  for i in "${!names[@]}"; do
    say "$(printf '%-9s %s%s' "${statuses[$i]}" "${names[$i]}" "${reasons[$i]:+ — ${reasons[$i]}}")"
    [ "${statuses[$i]}" = PASSED ] || failed=1
  done
  for i in "${!names[@]}"; do
    if [ "${statuses[$i]}" != PASSED ] && [ -s "${outputs[$i]}" ]; then
      echo ""
      echo "--- last lines of \"${names[$i]}\":"
      grep -v -E '^\s+at |^\s*$' "${outputs[$i]}" | tail -n 12 | sed 's/^/  | /'
    fi
  done
  [ "${#names[@]}" -gt 0 ] && [ -z "$interrupted" ] || failed=1
  write_summary finished
  tar -czf "$archive_file.tmp" -C "$results" . 2>>"$log_file" && mv -f "$archive_file.tmp" "$archive_file"
  say "files: $log_file, $summary_file, $archive_file ($(du -k "$archive_file" 2>/dev/null | cut -f1) KiB)"
  say "device-check: $([ "$failed" -eq 0 ] && echo 'every step PASSED' || echo 'FAILED (see above)')"
  exit "$failed"
}

# Folders holding libcudart / libcublas / libcudnn / libnvrtc inside the Python packages (nvidia-* wheels, torch/lib).
python_cuda_folders() {
  timeout 60 python3 - <<'PY' 2>/dev/null
import glob, os
roots = []
try:
    import nvidia
    roots += list(nvidia.__path__)
except Exception:
    pass
try:
    import torch
    roots.append(os.path.join(os.path.dirname(torch.__file__), "lib"))
except Exception:
    pass
seen = []
for root in roots:
    for pattern in ("libcudart.so.1*", "libcublas.so.1*", "libcudnn.so.9*", "libnvrtc.so.1*"):
        for path in glob.glob(os.path.join(root, "**", pattern), recursive=True):
            folder = os.path.dirname(os.path.realpath(path))
            if folder not in seen:
                seen.append(folder)
print(":".join(seen))
PY
}

# Dry runs only: a virtual environment shaped like the GPU machine's (torch's CUDA 13 wheels: cudart and
# cuBLAS in nvidia/cu13/lib, cuDNN in nvidia/cudnn/lib) holding the stand-in, first on PATH and not
# activated, so that discovery has to find it by itself as on the GPU machine.
standin_venv() {
  local work=$1 venv=$1/venv site file
  bash "$root/native-scripts/cuda-standin/build.sh" "$work/standin" >>"$log_file" 2>&1 || { say "could not build the stand-in (gcc needed)"; return 1; }
  python3 -m venv --without-pip --system-site-packages "$venv" >>"$log_file" 2>&1 || { say "python3 -m venv failed"; return 1; }
  site=$("$venv/bin/python3" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  mkdir -p "$site/nvidia/cu13/lib" "$site/nvidia/cudnn/lib" "$site/nvidia_cudnn_cu13-9.0.0.dist-info"
  cp "$work/standin"/libcudart.so.13 "$work/standin"/libcublas.so.13 "$work/standin"/libcublasLt.so.13 "$site/nvidia/cu13/lib/"
  for file in "$work/standin"/libcudnn*.so.9; do cp "$file" "$site/nvidia/cudnn/lib/"; done
  if [ "${DEVICE_CHECK_STANDIN_BREAK_CUDNN:-0}" = 1 ]; then
    say "DRY RUN: the stand-in's cuDNN is made unloadable (DEVICE_CHECK_STANDIN_BREAK_CUDNN=1)"
    printf 'not a shared library: the stand-in cuDNN made unloadable on purpose\n%.0s' 1 2 3 > "$site/nvidia/cudnn/lib/libcudnn.so.9"
  fi
  export PATH="$venv/bin:$PATH"
  unset VIRTUAL_ENV
}

unpack_runtime() { # tar's xz support needs the xz program; Python's tarfile (lzma) is the fallback
  if command -v xz >/dev/null 2>&1; then tar -C "$2" -xJf "$1"; else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"; fi
}

run_check() {
  mode=$1
  local bundle=${2:-} logdir=${3:-}
  [ "${DEVICE_CHECK_STANDIN:-0}" = 1 ] && mode=dry
  start_epoch=$(date +%s) start_iso=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  deadline_epoch=$(( start_epoch + deadline_s ))
  if [ -z "$bundle" ]; then
    if [ -f "$script_dir/MANIFEST.txt" ]; then bundle=$script_dir; else bundle=$default_bundle; fi
  fi
  [ -n "$logdir" ] || logdir=${OUT:-$root/target-devicecheck/logs}
  [ -f "$bundle/jre.tar.xz" ] || fail "no prepared bundle at $bundle (run 'native-scripts/device-check.sh prepare' on the CPU side first)"
  mkdir -p "$logdir"
  log_file="$logdir/device-check.log" summary_file="$logdir/device-check-summary.json"
  archive_file="$logdir/device-check-results.tar.gz"
  : > "$log_file"
  local work=${DEVICE_CHECK_WORK:-${TMPDIR:-/tmp}/isthmus-device-check}
  rm -rf "$work"
  results="$work/results"
  mkdir -p "$work/jre" "$results/steps"
  trap finish EXIT
  trap 'on_signal SIGTERM' TERM
  trap 'on_signal SIGINT' INT
  trap 'on_signal SIGHUP' HUP
  write_summary starting

  if [ "$mode" = dry ]; then
    say "################################################################################"
    say "# DRY RUN on the CPU stand-in libraries (native-scripts/cuda-standin).           #"
    say "# It checks this script's plumbing only. NOTHING here is a GPU result.           #"
    say "################################################################################"
  else
    say "device-check: CUDA backend verification on a GPU machine"
  fi
  say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)   host: ${HOSTNAME:-unknown}   kernel: $(uname -r)   deadline: ${deadline_s} s"
  say "bundle: $bundle"
  sed 's/^/  /' "$bundle/MANIFEST.txt" >>"$log_file" 2>/dev/null
  cp "$bundle/MANIFEST.txt" "$results/" 2>/dev/null
  unpack_runtime "$bundle/jre.tar.xz" "$work/jre" || { say "could not unpack the Java runtime from $bundle/jre.tar.xz"; exit 1; }
  local java="$work/jre/bin/java"
  local java_opts=(--enable-native-access=ALL-UNNAMED -Xmx8g)
  local isthmus=("$java" "${java_opts[@]}" -jar "$bundle/lib/isthmus.jar")
  if command -v nvidia-smi >/dev/null 2>&1; then timeout 30 nvidia-smi >>"$log_file" 2>&1; else say "nvidia-smi: not found"; fi
  [ "$mode" = dry ] && { standin_venv "$work" || exit 1; }
  say "python3: $(command -v python3) ($(python3 --version 2>&1)); VIRTUAL_ENV=${VIRTUAL_ENV:-unset}"
  say "torch: $(timeout 60 python3 -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "gpu available", torch.cuda.is_available())' 2>&1 | tail -n 1)"

  # cuDNN opens NVRTC (and NVRTC its builtins) by name at run time; in pip's layout they are not beside
  # cuDNN, so the child JVMs after the first doctor (which must find everything by itself) get every CUDA
  # folder of the Python packages on LD_LIBRARY_PATH.
  local cuda_folders; cuda_folders=$(python_cuda_folders)
  say "CUDA folders of the Python packages: ${cuda_folders:-none found}"
  unset ISTHMUS_CUDA_PATH

  local mnist="$work/mnist" have_mnist=0 file
  if [ -d "$bundle/mnist" ]; then
    mkdir -p "$mnist"
    have_mnist=1
    for file in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
      gzip -dc "$bundle/mnist/$file.gz" > "$mnist/$file" || have_mnist=0
    done
  fi
  [ "$have_mnist" -eq 1 ] || say "WARNING: the bundle has no MNIST: the training steps are skipped"

  # Discovery first, as a user would run it: no ISTHMUS_CUDA_PATH. Only if that fails do the remaining
  # steps get the Python packages' folders explicitly (and doctor says what it finds then).
  step "isthmus doctor (finds the libraries by itself)" "$doctor_limit" "${isthmus[@]}" doctor
  timeout --kill-after=5 30 "${isthmus[@]}" doctor --json > "$results/doctor.json" 2>&1 </dev/null
  [ -z "$cuda_folders" ] || export LD_LIBRARY_PATH="$cuda_folders${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  if [ "${statuses[-1]}" != PASSED ] && [ -n "$cuda_folders" ]; then
    export ISTHMUS_CUDA_PATH="$cuda_folders"
    step "isthmus doctor with ISTHMUS_CUDA_PATH=$cuda_folders" "$doctor_limit" "${isthmus[@]}" doctor
  fi

  local test_props=(-Disthmus.mnist.dir="$mnist")
  [ "$mode" = dry ] && test_props+=(-Disthmus.gpuTests.allowStandIn=true -Disthmus.gpuTests.mnistLimit=256)
  step "gpu-tagged tests" "$tests_limit" --check check_junit "$java" "${java_opts[@]}" "${test_props[@]}" \
      -jar "$bundle/lib/junit-platform-console-standalone.jar" execute --fail-if-no-tests \
      --class-path "$bundle/lib/isthmus.jar:$bundle/test-classes" --scan-class-path "$bundle/test-classes" \
      --include-tag gpu --exclude-tag standin --details=tree --disable-banner --reports-dir "$results/junit-gpu"

  # A dry run trains on a slice only: the stand-in computes on one CPU core.
  local train_slice=() compare_data=(--synthetic) compare_size=() model
  [ "$mode" = dry ] && train_slice=(--limit-train 256 --limit-test 256) && compare_size=(--batch-size 8 --steps 2)
  [ "$have_mnist" -eq 1 ] && compare_data=(--data "$mnist")
  if [ "$have_mnist" -eq 1 ]; then
    step "isthmus train cnn, 1 epoch, --backend cuda" "$train_limit" "${isthmus[@]}" train --model cnn --epochs 1 \
        --backend cuda --data "$mnist" --out "$results/train-cnn" --no-progress "${train_slice[@]}"
    if [ "$mode" != dry ]; then
      step "PyTorch lesson CNN, 1 epoch, same GPU" "$torch_limit" python3 "$root/peer/pytorch/lesson_cnn_epoch.py" "$mnist"
    fi
  fi
  for model in cnn inception resnet; do
    step "isthmus compare reference vs cuda, $model" "$compare_limit" "${isthmus[@]}" compare --a reference --b cuda \
        --model "$model" "${compare_data[@]}" "${compare_size[@]}" --chart "$results/compare-$model.png"
  done
  # One step of each lesson network, Isthmus's CUDA backend against PyTorch (CPU, float32) from PyTorch's
  # own initial weights (peer/pytorch/one_step_parity.py).
  if [ "$have_mnist" -eq 1 ] && timeout 60 python3 -c 'import torch' 2>/dev/null; then
    step "one step of cnn, inception and resnet: isthmus --backend cuda vs PyTorch" "$parity_limit" \
        python3 "$root/peer/pytorch/one_step_parity.py" "$mnist" --backend cuda --work "$work/one-step-parity" \
        --isthmus-command "$java ${java_opts[*]} -jar $bundle/lib/isthmus.jar"
  elif [ "$mode" = dry ]; then
    say "=== one-step parity with PyTorch: not run (needs MNIST and a python3 with torch)"
  else
    record "one-step parity with PyTorch" "NOT RUN" "" 0 0 "needs MNIST in the bundle and a python3 with torch" ""
  fi
  # Step timing: isthmus eager/graphs vs PyTorch eager/torch.cuda.graphs, the three lesson networks at batch
  # 64 and 256 (native-scripts/device-timing.sh, docs/cuda-graphs.md); before the `find` training, which
  # matters least. A dry run takes a few steps of batch 16 and its figures mean nothing.
  local timing_args=()
  [ "$mode" = dry ] && timing_args=(--steps 5 --warmup 3 --batches 16 --label DRY-RUN-on-the-CPU-stand-in)
  step "step timing: cnn, resnet, inception at b64/b256, isthmus and PyTorch, eager and CUDA graphs" "$timing_limit" \
      "$bundle/device-timing.sh" --isthmus-command "$java ${java_opts[*]} -jar $bundle/lib/isthmus.jar" \
      --out "$results/timing" "${timing_args[@]}"
  if [ "$have_mnist" -eq 1 ] && [ "$mode" != dry ]; then
    step "isthmus train cnn, 1 epoch, --backend cuda --cudnn-algo find" "$train_limit" "${isthmus[@]}" train --model cnn \
        --epochs 1 --backend cuda --cudnn-algo find --data "$mnist" --out "$results/train-cnn-find" --no-progress
  fi
  exit 0 # finish (the EXIT trap) decides the exit status
}
