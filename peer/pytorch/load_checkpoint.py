"""Loads an Isthmus checkpoint into the PyTorch lesson's network and evaluates it on the MNIST test set.

Checks what the README promises: the safetensors file is read (`safetensors.torch.load_file`, or
lesson_nets.load_weights where only torch is installed), `load_state_dict` (strict) accepts it, buffers
included, into the network written in PyTorch (the CNN; the Inception, residual or batch-normalised residual
net with --model), and the network then classifies the test set in eval mode as `isthmus eval` does. Prints
the accuracy and the confusion matrix in `isthmus eval`'s layout, and the predicted class of every test image
to a file when asked.

Usage: python3 load_checkpoint.py CHECKPOINT DATA_DIR [--model cnn|inception|resnet|resnet-bn]
                                  [--dataset mnist|fashion-mnist] [--predictions FILE]
Needs torch (e.g. Debian's python3-torch); the safetensors package is used when installed.
"""
import argparse

import torch

from lesson_nets import MODELS, NORMALISATION, load_weights, normalised_images, read_idx


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("data_dir", help="the test set's IDX files (plain or .gz)")
    parser.add_argument("--model", choices=sorted(MODELS), default="cnn", help="the network the checkpoint holds (default: cnn)")
    parser.add_argument("--dataset", choices=sorted(NORMALISATION), default="mnist",
                        help="the data set the checkpoint was trained on, for its normalisation (default: mnist)")
    parser.add_argument("--predictions", help="write one predicted class per line for the 10,000 test images")
    args = parser.parse_args()

    state = load_weights(args.checkpoint)
    model = MODELS[args.model]()
    model.load_state_dict(state, strict=True)  # raises on a missing, extra or misshapen tensor
    model.eval()

    images = normalised_images(read_idx(args.data_dir, "t10k-images-idx3-ubyte"), args.dataset)
    labels = torch.from_numpy(read_idx(args.data_dir, "t10k-labels-idx1-ubyte").astype("int64"))
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
