"""Writes PyTorch's own Adam and AdamW steps as a test fixture: parameters and optimizer state after every step.

The lesson CNN (lesson_nets.py) is initialised with torch.manual_seed(0). Three of its parameters
(conv1.weight, conv1.bias, fc.bias; the others get no gradient, so PyTorch's optimizer skips them, as
Isthmus's does) are trained for STEPS steps, each on a new batch of 16 standard-normal images with random
labels (torch.manual_seed(1)), by torch.optim.Adam (L2 weight decay) and, from the same start, by
torch.optim.AdamW (decoupled weight decay), both with foreach=False (PyTorch's single-tensor path, the
formulas Isthmus follows) and a learning rate that changes every step (a schedule).

The safetensors file holds `init.<parameter>` and, for OPT in adam and adamw and step t from 1,
`OPT.<t>.grad.<parameter>` (the gradient the step used), `OPT.<t>.param.<parameter>`,
`OPT.<t>.exp_avg.<parameter>` and `OPT.<t>.exp_avg_sq.<parameter>` after the step; the metadata holds each
optimizer's hyper-parameters, its learning rate per step, and the step count PyTorch's state reached.
core's PyTorchGoldenAdamSuite replays it on the reference, cpu and CUDA (stand-in) backends.

Usage: /usr/bin/python3 make_golden_optimizer.py OUT_FILE   (the committed file: core/src/test/resources/pytorch/adam-steps.safetensors)
"""
import sys

import torch
import torch.nn.functional as F

from lesson_nets import MODELS, save_weights

STEPS = 4
BATCH = 16
TRAINED = ["conv1.weight", "conv1.bias", "fc.bias"]
LEARNING_RATES = [1e-2, 2e-2, 1.5e-2, 5e-3]
OPTIMIZERS = {
    "adam": (torch.optim.Adam, dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
    "adamw": (torch.optim.AdamW, dict(betas=(0.85, 0.995), eps=1e-6, weight_decay=0.05)),
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[-1])
    torch.manual_seed(0)
    initial = MODELS["cnn"]().state_dict()
    torch.manual_seed(1)
    batches = [(torch.randn(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))) for _ in range(STEPS)]
    tensors = {"init." + name: initial[name] for name in TRAINED}
    metadata = {"torch": torch.__version__, "generator": "peer/pytorch/make_golden_optimizer.py", "model": "cnn",
                "trained": ",".join(TRAINED), "steps": str(STEPS), "lr": ",".join(repr(lr) for lr in LEARNING_RATES)}
    for name, (kind, settings) in OPTIMIZERS.items():
        model = MODELS["cnn"]()
        model.load_state_dict(initial)
        parameters = dict(model.named_parameters())
        for key, parameter in parameters.items():
            parameter.requires_grad_(key in TRAINED)
        optimizer = kind([parameters[key] for key in TRAINED], lr=LEARNING_RATES[0], foreach=False, **settings)
        for step, (images, labels) in enumerate(batches, start=1):
            for group in optimizer.param_groups:
                group["lr"] = LEARNING_RATES[step - 1]
            optimizer.zero_grad()
            F.cross_entropy(model(images), labels).backward()
            for key in TRAINED:
                tensors[f"{name}.{step}.grad.{key}"] = parameters[key].grad.clone()
            optimizer.step()
            for key in TRAINED:
                state = optimizer.state[parameters[key]]
                tensors[f"{name}.{step}.param.{key}"] = parameters[key].detach().clone()
                tensors[f"{name}.{step}.exp_avg.{key}"] = state["exp_avg"].clone()
                tensors[f"{name}.{step}.exp_avg_sq.{key}"] = state["exp_avg_sq"].clone()
        metadata[name + ".betas"] = ",".join(repr(b) for b in settings["betas"])
        metadata[name + ".eps"] = repr(settings["eps"])
        metadata[name + ".weight_decay"] = repr(settings["weight_decay"])
        metadata[name + ".state_step"] = repr(optimizer.state[parameters[TRAINED[0]]]["step"].item())
    save_weights(tensors, sys.argv[1], metadata)
    print(f"{sys.argv[1]}: {len(tensors)} tensors, {sum(t.numel() for t in tensors.values())} floats")


if __name__ == "__main__":
    main()
