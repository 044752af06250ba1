# Sourced by ./mvnw, ./steer and .ci/run: makes JAVA_HOME point at a JDK 25 or newer.
# Order: JAVA_HOME if it is 25+, the java on PATH if it is 25+, then the usual install folders.
# Prints one clear line and returns 1 when there is none.

steer_java_major() {
  local version
  version=$("$1" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
  echo "${version:-0}"
}

steer_find_jdk25() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(steer_java_major "$JAVA_HOME/bin/java")" -ge 25 ]; then
    return 0
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(readlink -f "$(command -v java)")
    if [ "$(steer_java_major "$candidate")" -ge 25 ]; then
      JAVA_HOME=$(dirname "$(dirname "$candidate")")
      export JAVA_HOME
      return 0
    fi
  fi
  # The caller may run with globbing off (mvnw uses set -f): turn it on for the search only.
  local noglob=0
  case $- in *f*) noglob=1; set +f ;; esac
  for candidate in /usr/lib/jvm/*25* /usr/lib/jvm/*-2[6-9]* /usr/lib/jvm/*-[3-9][0-9]* \
                   /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    if [ -x "$candidate/bin/javac" ] && [ "$(steer_java_major "$candidate/bin/java")" -ge 25 ]; then
      JAVA_HOME=$candidate
      export JAVA_HOME
      [ "$noglob" = 1 ] && set -f
      return 0
    fi
  done
  [ "$noglob" = 1 ] && set -f
  echo "steer: no JDK 25 found (JAVA_HOME=${JAVA_HOME:-unset}); install one or set JAVA_HOME to it" >&2
  return 1
}

steer_find_jdk25
