# Sourced by the peer scripts: builds the libtorch peer harness (peer/libtorch) when missing or stale and
# sets peer_classpath to its class path. The harness depends on isthmus-core (ParityMain trains both from
# one start), so the product's core is installed into the local Maven repository first.
# Needs: root (the checkout), JAVA_HOME (a JDK 25; find-jdk.sh sets it) and the name of the calling script
# in peer_script for messages.

isthmus_build_peer() {
  local peer_dir="$root/peer/libtorch" peer_build="$root/peer/libtorch/target"
  if [ ! -f "$peer_build/classpath.txt" ] || [ -n "$(find "$peer_dir/pom.xml" "$peer_dir/src" "$root/pom.xml" \
      "$root/core/pom.xml" "$root/core/src/main" "$root/bindings/src/main" -newer "$peer_build/classpath.txt" -print -quit)" ]; then
    echo "Building the libtorch peer (the first build downloads libtorch, about 110 MB) ..." >&2
    (cd "$root" && mvn -B -q install -DskipTests -pl core -am && \
      mvn -B -q -f peer/libtorch/pom.xml -Disthmus.buildDir=target package) >&2 || {
      echo "$peer_script: the peer build failed; run 'mvn install -DskipTests -pl core -am && mvn -f peer/libtorch/pom.xml package' to see why." >&2
      return 1; }
    # The dependency plugin leaves an unchanged classpath.txt untouched; mark the build as newer than the sources.
    touch "$peer_build/classpath.txt"
  fi
  peer_classpath="$peer_build/classes:$(cat "$peer_build/classpath.txt")"
}

# Makes sure the four MNIST IDX files (raw or .gz) are in folder $1, fetching them with fetch-mnist.sh.
isthmus_peer_mnist() {
  local folder="$1" name missing=false
  for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$folder/$name" ] || [ -f "$folder/$name.gz" ] || missing=true
  done
  $missing || return 0
  mkdir -p "$folder" && "$root/native-scripts/fetch-mnist.sh" "$folder" || {
    echo "$peer_script: MNIST is missing from $folder and could not be fetched (see above); put the four IDX files there." >&2
    return 1; }
}
