# Sourced by ./mvnw (/bin/sh), ./steer and .ci/run (bash): makes JAVA_HOME point at a JDK 25 or newer.
# Order: JAVA_HOME if it is a 25+ JDK, the java on PATH if it is a 25+ JDK, then the usual install folders.
# A JDK means bin/java and bin/javac: a JRE 25 is passed over (Maven cannot compile with it).
# Prints one clear line and returns 1 when there is none. Safe under set -u with HOME unset (env -i).

steer_java_major() {
  local version
  version=$("$1" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
  echo "${version:-0}"
}

# True when $1 is a JDK 25 or newer home: an executable bin/java of version 25+ and an executable bin/javac.
steer_is_jdk25() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(steer_java_major "$1/bin/java")" -ge 25 ]
}

steer_find_jdk25() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && steer_is_jdk25 "$JAVA_HOME"; then
    return 0
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if steer_is_jdk25 "$candidate"; then
      JAVA_HOME=$candidate
      export JAVA_HOME
      return 0
    fi
  fi
  # The caller may run with globbing off (mvnw uses set -f): turn it on for the search only.
  # HOME may be unset (env -i, some CI runners): then its folders are left out, not read as /.jdks.
  local noglob=0
  case $- in *f*) noglob=1; set +f ;; esac
  for candidate in /usr/lib/jvm/*25* /usr/lib/jvm/*-2[6-9]* /usr/lib/jvm/*-[3-9][0-9]* \
                   /opt/java/* /opt/jdk* \
                   ${HOME:+"$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*}; do
    if steer_is_jdk25 "$candidate"; then
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
