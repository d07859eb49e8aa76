#!/usr/bin/env bash
# Runs the whole test suite (main + fault suite) and ends with one line "N passed, N failed".
# Where gnome-keyring and dbus are installed, everything runs inside a private D-Bus session with an
# unlocked Secret Service, and the keychain tests are required (OAUTH_MCP_TEST_KEYRING=1).
set -uo pipefail
cd "$(dirname "$0")/.."
rm -rf test-results && mkdir -p test-results

# The same subset on every extra leg, to keep CI within its time; the Node 22 leg adds the conformance
# suite and the Inspector's own OAuth (the newer ones from $OAUTH_MCP_NODE22_TOOLS, see
# test/helpers/mcp-tools.ts; the Inspector 0.x on Node 20 has no OAuth in its CLI).
LEG_TESTS="test/e2e test/sign-in test/unit test/tools"

leg_tests() {
  case "$1" in
    22) echo "$LEG_TESTS test/http/conformance.test.ts test/http/inspector-oauth.test.ts" ;;
    *) echo "$LEG_TESTS" ;;
  esac
}

leg_node() {
  case "$1" in
    22) echo "${OAUTH_MCP_NODE22:-}" ;;
    24) echo "${OAUTH_MCP_NODE24:-}" ;;
  esac
}

run_suites() {
  local status=0
  npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/main.json "$@" || status=1
  npx vitest run --config vitest.faults.config.ts --reporter=default --reporter=json \
    --outputFile.json=test-results/faults.json || status=1
  # More runtime legs: users run Node 20, 22 and 24. The spawned servers run on that node too.
  for leg in 22 24; do
    local node_bin
    node_bin=$(leg_node "$leg")
    [ -n "$node_bin" ] || continue
    echo "--- end-to-end tests again on Node $("$node_bin" --version)"
    "$node_bin" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
      --outputFile.json="test-results/node$leg.json" $(leg_tests "$leg") || status=1
  done
  return $status
}

if [ "${OAUTH_MCP_IN_KEYRING_SESSION:-}" = 1 ]; then
  # inside the D-Bus session started below
  echo -n "oauth-mcp-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export OAUTH_MCP_TEST_KEYRING=1
  run_suites "$@"
  exit $?
fi

status=0
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  keyring_home=$(mktemp -d)
  mkdir -m 700 "$keyring_home/data" "$keyring_home/runtime"
  XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/runtime" OAUTH_MCP_IN_KEYRING_SESSION=1 \
    dbus-run-session -- bash "$0" "$@" || status=1
  rm -rf "$keyring_home"
else
  echo "note: gnome-keyring/dbus not installed: keychain tests are skipped (bash .ci/run installs them)" >&2
  run_suites "$@" || status=1
fi
reports=(test-results/main.json test-results/faults.json)
[ -n "${OAUTH_MCP_NODE22:-}" ] && reports+=(test-results/node22.json)
[ -n "${OAUTH_MCP_NODE24:-}" ] && reports+=(test-results/node24.json)
node scripts/test-summary.mjs "${reports[@]}"
exit $status
