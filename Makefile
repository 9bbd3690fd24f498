# The two commands of the README, and the helpers they are made of.
.PHONY: run test platform-up platform-down platform-status crds format

## Run Branchyard (dev mode) on your cluster, or on a local platform when none is configured.
run:
	@scripts/run.sh

## Run every test (unit + integration against a real local control plane, registry, buildah).
test:
	@scripts/test.sh

## Start/stop/inspect the local platform on its own (state in $${TMPDIR:-/tmp}/branchyard-local).
platform-up:
	@scripts/local-platform.sh up
platform-down:
	@scripts/local-platform.sh down
platform-status:
	@scripts/local-platform.sh status

## Regenerate k8s/crds/ from the Java classes of the custom resources.
crds:
	@./mvnw -B -q test -Dtest=CustomResourceDefinitionsTest -Dbranchyard.crds.write=true \
	  -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip=true

## Format the Java sources (the build fails on unformatted code).
format:
	@./mvnw -B -q spotless:apply
