# Sourced by ./isthmus, .ci/run and the native scripts: sets JAVA_HOME to a JDK 25 or newer.
# Looks at JAVA_HOME first, then the usual JDK folders; fails with a clear message otherwise.

isthmus_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1
}

isthmus_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(isthmus_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "isthmus: JDK 25 or newer not found (looked at JAVA_HOME='${JAVA_HOME:-}' and /usr/lib/jvm, /opt/java, ~/.sdkman, ~/.jdks). Install a JDK 25 (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
