#!/usr/bin/env bash
# Test accuracy side by side: `isthmus train` and Debian's PyTorch 1.13.1 (peer/pytorch/train_epoch.py) train the
# same network with the same settings for several seeds each; prints every run's final test accuracy, each side's
# mean and the difference, and writes them as JSON. Issue #16's check: resnet-bn on Fashion-MNIST, 10 epochs.
#
# Usage: native-scripts/accuracy-side-by-side.sh [--dataset fashion-mnist] [--model resnet-bn] [--epochs 10]
#            [--seeds "1 2 3"] [--backend cpu] [--torch-threads 1] [--parallel] [--json FILE] [--limit-train N (a smoke test)]
#            [-- extra isthmus train options]
# --parallel runs the PyTorch seeds while Isthmus's run (both sides share the cores; use it for accuracy, not for
# epoch times). Each run's log goes to LOGS (default: beside the JSON, DIR/<json name>.logs/).
# The settings both sides get (defaults): batch 64, SGD lr 0.05, momentum 0.9, Nesterov, weight decay 5e-4,
# cosine schedule stepped once per epoch. Initial weights and shuffling differ between the two (each side draws
# from its own generator), so compare means over seeds, not single runs.
# Needs: JDK 25, /usr/bin/python3 with torch (python3-torch), dataset-fashion-mnist for Fashion-MNIST.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dataset=fashion-mnist; model=resnet-bn; epochs=10; seeds="1 2 3"; backend=cpu; torch_threads=1; json=""; limit=(); parallel=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dataset) dataset="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --backend) backend="$2"; shift 2 ;;
    --torch-threads) torch_threads="$2"; shift 2 ;;
    --json) json="$2"; shift 2 ;;
    --parallel) parallel=true; shift ;;
    --limit-train) limit=(--limit-train "$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "accuracy-side-by-side: unknown option '$1'; see the usage at the top of $0" >&2; exit 2 ;;
  esac
done
settings=(--batch-size 64 --lr 0.05 --momentum 0.9 --nesterov --weight-decay 5e-4 --lr-schedule cosine)
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "accuracy-side-by-side: /usr/bin/python3 has no torch; apt-get install python3-torch" >&2; exit 2; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
json="${json:-$root/docs/measurements/accuracy-side-by-side-$model-$dataset-$(date -u +%Y%m%dT%H%M%SZ).json}"

"$root/isthmus" data fetch --dataset "$dataset" >&2
data="$HOME/.cache/isthmus/$dataset"
logs="${json%.json}.logs"; mkdir -p "$logs"
run_pytorch() {
  for seed in $seeds; do
    echo "pytorch $model seed $seed ($torch_threads threads)..." >&2
    (cd "$root/peer/pytorch" && /usr/bin/python3 train_epoch.py --data "$data" --dataset "$dataset" --model "$model" \
      --threads "$torch_threads" --epochs "$epochs" --seed "$seed" "${settings[@]}" ${limit[@]+"${limit[@]}"}) \
      > "$logs/pytorch-seed$seed.json" 2> "$logs/pytorch-seed$seed.log"
  done
}
if $parallel; then run_pytorch & pytorch_pid=$!; fi
for seed in $seeds; do
  echo "isthmus $model seed $seed ($backend)..." >&2
  "$root/isthmus" train --model "$model" --dataset "$dataset" --backend "$backend" --epochs "$epochs" --seed "$seed" \
    --no-progress --out "$work/isthmus-$seed" "${settings[@]}" ${limit[@]+"${limit[@]}"} "$@" > "$logs/isthmus-seed$seed.log" 2>&1
  cp "$work/isthmus-$seed/metrics.json" "$logs/isthmus-seed$seed.metrics.json"
  tail -n 2 "$logs/isthmus-seed$seed.log" | head -n 1 >&2
done
if $parallel; then wait "$pytorch_pid"; else run_pytorch; fi

python3 - "$logs" "$json" "$model" "$dataset" "$epochs" "$seeds" <<'PY'
import json, statistics, sys, glob, os
work, out, model, dataset, epochs, seeds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6].split()
isthmus = {s: json.load(open(f"{work}/isthmus-seed{s}.metrics.json"))[-1]["testAccuracy"] * 100 for s in seeds}
pytorch = {s: json.load(open(f"{work}/pytorch-seed{s}.json"))["test_accuracy"] * 100 for s in seeds}
mi, mp = statistics.mean(isthmus.values()), statistics.mean(pytorch.values())
result = {"model": model, "dataset": dataset, "epochs": epochs, "isthmus": isthmus, "pytorch": pytorch,
          "isthmus_mean": mi, "pytorch_mean": mp, "difference": mi - mp}
os.makedirs(os.path.dirname(out), exist_ok=True)
json.dump(result, open(out, "w"), indent=2)
print(f"{'seed':>6} {'isthmus %':>10} {'pytorch %':>10}")
for s in seeds:
    print(f"{s:>6} {isthmus[s]:10.2f} {pytorch[s]:10.2f}")
print(f"{'mean':>6} {mi:10.2f} {mp:10.2f}   difference {mi - mp:+.2f} points; JSON: {out}")
PY
