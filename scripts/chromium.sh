#!/usr/bin/env bash
# Prints the path of a Chromium for the test of report.html (bench/tests/page.rs:
# headless, --dump-dom). $CHROMIUM if set (and it must name one, as the test
# requires), else chromium, chromium-browser or google-chrome on PATH; else, as
# root with apt-get, installs Debian's chromium; else it says what to install and
# exits 1. Usage: CHROMIUM=$(scripts/chromium.sh)
set -euo pipefail
if [ -n "${CHROMIUM:-}" ]; then
    command -v "$CHROMIUM" && exit 0
    echo "chromium.sh: CHROMIUM=$CHROMIUM: no such program" >&2
    exit 1
fi
for candidate in chromium chromium-browser google-chrome; do
    command -v "$candidate" >/dev/null && { command -v "$candidate"; exit 0; }
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "chromium.sh: no Chromium: installing Debian's chromium" >&2
    { apt-cache show chromium >/dev/null 2>&1 || apt-get update -qq; } >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
    [ -x /usr/bin/chromium ] && { echo /usr/bin/chromium; exit 0; }
fi
echo "chromium.sh: the page's test needs Chromium (chromium, chromium-browser or google-chrome on PATH, or set CHROMIUM)" >&2
exit 1
