#!/usr/bin/env bash
# Validates env specs without a cluster: scripts/validate-specs.sh [file.yaml|directory ...]
# (default: env-specs/). Prints file:line:column: message per error; exit 0 when all are valid.
# Runs the plain-Java dev.branchyard.spec.load.ValidateCommand, not the Quarkus application.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
classpath_file="$root/target/validate-specs.classpath"
(
  cd "$root"
  ./mvnw -B -q compile -Dspotless.check.skip=true
  ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=runtime \
    -Dmdep.outputFile="$classpath_file"
)
if [[ $# -eq 0 ]]; then
  cd "$root"
  set -- env-specs
fi
exec java -cp "$root/target/classes:$(cat "$classpath_file")" \
  dev.branchyard.spec.load.ValidateCommand "$@"
