"""The lesson's three networks, written as the lesson writes them, and an IDX reader for MNIST.

Shared by load_checkpoint.py and one_step_parity.py. Parameter names are PyTorch's state-dict names,
the ones Isthmus's checkpoints use.
"""
import gzip
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class LessonCnn(torch.nn.Module):
    """The lesson's first CNN: conv-pool-relu twice, then one linear layer."""

    def __init__(self):
        super(LessonCnn, self).__init__()
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


class InceptionA(nn.Module):
    """The lesson's Inception block: 1x1, 5x5, 3x3-3x3 and pool branches, 16 + 24 + 24 + 24 channels."""

    def __init__(self, in_channels):
        super(InceptionA, self).__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)
        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)
        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        branch_pool = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([branch1x1, branch5x5, branch3x3, branch_pool], dim=1)


class InceptionNet(nn.Module):
    def __init__(self):
        super(InceptionNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)
        self.incep1 = InceptionA(in_channels=10)
        self.incep2 = InceptionA(in_channels=20)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(1408, 10)

    def forward(self, x):
        in_size = x.size(0)
        x = F.relu(self.mp(self.conv1(x)))
        x = self.incep1(x)
        x = F.relu(self.mp(self.conv2(x)))
        x = self.incep2(x)
        return self.fc(x.view(in_size, -1))


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super(ResidualBlock, self).__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return F.relu(x + y)


class ResidualNet(nn.Module):
    def __init__(self):
        super(ResidualNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.mp = nn.MaxPool2d(2)
        self.rblock1 = ResidualBlock(16)
        self.rblock2 = ResidualBlock(32)
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        in_size = x.size(0)
        x = self.mp(F.relu(self.conv1(x)))
        x = self.rblock1(x)
        x = self.mp(F.relu(self.conv2(x)))
        x = self.rblock2(x)
        return self.fc(x.view(in_size, -1))


class BnResidualBlock(nn.Module):
    """relu(x + bn2(conv2(relu(bn1(conv1(x)))))), 3x3 convolutions without bias."""

    def __init__(self, channels):
        super(BnResidualBlock, self).__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(x + y)


class ResNetBN(nn.Module):
    """Isthmus's resnet-bn (not from the lesson): BatchNorm after every convolution, global average pooling,
    dropout before the classifier (p 0 by default, as `isthmus train --dropout`; no state-dict entry)."""

    def __init__(self, dropout=0.0):
        super(ResNetBN, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.rblock1 = BnResidualBlock(32)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.rblock2 = BnResidualBlock(64)
        self.mp = nn.MaxPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.mp(F.relu(self.bn1(self.conv1(x))))   # 32 x 14 x 14
        x = self.rblock1(x)
        x = self.mp(F.relu(self.bn2(self.conv2(x))))   # 64 x 7 x 7
        x = self.rblock2(x)
        return self.fc(self.dropout(self.gap(x).flatten(1)))


MODELS = {"cnn": LessonCnn, "inception": InceptionNet, "resnet": ResidualNet, "resnet-bn": ResNetBN}


# Normalize((mean,), (std,)) per data set: the constants Isthmus uses (core's data/Normalization.java).
NORMALISATION = {"mnist": (0.1307, 0.3081), "fashion-mnist": (0.2860, 0.3530)}


def normalised_images(images, dataset="mnist"):
    """uint8 N x 28 x 28 to float N x 1 x 28 x 28, as ToTensor() then Normalize((mean,), (std,)) of the data set."""
    mean, std = NORMALISATION[dataset]
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    return ((x - mean) / std).unsqueeze(1)


def read_idx(folder, name):
    for candidate, opener in ((name, open), (name + ".gz", gzip.open)):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            with opener(path, "rb") as f:
                data = f.read()
            ndim = data[3]
            dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    raise SystemExit(f"{name} (or .gz) is missing from {folder}")


def save_weights(state, path, metadata=None):
    """Writes float32 tensors as a safetensors file; with the safetensors package when it is installed,
    else with the few lines the format needs (8-byte header length, JSON header, raw little-endian data),
    so that the check also runs where only torch is (a GPU machine with no way to install packages)."""
    state = {name: tensor.detach().to(torch.float32).contiguous().cpu() for name, tensor in state.items()}
    try:
        from safetensors.torch import save_file
    except ImportError:
        header, blobs, offset = ({"__metadata__": dict(metadata)} if metadata else {}), [], 0
        for name in sorted(state):
            blob = state[name].numpy().astype("<f4").tobytes()
            header[name] = {"dtype": "F32", "shape": list(state[name].shape), "data_offsets": [offset, offset + len(blob)]}
            blobs.append(blob)
            offset += len(blob)
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 8)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
        return
    save_file(state, path, metadata=metadata)


def load_weights(path):
    """Reads a safetensors file of float32 tensors (see save_weights)."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        with open(path, "rb") as f:
            data = f.read()
        length = struct.unpack("<Q", data[:8])[0]
        header = json.loads(data[8:8 + length])
        start = 8 + length
        state = {}
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            if entry["dtype"] != "F32":
                raise SystemExit(f"{path}: tensor {name} is {entry['dtype']}, only F32 is read without the safetensors package")
            begin, end = entry["data_offsets"]
            values = np.frombuffer(data[start + begin:start + end], dtype="<f4").reshape(entry["shape"])
            state[name] = torch.from_numpy(values.copy())
        return state
    return load_file(path)
