#!/usr/bin/env bash
# The one command that runs every check and test on a fresh Debian machine.
# It installs what is missing first: Deno (from npm), Prosody and ejabberd (from Debian, for the
# XMPP tests, which start their own servers on 127.0.0.1; the system services are never used).
set -euo pipefail
cd "$(dirname "$0")/.."

DENO_VERSION=2.9.6

if ! command -v deno >/dev/null 2>&1 || ! deno --version | head -n1 | grep -q " ${DENO_VERSION} "; then
  echo "== installing Deno ${DENO_VERSION} from npm"
  npm install --global --no-fund --no-audit "deno@${DENO_VERSION}"
fi

missing=()
command -v prosody >/dev/null 2>&1 || missing+=(prosody)
command -v ejabberdctl >/dev/null 2>&1 || [ -x /usr/sbin/ejabberdctl ] || missing+=(ejabberd)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "The XMPP tests need the Debian package(s) ${missing[*]} (as root: apt-get install ${missing[*]})." >&2
    exit 1
  fi
  echo "== installing ${missing[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export NO_COLOR=1
echo "== formatting, lint and type check"
deno task --quiet check

echo "== tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
deno task --quiet test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line, whatever Deno's own summary looks like.
summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$log" | tail -n1 || true)
passed=$(echo "$summary" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
failed=$(echo "$summary" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0)
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -eq 0 ] && [ "${passed:-0}" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
