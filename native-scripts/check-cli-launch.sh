#!/usr/bin/env bash
# Checks that the command line runs the same with its jar on the module path (as ./isthmus runs it, native
# access granted to the modules by name) and on the class path (native access for ALL-UNNAMED), and that
# the shaded isthmus.jar runs with -jar. Needs `mvn -pl cli -am package` first (cli/target/lib).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=find-jdk.sh
. "$root/native-scripts/find-jdk.sh"
isthmus_find_jdk || exit 1
java="$JAVA_HOME/bin/java"
jars=("$root"/cli/target/isthmus-cli-*.jar)
[ -f "${jars[0]}" ] && [ -d "$root/cli/target/lib" ] || { echo "check-cli-launch: build first: mvn -pl cli -am package" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for args in "--help" "demo"; do
  name="${args//[^a-z]/}"
  # --illegal-native-access=deny: a module that needs native access but was not named fails instead of warning.
  "$java" --illegal-native-access=deny --enable-native-access=dev.isthmus.core,dev.isthmus.bindings \
    --module-path "${jars[0]}:$root/cli/target/lib" --module dev.isthmus.cli/dev.isthmus.cli.IsthmusCommand $args >"$out/module-$name.txt" 2>&1
  "$java" --illegal-native-access=deny --enable-native-access=ALL-UNNAMED \
    -cp "${jars[0]}:$root/cli/target/lib/*" dev.isthmus.cli.IsthmusCommand $args >"$out/classpath-$name.txt" 2>&1
  "$java" --illegal-native-access=deny --enable-native-access=ALL-UNNAMED -jar "$root/cli/target/isthmus.jar" $args >"$out/shaded-$name.txt" 2>&1
  cmp -s "$out/module-$name.txt" "$out/classpath-$name.txt" && cmp -s "$out/module-$name.txt" "$out/shaded-$name.txt" \
    || { echo "check-cli-launch: 'isthmus $args' differs between module path, class path and -jar:" >&2; diff "$out/module-$name.txt" "$out/classpath-$name.txt" >&2 || true; exit 1; }
  [ -s "$out/module-$name.txt" ] || { echo "check-cli-launch: 'isthmus $args' printed nothing" >&2; exit 1; }
done
# predict reads a PGM through an ImageIO plugin found by ServiceLoader: on the module path that needs the
# plugin's module to be bound as a service provider. A tiny checkpoint is trained first, on an image
# folder of PGM files (two classes: black and white squares), on the module path as well.
pgm() { printf 'P5\n28 28\n255\n' >"$1"; head -c 784 /dev/zero | tr '\0' "$2" >>"$1"; }
mkdir -p "$out/folder/black" "$out/folder/white"
for i in 1 2 3 4; do pgm "$out/folder/black/$i.pgm" '\000'; pgm "$out/folder/white/$i.pgm" '\377'; done
pgm "$out/one.pgm" '\377'
"$java" --enable-native-access=dev.isthmus.core,dev.isthmus.bindings --module-path "${jars[0]}:$root/cli/target/lib" \
  --module dev.isthmus.cli/dev.isthmus.cli.IsthmusCommand train --backend reference --data "$out/folder" --val-split 0.25 \
  --epochs 1 --out "$out/run" >"$out/train.txt" 2>&1 || { echo "check-cli-launch: the tiny training run failed:" >&2; cat "$out/train.txt" >&2; exit 1; }
"$java" --illegal-native-access=deny --enable-native-access=dev.isthmus.core,dev.isthmus.bindings \
  --module-path "${jars[0]}:$root/cli/target/lib" --module dev.isthmus.cli/dev.isthmus.cli.IsthmusCommand \
  predict --backend reference --checkpoint "$out/run/model.safetensors" "$out/one.pgm" >"$out/module-predict.txt" 2>&1
"$java" --illegal-native-access=deny --enable-native-access=ALL-UNNAMED -jar "$root/cli/target/isthmus.jar" \
  predict --backend reference --checkpoint "$out/run/model.safetensors" "$out/one.pgm" >"$out/shaded-predict.txt" 2>&1
cmp -s "$out/module-predict.txt" "$out/shaded-predict.txt" \
  || { echo "check-cli-launch: 'isthmus predict' on a PGM differs between module path and -jar:" >&2; diff "$out/module-predict.txt" "$out/shaded-predict.txt" >&2 || true; exit 1; }
echo "check-cli-launch: --help, demo and predict (PGM) run alike on the module path, the class path and with -jar."
