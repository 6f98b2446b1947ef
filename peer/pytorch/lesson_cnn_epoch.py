#!/usr/bin/env python3
"""The lesson's CNN in PyTorch for one epoch on the GPU, for images/s beside Isthmus's (device-check.sh).

Usage: python3 lesson_cnn_epoch.py MNIST_DIR
"""
# The lesson's CNN in PyTorch for one epoch: batch 64, SGD lr 0.01 momentum 0.5, MNIST normalised with
# (0.1307, 0.3081). Run twice: the lesson's way (batches built on the CPU, as a DataLoader does) and with
# the data resident on the GPU. Prints images/s and test accuracy; PyTorch's own defaults apply.
import os, sys, time
import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lesson_nets import LessonCnn as Net, normalised_images, read_idx  # noqa: E402  (written once there)

folder = sys.argv[1]


def idx(name):
    return read_idx(folder, name)


def images(name):
    return normalised_images(idx(name))


train_x, train_y = images("train-images-idx3-ubyte"), torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
test_x, test_y = images("t10k-images-idx3-ubyte"), torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))


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
