"""Training-step throughput of the lesson's networks in PyTorch on a GPU: eager, and the same step captured with
torch.cuda.graphs (PyTorch's "whole network capture" recipe). The data are resident on the GPU; the loss is
read every 20 steps, as Isthmus's train and bench --cuda-graphs read theirs. TF32 is off unless --tf32, and
cuDNN picks algorithms by heuristics (cudnn.benchmark off), matching Isthmus's defaults.

    python3 step_timing.py --model cnn --model resnet --batch 64 --batch 256 --steps 200 --warmup 20 --json rows.json

Used by native-scripts/device-timing.sh; prints one JSON row per (model, mode, batch).
"""
import argparse
import json
import sys
import time

import torch
import torch.nn.functional as F

from lesson_nets import InceptionNet, LessonCnn, ResidualNet

NETWORKS = {"cnn": LessonCnn, "inception": InceptionNet, "resnet": ResidualNet}

READ_EVERY = 20
DISTINCT_BATCHES = 4


def batches(batch, device, seed):
    generator = torch.Generator().manual_seed(seed)
    xs = [torch.randn(batch, 1, 28, 28, generator=generator).to(device) for _ in range(DISTINCT_BATCHES)]
    ys = [torch.randint(0, 10, (batch,), generator=generator).to(device) for _ in range(DISTINCT_BATCHES)]
    return xs, ys


def timed(run_step, steps, device):
    torch.cuda.synchronize(device)
    start = time.perf_counter()
    loss = None
    for i in range(steps):
        loss = run_step(i)
        if (i + 1) % READ_EVERY == 0:
            loss.item()
    last = loss.item()  # waits for the device
    return time.perf_counter() - start, last


def eager(network, batch, steps, warmup, device, seed):
    torch.manual_seed(seed)
    model = NETWORKS[network]().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    xs, ys = batches(batch, device, seed)

    def run_step(i):
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xs[i % DISTINCT_BATCHES]), ys[i % DISTINCT_BATCHES])
        loss.backward()
        optimizer.step()
        return loss

    for i in range(warmup):
        run_step(i)
    return timed(run_step, steps, device)


def graphed(network, batch, steps, warmup, device, seed):
    torch.manual_seed(seed)
    model = NETWORKS[network]().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    xs, ys = batches(batch, device, seed)
    static_x, static_y = xs[0].clone(), ys[0].clone()

    def body():
        loss = F.cross_entropy(model(static_x), static_y)
        loss.backward()
        optimizer.step()
        return loss

    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(side):  # warm-up on a side stream, as the recipe says
        for _ in range(max(3, warmup)):
            optimizer.zero_grad(set_to_none=True)
            body()
    torch.cuda.current_stream(device).wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    optimizer.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        static_loss = body()

    def run_step(i):
        static_x.copy_(xs[i % DISTINCT_BATCHES])
        static_y.copy_(ys[i % DISTINCT_BATCHES])
        graph.replay()
        return static_loss

    return timed(run_step, steps, device)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", choices=sorted(NETWORKS), help="network (repeatable; default cnn)")
    parser.add_argument("--batch", type=int, action="append", required=True)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--tf32", action="store_true", help="allow TF32 (Isthmus: --tf32); off by default")
    parser.add_argument("--json", help="write the rows to this file too")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("step_timing: PyTorch sees no CUDA GPU; nothing measured", file=sys.stderr)
        return 3
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    torch.backends.cudnn.benchmark = False
    device = torch.device("cuda")
    rows = []
    for network in args.model or ["cnn"]:
        for batch in args.batch:
            for mode, run in (("pytorch eager", eager), ("pytorch cuda graphs", graphed)):
                rows.append(measure(network, mode, run, batch, args, device))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)
    return 0


def measure(network, mode, run, batch, args, device):
    seconds, last = run(network, batch, args.steps, args.warmup, device, args.seed)
    row = {"model": network, "mode": mode, "batch": batch, "steps": args.steps, "images_per_second": batch * args.steps / seconds,
           "ms_per_step": 1000.0 * seconds / args.steps, "last_loss": last,
           "torch": torch.__version__, "gpu": torch.cuda.get_device_name(device), "tf32": args.tf32}
    print(json.dumps(row), flush=True)
    return row


if __name__ == "__main__":
    sys.exit(main())
