# Helm 3, for the chart in deploy/helm/kguardian (its lint, template and dry-run tests; docs/install.md),
# built from source and cached (scripts/lib/helm.sh). Under scripts/test.sh, its background builds make it
# (scripts/lib/builds.sh).
source scripts/lib/helm.sh
[ -n "${KG_BUILDS_IN_BACKGROUND:-}" ] || helm_build >/dev/null
