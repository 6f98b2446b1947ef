#!/usr/bin/env bash
# The GPU timing step of the device check (docs/cuda-graphs.md, docs/gpu-verification.md): training-step
# throughput of each lesson network (cnn, resnet, inception) at each batch size, 200 steps after warm-up, for
#   isthmus eager  (isthmus bench --backend cuda --cuda-graphs off: op by op, no wait per step)
#   isthmus graphs (isthmus bench --backend cuda --cuda-graphs on: each step one CUDA graph launch)
#   pytorch eager and pytorch cuda graphs (peer/pytorch/step_timing.py, data resident on the GPU)
# with TF32 off on both sides and cuDNN algorithms by heuristics. Writes OUT/step-timing.json (all rows) and
# OUT/step-timing.md (the table with images/s and the ratios to PyTorch), and prints the table.
#
#   native-scripts/device-timing.sh --isthmus-command "java ... -jar isthmus.jar" [--out DIR] [--steps N]
#       [--warmup N] [--batches "64 256"] [--models "cnn resnet inception"] [--python python3] [--label TEXT]
#
# Isthmus's batches are uploaded from pinned host memory inside the timed steps (its train loop does the
# same); PyTorch's are already on the GPU. Without a CUDA PyTorch the PyTorch rows are left out (dry runs on
# the CPU stand-in: the figures there are meaningless, only the plumbing is checked).
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
isthmus_command=""
out_dir=${OUT:-target-devicecheck/timing}
steps=200
warmup=20
batches="64 256"
models="cnn resnet inception"
python=python3
label="GPU run"

while [ $# -gt 0 ]; do
  case "$1" in
    --isthmus-command) isthmus_command=$2; shift 2 ;;
    --out) out_dir=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --python) python=$2; shift 2 ;;
    --label) label=$2; shift 2 ;;
    *) echo "device-timing: unknown argument $1 (see the comment at the top of this script)" >&2; exit 2 ;;
  esac
done
[ -n "$isthmus_command" ] || { echo "device-timing: --isthmus-command is required (how to run the isthmus CLI)" >&2; exit 2; }
mkdir -p "$out_dir" || exit 1
rows="$out_dir/rows"
rm -rf "$rows" && mkdir -p "$rows"
status=0

for model in $models; do
  for batch in $batches; do
    for graphs in off on; do
      echo "device-timing: isthmus $model batch $batch, cuda graphs $graphs: $warmup warm-up + $steps steps"
      row="$rows/isthmus-$model-$batch-$graphs"
      # shellcheck disable=SC2086
      if ! $isthmus_command bench --backend cuda --model "$model" --batch-size "$batch" --steps "$steps" --warmup "$warmup" \
          --cuda-graphs "$graphs" --json > "$row.json" 2> "$row.err"; then
        echo "device-timing: isthmus bench failed ($model, batch $batch, graphs $graphs):" >&2
        cat "$row.err" >&2
        status=1
      fi
    done
  done
done

# Inside a device-check bundle the PyTorch scripts sit beside this script; in a checkout, in peer/pytorch.
pytorch_dir="$root/peer/pytorch"
[ -f "$script_dir/pytorch/step_timing.py" ] && pytorch_dir="$script_dir/pytorch"
torch_args=()
for batch in $batches; do torch_args+=(--batch "$batch"); done
for model in $models; do torch_args+=(--model "$model"); done
if "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  echo "device-timing: pytorch $models, batches $batches: eager and cuda graphs"
  (cd "$pytorch_dir" && "$python" step_timing.py "${torch_args[@]}" --steps "$steps" --warmup "$warmup" \
      --json "$rows/pytorch.json" > "$rows/pytorch.out") || { echo "device-timing: step_timing.py failed" >&2; status=1; }
else
  echo "device-timing: pytorch rows left out: $python has no CUDA-capable torch"
fi

# One table: rows from both sides, images/s and the ratio of each Isthmus mode to each PyTorch mode.
python3 - "$rows" "$out_dir" "$label" <<'PY' || status=1
import glob, json, os, sys
rows_dir, out_dir, label = sys.argv[1:4]
rows = []
for path in sorted(glob.glob(os.path.join(rows_dir, "isthmus-*.json"))):
    try:
        report = json.load(open(path))
    except ValueError:
        continue
    model = os.path.basename(path).split("-")[1]
    for result in report["results"]:
        mode = "isthmus graphs" if result["backend"].endswith("+graphs") else "isthmus eager"
        rows.append({"model": model, "mode": mode, "batch": report["batchSize"], "steps": report["steps"],
                     "images_per_second": result["imagesPerSecond"], "ms_per_step": result["msPerStepMean"],
                     "last_loss": result["lastLoss"]})
torch_file = os.path.join(rows_dir, "pytorch.json")
if os.path.exists(torch_file):
    rows += json.load(open(torch_file))
json.dump({"label": label, "rows": rows}, open(os.path.join(out_dir, "step-timing.json"), "w"), indent=1)
lines = [f"Training-step throughput of the lesson networks ({label}); TF32 off, cuDNN heuristics, loss read every 20 steps", "",
         "| model | batch | mode | images/s | ms/step | vs pytorch eager | vs pytorch cuda graphs |", "|---|---:|---|---:|---:|---:|---:|"]
for model in sorted({r.get("model", "cnn") for r in rows}):
    for batch in sorted({r["batch"] for r in rows}):
        of_batch = {r["mode"]: r for r in rows if r["batch"] == batch and r.get("model", "cnn") == model}
        for mode in ("isthmus eager", "isthmus graphs", "pytorch eager", "pytorch cuda graphs"):
            r = of_batch.get(mode)
            if r is None:
                continue
            ratios = []
            for base in ("pytorch eager", "pytorch cuda graphs"):
                b = of_batch.get(base)
                ratios.append(f"{r['images_per_second'] / b['images_per_second']:.2f}x" if b else "-")
            lines.append(f"| {model} | {batch} | {mode} | {r['images_per_second']:,.0f} | {r['ms_per_step']:.3f} | {ratios[0]} | {ratios[1]} |")
table = "\n".join(lines) + "\n"
open(os.path.join(out_dir, "step-timing.md"), "w").write(table)
print(table)
PY
exit $status
