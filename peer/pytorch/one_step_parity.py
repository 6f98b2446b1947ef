"""One training step of each of the lesson's networks in PyTorch and in Isthmus, from PyTorch's weights.

For the CNN, the GoogLeNet-style Inception net and the residual net, written here as the lesson writes
them: PyTorch initialises the network, the weights go to a safetensors file, `isthmus train --init`
takes one SGD step on one batch of the first 64 MNIST training images, and PyTorch takes the same step.
The script compares the batch loss and, per parameter tensor, the update each side applied (new weights
minus initial weights, i.e. -lr x gradient): a wrongly wired block (branch order of the concatenation,
the residual sum, a padding) would make those differ by the size of the update itself, while float32
rounding leaves about 1e-5 of it. The step uses lr 1 (momentum 0.5, which the first step does not use):
with the lesson's lr 0.01 some updates are a few 1e-6 while the weights are ~0.08, so storing the new
weights in float32 (one unit in the last place is 7.5e-9 there) would blur the comparison to 3e-3.

PyTorch computes on the CPU in float32; Isthmus on the backend given (`--backend cuda` on a GPU machine
checks the CUDA backend against PyTorch itself, with TF32 off as Isthmus's default). Without the
safetensors package the weight files are written and read by the few lines the format needs.

Usage: python3 one_step_parity.py MNIST_DIR [--backend reference|cuda] [--isthmus ./isthmus]
                                  [--isthmus-command "java ... -jar isthmus.jar"] [--work DIR] [--seed N]
Exit status 1 when any update differs by more than 1e-3 of its RMS or the losses by more than 1e-5.
"""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F

from lesson_nets import MODELS, load_weights, normalised_images, read_idx, save_weights


BATCH = 64
LEARNING_RATE = 1.0
UPDATE_TOLERANCE = 1e-3
LOSS_TOLERANCE = 1e-5


def isthmus_loss(metrics_csv):
    with open(metrics_csv) as f:
        header, first = f.read().splitlines()[:2]
    return float(dict(zip(header.split(","), first.split(",")))["train_loss"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mnist_dir")
    parser.add_argument("--isthmus", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "isthmus"))
    parser.add_argument("--isthmus-command", help="the whole command that runs isthmus, e.g. \"java -jar isthmus.jar\" (overrides --isthmus)")
    parser.add_argument("--backend", choices=["reference", "cuda"], default="reference", help="Isthmus's backend (default: reference)")
    parser.add_argument("--work", help="folder for the weight files (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=0, help="torch.manual_seed for PyTorch's initialisation")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="one-step-parity-")
    os.makedirs(work, exist_ok=True)

    images = normalised_images(read_idx(args.mnist_dir, "train-images-idx3-ubyte")[:BATCH])
    labels = torch.from_numpy(read_idx(args.mnist_dir, "train-labels-idx1-ubyte")[:BATCH].astype("int64"))
    isthmus = shlex.split(args.isthmus_command) if args.isthmus_command else [args.isthmus]
    print(f"torch {torch.__version__} (CPU) vs Isthmus --backend {args.backend}; one SGD step (lr {LEARNING_RATE}) on the first"
          f" {BATCH} MNIST training images")

    failed = False
    for name, network in MODELS.items():
        torch.manual_seed(args.seed)
        model = network()
        initial = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
        init_file = os.path.join(work, f"{name}-init.safetensors")
        save_weights(initial, init_file)

        out = os.path.join(work, f"{name}-isthmus")
        command = isthmus + ["train", "--model", name, "--init", init_file, "--backend", args.backend,
                   "--data", args.mnist_dir, "--limit-train", str(BATCH), "--limit-test", str(BATCH),
                   "--batch-size", str(BATCH), "--epochs", "1", "--lr", str(LEARNING_RATE), "--momentum", "0.5",
                   "--out", out, "--no-progress"]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"one_step_parity: isthmus train failed ({run.returncode}): {run.stderr.strip()}")
        after_isthmus = load_weights(os.path.join(out, "model.safetensors"))

        optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.5)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        after_torch = model.state_dict()

        loss_difference = abs(loss.item() - isthmus_loss(os.path.join(out, "metrics.csv")))
        worst, worst_name = 0.0, ""
        for key, start in initial.items():
            update_torch = after_torch[key] - start
            update_isthmus = after_isthmus[key] - start
            rms = update_torch.pow(2).mean().sqrt().item()
            relative = (update_isthmus - update_torch).abs().max().item() / max(rms, 1e-30)
            if relative >= worst:
                worst, worst_name = relative, key
        ok = worst <= UPDATE_TOLERANCE and loss_difference <= LOSS_TOLERANCE
        failed |= not ok
        print(f"{name:9s} {sum(v.numel() for v in initial.values()):7,d} parameters in {len(initial)} tensors: "
              f"loss PyTorch {loss.item():.6f}, |difference| {loss_difference:.1e}; "
              f"largest update difference {worst:.1e} of the update's RMS ({worst_name}) {'ok' if ok else 'MISMATCH'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
