#!/usr/bin/env bash
# One-command verification of the CUDA backend on a GPU machine that has NVIDIA's driver and PyTorch
# (with its nvidia-cudnn / nvidia-cublas pip packages) but no Java. See docs/gpu-verification.md.
#
#   native-scripts/device-check.sh prepare [BUNDLE]          CPU side, in this checkout with JDK 25:
#       builds BUNDLE (default target-devicecheck/bundle): a jlinked Java runtime (as jre.tar.xz), the shaded
#       CLI jar, core's test classes, the JUnit console launcher and MNIST (.gz); fails when it exceeds 64 MiB.
#   native-scripts/device-check.sh run [BUNDLE] [LOGDIR]     GPU side, no Java needed:
#       finds the GPU libraries of the Python packages, then runs `isthmus doctor`, the gpu-tagged tests,
#       `isthmus compare` (when the CLI has it), a 1-epoch training of the lesson CNN with --backend cuda
#       and the lesson's PyTorch CNN for one epoch on the same GPU. Everything goes to
#       LOGDIR/device-check.log (LOGDIR defaults to $OUT when set, else target-devicecheck/logs).
#   native-scripts/device-check.sh dry-run [BUNDLE] [LOGDIR] the run half on this CPU machine against the
#       CPU stand-in libraries (native-scripts/cuda-standin): checks the script's plumbing only and is
#       labelled DRY RUN everywhere; it proves nothing about a GPU.
#
# Exit status of run/dry-run: 0 when every step passed, 1 when a step failed (the log says which).
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
default_bundle="$root/target-devicecheck/bundle"
size_limit_bytes=$((64 * 1024 * 1024))
# The whole run half must finish within 5 minutes; each step has its own limit (the sum of the limits is
# larger, about 13 min, so that one slow step does not starve the rest; typical on a GPU: about 2 min).
doctor_timeout=60
tests_timeout=150
compare_timeout=45
train_timeout=120
torch_timeout=120
parity_timeout=90
timing_timeout=150

fail() { echo "device-check: $*" >&2; exit 1; }

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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
  mkdir -p "$bundle/pytorch" && cp "$script_dir/device-timing.sh" "$bundle/" && cp "$root/peer/pytorch/step_timing.py" "$root/peer/pytorch/lesson_nets.py" "$bundle/pytorch/"

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
  echo "device-check prepare: packing the runtime (xz; a few minutes on a small machine)"
  tar -C "$jre" -cf - . | xz -6 -T0 > "$bundle/jre.tar.xz" || fail "packing the runtime with tar and xz failed"

  prepare_mnist "$bundle" "$jre"

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

log_file=
failures=()
passes=()

say() { echo "$*" | tee -a "$log_file"; }

# step NAME TIMEOUT COMMAND...: runs a command with its output in the log, records pass or fail.
step() {
  local name=$1 limit=$2; shift 2
  say ""
  say "=== $name ($(date -u +%H:%M:%S), limit ${limit}s)"
  say "\$ $*"
  local start=$SECONDS status
  timeout --kill-after=10 "$limit" "$@" >>"$log_file" 2>&1
  status=$?
  if [ "$status" -eq 0 ]; then
    passes+=("$name")
    say "--- $name: PASSED in $((SECONDS - start)) s"
  else
    [ "$status" -eq 124 ] && say "--- $name: TIMED OUT after ${limit}s"
    failures+=("$name (exit $status)")
    say "--- $name: FAILED with exit status $status after $((SECONDS - start)) s"
  fi
  return 0
}

# Folders holding libcudart / libcublas / libcudnn inside the Python packages (nvidia-* wheels, torch/lib).
python_cuda_folders() {
  python3 - <<'PY' 2>/dev/null
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
    for pattern in ("libcudart.so.1*", "libcublas.so.1*", "libcudnn.so.9*"):
        for path in glob.glob(os.path.join(root, "**", pattern), recursive=True):
            folder = os.path.dirname(os.path.realpath(path))
            if folder not in seen:
                seen.append(folder)
print(":".join(seen))
PY
}

# tar's xz support needs the xz program; Python's tarfile (lzma) is the fallback on machines without it.
unpack_runtime() {
  local archive=$1 target=$2
  if command -v xz >/dev/null 2>&1; then
    tar -C "$target" -xJf "$archive"
  else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$target"
  fi
}

run_check() {
  local mode=$1 bundle=${2:-} logdir=${3:-}
  if [ -z "$bundle" ]; then
    if [ -f "$script_dir/MANIFEST.txt" ]; then bundle=$script_dir; else bundle=$default_bundle; fi
  fi
  [ -n "$logdir" ] || logdir=${OUT:-$root/target-devicecheck/logs}
  [ -f "$bundle/jre.tar.xz" ] || fail "no prepared bundle at $bundle (run 'native-scripts/device-check.sh prepare' on the CPU side first)"
  mkdir -p "$logdir"
  log_file="$logdir/device-check.log"
  : > "$log_file"
  local work=${DEVICE_CHECK_WORK:-${TMPDIR:-/tmp}/isthmus-device-check}
  rm -rf "$work"
  mkdir -p "$work/jre"
  unpack_runtime "$bundle/jre.tar.xz" "$work/jre" || { say "could not unpack the Java runtime from $bundle/jre.tar.xz"; exit 1; }
  local java="$work/jre/bin/java"
  local java_opts=(--enable-native-access=ALL-UNNAMED -Xmx8g)
  local isthmus=("$java" "${java_opts[@]}" -jar "$bundle/lib/isthmus.jar")

  if [ "$mode" = dry ]; then
    say "################################################################################"
    say "# DRY RUN on the CPU stand-in libraries (native-scripts/cuda-standin).           #"
    say "# It checks this script's plumbing only. NOTHING here is a GPU result.           #"
    say "################################################################################"
  else
    say "device-check: CUDA backend verification on a GPU machine"
  fi
  say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)   host: $(hostname)   kernel: $(uname -r)"
  say "bundle: $bundle"
  sed 's/^/  /' "$bundle/MANIFEST.txt" >>"$log_file" 2>/dev/null
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi >>"$log_file" 2>&1
  else
    say "nvidia-smi: not found"
  fi
  say "python: $(python3 --version 2>&1)"
  say "torch: $(python3 -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "gpu available", torch.cuda.is_available())' 2>&1 | tail -n 1)"

  local cuda_path
  if [ "$mode" = dry ]; then
    cuda_path="$work/standin"
    bash "$root/native-scripts/cuda-standin/build.sh" "$cuda_path" >>"$log_file" 2>&1 \
      || { say "could not build the stand-in (gcc needed)"; exit 1; }
  else
    cuda_path=$(python_cuda_folders)
  fi
  export ISTHMUS_CUDA_PATH="$cuda_path"
  say "ISTHMUS_CUDA_PATH=$ISTHMUS_CUDA_PATH"
  [ -n "$ISTHMUS_CUDA_PATH" ] || say "WARNING: no CUDA libraries found in the Python packages; the search falls back to the system folders"

  local mnist="$work/mnist" have_mnist=0
  if [ -d "$bundle/mnist" ]; then
    mkdir -p "$mnist"
    gzip -dc "$bundle/mnist/train-images-idx3-ubyte.gz" > "$mnist/train-images-idx3-ubyte" \
      && gzip -dc "$bundle/mnist/train-labels-idx1-ubyte.gz" > "$mnist/train-labels-idx1-ubyte" \
      && gzip -dc "$bundle/mnist/t10k-images-idx3-ubyte.gz" > "$mnist/t10k-images-idx3-ubyte" \
      && gzip -dc "$bundle/mnist/t10k-labels-idx1-ubyte.gz" > "$mnist/t10k-labels-idx1-ubyte" \
      && have_mnist=1
  fi
  [ "$have_mnist" -eq 1 ] || say "WARNING: the bundle has no MNIST: the training steps are skipped"

  # A dry run trains on a slice only: the stand-in computes on one CPU core.
  local limits=()
  [ "$mode" = dry ] && limits=(--limit-train 256 --limit-test 256)

  step "isthmus doctor" "$doctor_timeout" "${isthmus[@]}" doctor

  local test_props=(-Disthmus.mnist.dir="$mnist")
  [ "$mode" = dry ] && test_props+=(-Disthmus.gpuTests.allowStandIn=true -Disthmus.gpuTests.mnistLimit=256)
  step "gpu-tagged tests" "$tests_timeout" "$java" "${java_opts[@]}" "${test_props[@]}" \
      -jar "$bundle/lib/junit-platform-console-standalone.jar" execute \
      --class-path "$bundle/lib/isthmus.jar:$bundle/test-classes" --scan-class-path "$bundle/test-classes" \
      --include-tag gpu --exclude-tag standin --details=tree --disable-banner --reports-dir "$logdir/junit-gpu"

  if "${isthmus[@]}" compare --help >/dev/null 2>&1; then
    local model compare_data=(--synthetic) compare_size=()
    [ "$have_mnist" -eq 1 ] && compare_data=(--data "$mnist")
    [ "$mode" = dry ] && compare_size=(--batch-size 8 --steps 2)
    for model in cnn inception resnet; do
      step "isthmus compare reference vs cuda, $model" "$compare_timeout" "${isthmus[@]}" compare --a reference --b cuda \
          --model "$model" "${compare_data[@]}" "${compare_size[@]}" --chart "$logdir/compare-$model.png"
    done
  else
    say ""
    say "=== isthmus compare: not in this CLI build; skipped"
  fi

  if [ "$have_mnist" -eq 1 ]; then
    step "isthmus train cnn, 1 epoch, --backend cuda" "$train_timeout" "${isthmus[@]}" train --model cnn --epochs 1 \
        --backend cuda --data "$mnist" --out "$logdir/train-cnn" --no-progress "${limits[@]}"
    if [ "$mode" != dry ]; then
      step "isthmus train cnn, 1 epoch, --backend cuda --cudnn-algo find" "$train_timeout" "${isthmus[@]}" train --model cnn \
          --epochs 1 --backend cuda --cudnn-algo find --data "$mnist" --out "$logdir/train-cnn-find" --no-progress
    fi
    if [ "$mode" = dry ]; then
      say ""
      say "=== PyTorch lesson CNN: skipped in a dry run (no GPU)"
    else
      step "PyTorch lesson CNN, 1 epoch, same GPU" "$torch_timeout" python3 - "$mnist" <<'PY'
# The lesson's CNN in PyTorch for one epoch: batch 64, SGD lr 0.01 momentum 0.5, MNIST normalised with
# (0.1307, 0.3081). Run twice: the lesson's way (batches built on the CPU, as a DataLoader does) and with
# the data resident on the GPU. Prints images/s and test accuracy; PyTorch's own defaults apply.
import gzip, os, struct, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

folder = sys.argv[1]

def idx(name):
    with open(os.path.join(folder, name), "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)

def images(name):
    x = torch.from_numpy(idx(name).astype(np.float32) / 255.0).unsqueeze(1)
    return (x - 0.1307) / 0.3081

train_x, train_y = images("train-images-idx3-ubyte"), torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
test_x, test_y = images("t10k-images-idx3-ubyte"), torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = nn.MaxPool2d(2)
        self.fc = nn.Linear(320, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))
        x = F.relu(self.pooling(self.conv2(x)))
        x = x.view(batch_size, -1)
        return self.fc(x)

device = torch.device("cuda")
print("gpu:", torch.cuda.get_device_name(0), "| torch", torch.__version__, "| cudnn", torch.backends.cudnn.version(),
      "| cudnn.allow_tf32", torch.backends.cudnn.allow_tf32, "| matmul.allow_tf32", torch.backends.cuda.matmul.allow_tf32,
      "| cudnn.benchmark", torch.backends.cudnn.benchmark)

def one_epoch(resident, seed=42):
    torch.manual_seed(seed)
    model = Net().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    criterion = nn.CrossEntropyLoss()
    xs, ys = (train_x.to(device), train_y.to(device)) if resident else (train_x, train_y)
    order = torch.randperm(len(train_y))
    torch.cuda.synchronize()
    start = time.perf_counter()
    loss_sum, steps = 0.0, 0
    for i in range(0, len(order), 64):
        batch = order[i:i + 64]
        if resident:
            x, y = xs[batch.to(device)], ys[batch.to(device)]
        else:
            x, y = xs[batch].to(device), ys[batch].to(device)
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item()  # the lesson reads the loss every step, which synchronises like Isthmus does
        steps += 1
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        correct = 0
        for i in range(0, len(test_y), 1000):
            predicted = model(test_x[i:i + 1000].to(device)).argmax(dim=1)
            correct += (predicted.cpu() == test_y[i:i + 1000]).sum().item()
    label = "data on the GPU" if resident else "batches from the CPU (lesson style)"
    print(f"PyTorch lesson CNN, {label}: epoch {seconds:.2f} s, {len(order) / seconds:.0f} images/s, "
          f"mean loss {loss_sum / steps:.4f}, test accuracy {100.0 * correct / len(test_y):.2f}%")

one_epoch(resident=False)
one_epoch(resident=True)
PY
    fi
  fi

  # One step of each lesson network, Isthmus's CUDA backend against PyTorch (CPU, float32) from PyTorch's
  # own initial weights: checks the wiring of all three networks on the GPU (peer/pytorch/one_step_parity.py).
  if [ "$have_mnist" -eq 1 ] && python3 -c 'import torch' 2>/dev/null; then
    step "one step of cnn, inception and resnet: isthmus --backend cuda vs PyTorch" "$parity_timeout" \
        python3 "$root/peer/pytorch/one_step_parity.py" "$mnist" --backend cuda --work "$work/one-step-parity" \
        --isthmus-command "$java ${java_opts[*]} -jar $bundle/lib/isthmus.jar"
  else
    say ""
    say "=== one-step parity with PyTorch: skipped (needs MNIST and a python3 with torch)"
  fi

  # Step timing, isthmus eager/graphs vs PyTorch eager/graphs (native-scripts/device-timing.sh); a dry run uses 20 steps.
  step "step timing: lesson CNN b64/b256, isthmus and PyTorch, eager and CUDA graphs" "$timing_timeout" "$script_dir/device-timing.sh" --isthmus-command "$java ${java_opts[*]} -jar $bundle/lib/isthmus.jar" --out "$logdir/timing" $([ "$mode" = dry ] && echo "--steps 20 --warmup 3 --label DRY-RUN-on-the-CPU-stand-in")

  say ""
  say "=== summary ($([ "$mode" = dry ] && echo 'DRY RUN on the CPU stand-in, not a GPU result' || echo 'GPU run'))"
  local name key_lines
  key_lines=$(grep -h -E '^GPUs |^\[gpu\]|^epoch [0-9]+ |^PyTorch lesson CNN|^gpu: |^(cnn|inception|resnet) +[0-9,]+ parameters' "$log_file" | grep -v 'cuDNN conv2d')
  if [ -n "$key_lines" ]; then
    say "key lines seen above:"
    while IFS= read -r name; do say "  $name"; done <<<"$key_lines"
  fi
  for name in "${passes[@]}"; do say "PASSED  $name"; done
  for name in "${failures[@]}"; do say "FAILED  $name"; done
  say "log: $log_file"
  [ "${#failures[@]}" -eq 0 ]
}

case "${1:-}" in
  prepare) shift; prepare "$@" ;;
  run) shift; run_check real "$@" ;;
  dry-run) shift; run_check dry "$@" ;;
  *) usage ;;
esac
