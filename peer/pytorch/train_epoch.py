"""Trains one of the lesson's networks (or resnet-bn) on MNIST or Fashion-MNIST with the installed PyTorch's CPU build and reports its speed.

The PyTorch half of native-scripts/cpu-side-by-side.sh: the lesson's settings (batch 64, SGD lr 0.01,
momentum 0.5, shuffled every epoch), data already in memory as float tensors (as Isthmus holds it), so the
timing covers the training steps the way Isthmus's images/s does. Prints one JSON object on stdout.

Usage: python3 train_epoch.py --data DIR [--dataset mnist|fashion-mnist] --model cnn|resnet|inception|resnet-bn
                              [--threads N] [--epochs 1] [--seed 42] [--limit-train N]
                              [--lr 0.01] [--momentum 0.5] [--nesterov] [--weight-decay 0] [--lr-schedule constant|cosine]
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from lesson_nets import MODELS, NORMALISATION, normalised_images, read_idx


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--dataset", choices=sorted(NORMALISATION), default="mnist", help="for its normalisation (default: mnist)")
    parser.add_argument("--model", choices=sorted(MODELS), default="cnn")
    parser.add_argument("--limit-train", type=int, help="train on the first N images only (a smoke run)")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.5)
    parser.add_argument("--nesterov", action="store_true")
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--lr-schedule", choices=["constant", "cosine"], default="constant",
                        help="cosine: CosineAnnealingLR(T_max=epochs) stepped once per epoch, as isthmus train --lr-schedule cosine")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x = normalised_images(read_idx(args.data, "train-images-idx3-ubyte")[:args.limit_train], args.dataset)
    train_y = torch.from_numpy(read_idx(args.data, "train-labels-idx1-ubyte")[:args.limit_train].astype("int64"))
    test_x = normalised_images(read_idx(args.data, "t10k-images-idx3-ubyte"), args.dataset)
    test_y = torch.from_numpy(read_idx(args.data, "t10k-labels-idx1-ubyte").astype("int64"))
    model = MODELS[args.model]()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, nesterov=args.nesterov,
                                weight_decay=args.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs) if args.lr_schedule == "cosine" else None

    epochs = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train_x))
        start = time.perf_counter()
        total_loss = 0.0
        for first in range(0, len(order), args.batch_size):
            index = order[first:first + args.batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(train_x[index]), train_y[index])
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(index)
        seconds = time.perf_counter() - start
        lr = optimizer.param_groups[0]["lr"]
        if schedule is not None:
            schedule.step()
        model.eval()
        with torch.no_grad():
            correct = sum(int((model(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum()) for i in range(0, len(test_x), 1000))
        epochs.append({"epoch": epoch, "lr": lr, "seconds": seconds, "images_per_second": len(train_x) / seconds,
                       "train_loss": total_loss / len(train_x), "test_accuracy": correct / len(test_x)})

    print(json.dumps({"torch_version": torch.__version__, "model": args.model, "dataset": args.dataset, "threads": torch.get_num_threads(),
                      "mkldnn": torch.backends.mkldnn.is_available(), "batch_size": args.batch_size,
                      "images_per_second": epochs[-1]["images_per_second"], "epoch_seconds": epochs[-1]["seconds"],
                      "test_accuracy": epochs[-1]["test_accuracy"], "epochs": epochs}))


if __name__ == "__main__":
    main()
