#!/usr/bin/env bash
# Trains the lesson's CNN with Isthmus's reference backend and with libtorch's CPU build in one process,
# from the same initial weights (Isthmus's seeded initialisation, copied into libtorch) on the same
# batches in the same order, and prints how far the two drift apart: loss of selected steps of epoch 1,
# per epoch the largest per-step loss difference, the largest parameter difference relative to the
# tensor's RMS, both test accuracies, and on how many test images both predict the same class.
# Identical losses for the first steps show Isthmus computes the same forward, backward and update as
# PyTorch; later differences come from float32 rounding orders and grow as in any chaotic system.
#
# Usage: native-scripts/peer-parity.sh [--data DIR] [--epochs N] [--seed N] [--threads N] [--json FILE]
#   --data DIR    MNIST IDX files (raw or .gz); fetched there when missing
#                 (default: $XDG_CACHE_HOME/isthmus/mnist or ~/.cache/isthmus/mnist, Isthmus's own cache)
#   --epochs N    epochs to train both (default 1)
#   --seed N      Isthmus seed for the initial weights and the batch order (default 42, as isthmus train)
#   --threads N   libtorch intra-op threads (default: all cores)
#   --json FILE   also write every figure as JSON
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=native-scripts/find-jdk.sh
. "$root/native-scripts/find-jdk.sh"
peer_script=peer-parity
# shellcheck source=native-scripts/peer-build.sh
. "$root/native-scripts/peer-build.sh"

data="${XDG_CACHE_HOME:-$HOME/.cache}/isthmus/mnist"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="${2:?--data needs a folder}"; shift 2 ;;
    --epochs|--seed|--threads)
      case "${2:-}" in ''|*[!0-9]*) echo "peer-parity: $1 needs a whole number, got '${2:-}'" >&2; exit 2 ;; esac
      args+=("$1" "$2"); shift 2 ;;
    --json) args+=(--json "${2:?--json needs a file}"); shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "peer-parity: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

isthmus_find_jdk || exit 1
isthmus_peer_mnist "$data" || exit 2
isthmus_build_peer || exit 1
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$peer_classpath" \
  dev.isthmus.peer.libtorch.ParityMain --data "$data" "${args[@]}"
