#!/usr/bin/env bash
# CPU training speed, side by side, in one go: Isthmus on each CPU backend (reference, cpu) and Debian's
# PyTorch 1.13.1 CPU build (python3-torch, with Debian's oneDNN 2.6.3) with 1 and with 2 threads, on the
# lesson's three networks (cnn, resnet, inception) and resnet-bn, one epoch of MNIST (or Fashion-MNIST) each at
# batch 64, reporting images/s and epoch seconds; then libtorch 2.10
# (the CNN only, through native-scripts/peer-cpu-side-by-side.sh). Writes JSON to docs/measurements/ and the
# table of images/s and ratios into docs/performance.md (between its cpu-side-by-side markers).
#
# Usage: native-scripts/cpu-side-by-side.sh [--dataset mnist|fashion-mnist] [--data DIR] [--models "cnn resnet inception resnet-bn"]
#                                           [--backends "reference cpu"] [--torch-threads "1 2"] [--limit-train N]
#                                           [--epochs N] [--repeats N] [--run-timeout S] [--no-libtorch] [--no-doc] [--json FILE]
#   --dataset NAME    mnist (default) or fashion-mnist: the data set and its normalisation, on both sides
#   --data DIR        its IDX files (default: Isthmus's cache, ~/.cache/isthmus/<dataset>, fetched when missing; for
#                     fashion-mnist Debian's /usr/share/datasets/fashion-mnist when installed, dataset-fashion-mnist)
#   --models LIST     networks to run (default: cnn resnet inception resnet-bn)
#   --backends LIST   Isthmus backends (default: reference cpu)
#   --torch-threads   PyTorch thread counts (default: 1 and the number of cores)
#   --epochs N        epochs per run (default 1); figures are the last epoch's
#   --repeats N       run every Isthmus and PyTorch setting N times, in rounds that alternate the two sides (default
#                     1); the table gives each setting's best run and lists all of them, the JSON keeps every run.
#                     On a shared machine one run's speed moves by 10-20%; best-of-N applies the same rule to both sides
#   --limit-train N   train on the first N images only (a smoke test of the script; not a measurement)
#   --run-timeout S   stop any one training run (the libtorch runs: both together) after S seconds and record it as
#                     timed out (default: no limit);
#                     on a busy machine PyTorch's 2-thread runs can take 70x longer than on an idle one
#   --no-libtorch     skip the libtorch 2.10 CNN runs (they download libtorch through Maven the first time)
#   --no-doc          do not rewrite docs/performance.md's table
#   --json FILE       where the JSON goes (default docs/measurements/cpu-side-by-side-<UTC date-time>.json)
# Needs: JDK 25, /usr/bin/python3 with torch (apt-get install python3-torch), libdnnl2 for the cpu backend.
# Ratios are Isthmus's images/s over PyTorch's faster thread count, both from this one run of the script. Run it
# on an idle machine: OpenMP and ForkJoin threads both slow down badly when other work shares the cores; the
# script records the load average before every run so a busy machine shows in the results.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dataset=mnist
data=""
models="cnn resnet inception resnet-bn"
backends="reference cpu"
torch_threads="1 $(nproc)"
epochs=1
repeats=1
limit_train=0
run_timeout=0
libtorch=true
doc=true
json=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dataset) dataset="${2:?--dataset needs mnist or fashion-mnist}"; shift 2 ;;
    --data) data="${2:?--data needs a folder}"; shift 2 ;;
    --limit-train) limit_train="${2:?--limit-train needs a number}"; shift 2 ;;
    --models) models="${2:?--models needs a list}"; shift 2 ;;
    --backends) backends="${2:?--backends needs a list}"; shift 2 ;;
    --torch-threads) torch_threads="${2:?--torch-threads needs a list}"; shift 2 ;;
    --epochs) epochs="${2:?--epochs needs a number}"; shift 2 ;;
    --repeats) repeats="${2:?--repeats needs a number}"; shift 2 ;;
    --run-timeout) run_timeout="${2:?--run-timeout needs seconds}"; shift 2 ;;
    --no-libtorch) libtorch=false; shift ;;
    --no-doc) doc=false; shift ;;
    --json) json="${2:?--json needs a file}"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "cpu-side-by-side: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$epochs" in ''|*[!0-9]*|0) echo "cpu-side-by-side: --epochs needs a positive whole number, got '$epochs'" >&2; exit 2 ;; esac
case "$repeats" in ''|*[!0-9]*|0) echo "cpu-side-by-side: --repeats needs a positive whole number, got '$repeats'" >&2; exit 2 ;; esac
case "$limit_train" in ''|*[!0-9]*) echo "cpu-side-by-side: --limit-train needs a whole number, got '$limit_train'" >&2; exit 2 ;; esac
case "$dataset" in mnist|fashion-mnist) ;; *) echo "cpu-side-by-side: unknown dataset '$dataset' (mnist, fashion-mnist)" >&2; exit 2 ;; esac
if [ -z "$data" ]; then
  data="${XDG_CACHE_HOME:-$HOME/.cache}/isthmus/$dataset"
  [ "$dataset" = fashion-mnist ] && [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && data=/usr/share/datasets/fashion-mnist
fi
case "$run_timeout" in ''|*[!0-9]*) echo "cpu-side-by-side: --run-timeout needs whole seconds, got '$run_timeout'" >&2; exit 2 ;; esac
for m in $models; do case "$m" in cnn|resnet|inception|resnet-bn) ;; *) echo "cpu-side-by-side: unknown model '$m' (cnn, resnet, inception, resnet-bn)" >&2; exit 2 ;; esac; done
for b in $backends; do case "$b" in reference|cpu) ;; *) echo "cpu-side-by-side: unknown backend '$b' (reference, cpu)" >&2; exit 2 ;; esac; done
python=/usr/bin/python3
"$python" -c 'import torch' 2>/dev/null || { echo "cpu-side-by-side: $python cannot import torch; install Debian's PyTorch: apt-get install python3-torch" >&2; exit 2; }
torch_package="$(dpkg-query -W -f='${Version}' python3-torch 2>/dev/null || "$python" -c 'import torch; print(torch.__version__)')"
export ISTHMUS_TORCH_PACKAGE="$torch_package"
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
[ -n "$json" ] || json="$root/docs/measurements/cpu-side-by-side-$stamp.json"
mkdir -p "$(dirname "$json")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$root/isthmus" --version >/dev/null || { echo "cpu-side-by-side: ./isthmus does not start (see above)." >&2; exit 1; }
[ -f "$data/train-images-idx3-ubyte" ] || [ -f "$data/train-images-idx3-ubyte.gz" ] || "$root/isthmus" data fetch --dataset "$dataset" --data "$data"

load() { cut -d ' ' -f 1 /proc/loadavg; }
limit_isthmus=(); limit_torch=()
if [ "$limit_train" -gt 0 ]; then limit_isthmus=(--limit-train "$limit_train"); limit_torch=(--limit-train "$limit_train"); fi
runs="$work/runs.jsonl"
: > "$runs"
round=1
record() { # record SIDE MODEL SETTING LOAD FILE: appends one line {side, model, setting, round, load, result}
  printf '{"side": "%s", "model": "%s", "setting": "%s", "round": %s, "load_average_before": %s, "result": %s}\n' "$1" "$2" "$3" "$round" "$4" "$(tr -d '\n' < "$5")" >> "$runs"
}
# limited COMMAND...: runs it under --run-timeout; returns 124 when it was stopped
limited() { if [ "$run_timeout" -gt 0 ]; then timeout "$run_timeout" "$@"; else "$@"; fi; }
timed_out() { printf '{"timed_out": true, "limit_seconds": %s}' "$run_timeout" > "$1"; }

for model in $models; do
 for round in $(seq "$repeats"); do
  for backend in $backends; do
    before="$(load)"
    echo "== Isthmus $backend, $model, round $round of $repeats (load average $before)"
    status=0
    limited "$root/isthmus" train --backend "$backend" --model "$model" --epochs "$epochs" --dataset "$dataset" --data "$data" \
      "${limit_isthmus[@]}" --no-progress --out "$work/isthmus-$model-$backend" || status=$?
    if [ "$status" = 124 ]; then timed_out "$work/isthmus.json"
    elif [ "$status" != 0 ]; then echo "cpu-side-by-side: Isthmus $backend on $model failed (see above)." >&2; exit 1
    else jq -c '.[-1]' "$work/isthmus-$model-$backend/metrics.json" > "$work/isthmus.json"; fi
    record isthmus "$model" "$backend" "$before" "$work/isthmus.json"
  done
  for threads in $torch_threads; do
    before="$(load)"
    echo "== PyTorch $torch_package, $model, $threads thread(s), round $round of $repeats (load average $before)"
    status=0
    (cd "$root/peer/pytorch" && limited "$python" train_epoch.py --data "$data" --dataset "$dataset" --model "$model" --threads "$threads" --epochs "$epochs" "${limit_torch[@]}") > "$work/torch.json" || status=$?
    if [ "$status" = 124 ]; then timed_out "$work/torch.json"
    elif [ "$status" != 0 ]; then echo "cpu-side-by-side: PyTorch on $model failed (see above)." >&2; exit 1; fi
    jq -c '.' "$work/torch.json" | cut -c1-200
    record pytorch "$model" "$threads" "$before" "$work/torch.json"
  done
 done
done
round=1
if [ "$libtorch" = true ] && [ "$dataset" = mnist ] && [ "$limit_train" = 0 ] && [[ " $models " == *" cnn "* ]]; then
  echo "== libtorch 2.10 (CNN only; the peer harness has no resnet or inception)"
  status=0
  limited "$root/native-scripts/peer-cpu-side-by-side.sh" --libtorch-only --epochs "$epochs" --data "$data" --json "$work/libtorch.json" || status=$?
  if [ "$status" = 124 ]; then echo "cpu-side-by-side: the libtorch runs passed --run-timeout ($run_timeout s); no libtorch rows" >&2; echo '{"libtorch_runs": []}' > "$work/libtorch.json"
  elif [ "$status" != 0 ]; then echo "cpu-side-by-side: the libtorch runs failed (see above)." >&2; exit 1; fi
  for row in $(jq -c '.libtorch_runs[]' "$work/libtorch.json"); do
    echo "$row" > "$work/row.json"
    record libtorch cnn "$(jq -r .threads "$work/row.json")" "$(jq -r .load_average_before "$work/row.json")" "$work/row.json"
  done
fi

"$python" - "$runs" "$json" "$root/docs/performance.md" "$doc" "$stamp" "$epochs" "$dataset" "$limit_train" "$repeats" <<'PY'
import json, os, platform, subprocess, sys
runs_file, json_file, doc_file, write_doc, stamp, epochs, dataset, limit_train, repeats = sys.argv[1:]
runs = [json.loads(line) for line in open(runs_file)]
cpu = subprocess.run(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p'"], capture_output=True, text=True).stdout.strip()
def ips(run):
    r = run["result"]
    return r.get("imagesPerSecond", r.get("images_per_second"))
def ips_text(run):
    r = run["result"]
    return f"timed out after {r['limit_seconds']} s" if r.get("timed_out") else f"{ips(run):,.0f}"
def seconds_text(run):
    r = run["result"]
    s = r.get("seconds", r.get("epoch_seconds"))
    return "" if s is None else f"{s:.1f}"
def accuracy(run):
    r = run["result"]
    a = r.get("testAccuracy", r.get("test_accuracy"))
    return None if a is None else 100 * a
models = [m for m in ["cnn", "resnet", "inception", "resnet-bn"] if any(r["model"] == m for r in runs)]
def best_of(group):
    """The fastest finished run of one setting (all its rounds), else its first run (timed out)."""
    finished = [r for r in group if ips(r)]
    return max(finished, key=ips) if finished else group[0]
def settings(model, side):
    """(setting, best run, every run's images/s) in the order first run."""
    grouped = {}
    for r in runs:
        if r["model"] == model and r["side"] == side:
            grouped.setdefault(r["setting"], []).append(r)
    return [(name, best_of(group), [ips(r) for r in group]) for name, group in grouped.items()]
def all_runs(values):
    return " / ".join("timed out" if v is None else f"{v:,.0f}" for v in values) if len(values) > 1 else ""
rows, summary = [], {}
for m in models:
    torch_best = [best for _, best, _ in settings(m, "pytorch")]
    finished = [r for r in torch_best if ips(r)]
    best = max(finished, key=ips) if finished else None
    for setting, r, values in settings(m, "isthmus"):
        ratio = ips(r) / ips(best) if best and ips(r) else None
        summary.setdefault(m, {})[setting] = ratio
        acc = accuracy(r)
        rows.append(f"| {m} | Isthmus `{setting}` | {ips_text(r)} | {all_runs(values)} | {seconds_text(r)} | {'' if acc is None else f'{acc:.2f}%'} | {r['load_average_before']} | "
                    + (f"**{ratio:.2f}**" if ratio else "n/a") + " |")
    for side in ("pytorch", "libtorch"):
        for setting, r, values in settings(m, side):
            name = ("PyTorch " + os.environ["ISTHMUS_TORCH_PACKAGE"]) if side == "pytorch" else "libtorch 2.10 (oneDNN off)"
            acc = accuracy(r)
            rows.append(f"| {m} | {name}, {setting} thread(s) | {ips_text(r)} | {all_runs(values)} | {seconds_text(r)} | {'' if acc is None else f'{acc:.2f}%'} | {r['load_average_before']} | "
                        + ("(the peer)" if r is best else "") + " |")
document = {"date_utc": stamp, "machine": {"cpu_model": cpu, "cores": os.cpu_count(), "kernel": platform.release()},
            "pytorch_package": os.environ["ISTHMUS_TORCH_PACKAGE"],
            "epochs": int(epochs), "repeats": int(repeats), "batch_size": 64, "dataset": dataset, "limit_train": int(limit_train) or None, "runs": runs,
            "ratio_isthmus_over_fastest_pytorch": summary}
with open(json_file, "w") as f:
    json.dump(document, f, indent=2)
    f.write("\n")
table = "\n".join([
    f"Run {stamp} on {cpu}, {os.cpu_count()} cores; {epochs} epoch(s) of {'Fashion-MNIST' if dataset == 'fashion-mnist' else 'MNIST'}"
    + (f" (first {limit_train} training images only: a smoke run, not a measurement)" if int(limit_train) else "")
    + f" at batch 64; raw results: "
    f"`docs/measurements/{os.path.basename(json_file)}`. Ratio = Isthmus images/s ÷ PyTorch's faster thread count, same run"
    + (f"; every setting ran {repeats} times in alternating rounds, images/s is its best run (all runs listed)" if int(repeats) > 1 else "") + ".",
    "",
    "| network | run | images/s | all runs | epoch s | test accuracy | load average before | ratio to PyTorch |",
    "|---|---|---|---|---|---|---|---|", *rows])
print(table)
if write_doc == "true":
    begin, end = "<!-- cpu-side-by-side:begin -->", "<!-- cpu-side-by-side:end -->"
    text = open(doc_file).read()
    block = begin + "\n" + table + "\n" + end
    if begin in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n## CPU backends side by side with PyTorch (native-scripts/cpu-side-by-side.sh)\n\n" + block + "\n"
    with open(doc_file, "w") as f:
        f.write(text)
    print(f"table written to {doc_file}")
print(f"results written to {json_file}")
PY
