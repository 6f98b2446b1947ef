"""Writes PyTorch's own forward and backward results for the lesson's three networks as test fixtures.

For the CNN, the Inception net and the residual net (lesson_nets.py), PyTorch initialises the network
(torch.manual_seed(0)), takes a batch of 16 standard-normal 1x28x28 images with random labels
(torch.manual_seed(1)), and records the logits, the mean cross-entropy loss and every parameter's
gradient. One safetensors file per network holds `input`, `labels` (as float32), `logits`,
`init.<parameter>` and `grad.<parameter>`, with the loss, the torch version and this command in the
metadata. For a network with buffers (resnet-bn's BatchNorm running statistics), `after.<buffer>` holds
each buffer after the step (train mode). core's PyTorchGoldenStepTest replays them on the reference backend (and on the CUDA backend
over the CPU stand-in), so CI checks Isthmus against PyTorch itself without needing torch.

Usage: python3 make_golden_step.py OUT_DIR [MODEL...]   (the committed files: core/src/test/resources/pytorch; all models by default)
"""
import os
import sys

import torch
import torch.nn.functional as F

from lesson_nets import MODELS, save_weights

BATCH = 16


def main():
    if len(sys.argv) < 2 or any(name not in MODELS for name in sys.argv[2:]):
        sys.exit(__doc__.split("\n\n")[-1])
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    chosen = sys.argv[2:] or list(MODELS)
    for name in chosen:
        network = MODELS[name]
        torch.manual_seed(0)
        model = network()
        torch.manual_seed(1)
        images = torch.randn(BATCH, 1, 28, 28)
        labels = torch.randint(0, 10, (BATCH,))
        initial = {key: value.detach().clone() for key, value in model.named_parameters()}
        logits = model(images)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        tensors = {"input": images, "labels": labels.to(torch.float32), "logits": logits.detach()}
        for key, value in initial.items():
            tensors["init." + key] = value
        for key, parameter in model.named_parameters():
            tensors["grad." + key] = parameter.grad
        for key, buffer in model.named_buffers():
            tensors["after." + key] = buffer
        metadata = {"loss": repr(loss.item()), "torch": torch.__version__, "generator": "peer/pytorch/make_golden_step.py",
                    "model": name}
        path = os.path.join(out, f"{name}-step.safetensors")
        save_weights(tensors, path, metadata)
        print(f"{path}: {len(initial)} parameters, loss {loss.item():.7f}")


if __name__ == "__main__":
    main()
