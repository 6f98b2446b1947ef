"""Loads an Isthmus checkpoint into the PyTorch lesson's Net and evaluates it on the MNIST test set.

Checks what the README promises: `safetensors.torch.load_file` reads the file and `load_state_dict`
(strict) accepts it into the lesson's own module, and the network then classifies the test set as
`isthmus eval` does. Prints the accuracy and the confusion matrix in `isthmus eval`'s layout, and
the predicted class of every test image to a file when asked.

Usage: python3 load_checkpoint.py CHECKPOINT MNIST_DIR [--predictions FILE]
Needs torch and safetensors (e.g. Debian's python3-torch plus the safetensors wheel).
"""
import argparse
import gzip
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file


class Net(torch.nn.Module):
    """The lesson's network, as written there."""

    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = torch.nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = torch.nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(320, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))
        x = F.relu(self.pooling(self.conv2(x)))
        x = x.view(batch_size, -1)
        return self.fc(x)


def read_idx(folder, name):
    for candidate, opener in ((name, open), (name + ".gz", gzip.open)):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            with opener(path, "rb") as f:
                data = f.read()
            ndim = data[3]
            dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    raise SystemExit(f"load_checkpoint: {name} (or .gz) is missing from {folder}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("mnist_dir")
    parser.add_argument("--predictions", help="write one predicted class per line for the 10,000 test images")
    args = parser.parse_args()

    state = load_file(args.checkpoint)
    model = Net()
    model.load_state_dict(state, strict=True)  # raises on a missing, extra or misshapen tensor
    model.eval()

    images = torch.from_numpy(read_idx(args.mnist_dir, "t10k-images-idx3-ubyte").astype(np.float32) / 255.0)
    images = ((images - 0.1307) / 0.3081).unsqueeze(1)
    labels = torch.from_numpy(read_idx(args.mnist_dir, "t10k-labels-idx1-ubyte").astype(np.int64))
    with torch.no_grad():
        predicted = torch.cat([model(images[i:i + 1000]).argmax(dim=1) for i in range(0, len(labels), 1000)])
    correct = int((predicted == labels).sum())
    print(f"torch {torch.__version__}: load_state_dict(strict=True) accepted {len(state)} tensors "
          f"({', '.join(f'{k} {tuple(v.shape)}' for k, v in state.items())})")
    print(f"test accuracy {100.0 * correct / len(labels):.2f}% ({correct} of {len(labels)})")
    # The same layout as `isthmus eval`, so the two can be put side by side (rows: actual class).
    print("confusion matrix (rows: actual, columns: predicted)")
    print(" " * 6 + "".join(f"{c:6d}" for c in range(10)))
    for actual in range(10):
        counts = torch.bincount(predicted[labels == actual], minlength=10)
        print(f"{actual:6d}" + "".join(f"{int(n):6d}" for n in counts))
    if args.predictions:
        with open(args.predictions, "w") as f:
            f.writelines(f"{int(p)}\n" for p in predicted)


if __name__ == "__main__":
    main()
