#!/usr/bin/env bash
# The main job: finds or installs what the benchmark needs (hyperfine, Python
# 3.11+), then hands over to the `bench` crate, which builds, verifies, times and
# reports. Every argument goes to `bench run`:
#
#   scripts/bench.sh [--quick] [--only SCENARIO[,..]] [--out DIR] [--quiet] [--raise-limits] [--bin DIR]
#
# See `scripts/bench.sh --help` (bench's own) and the README's Benchmarks section.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
log() { echo "[bench.sh] $*" >&2; }
for arg in "$@"; do
    case $arg in -h | --help) exec cargo run --quiet --release --locked -p bench -- run --help ;; esac
done

# hyperfine >= 1.13: on PATH, or installed into .tools/ (no root needed then).
hyperfine_ok() { "$1" --version 2>/dev/null | awk '{split($2, v, "."); exit !(v[1] > 1 || v[2] >= 13)}'; }
HYPERFINE=""
for candidate in "${HYPERFINE_PATH:-}" "$(command -v hyperfine || true)" "$root/.tools/bin/hyperfine" "$root/.tools/usr/bin/hyperfine"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && hyperfine_ok "$candidate"; then HYPERFINE=$candidate; break; fi
done
if [ -z "$HYPERFINE" ]; then
    log "hyperfine >= 1.13 not found: installing it into .tools/"
    mkdir -p .tools
    # Debian's package, unpacked here (a new machine may need the package lists
    # first, which only root can fetch) ...
    [ "$(id -u)" = 0 ] && ! apt-cache show hyperfine >/dev/null 2>&1 && apt-get update -qq >&2 || true
    if (cd .tools && apt-get download hyperfine >/dev/null 2>&1 && dpkg -x hyperfine_*.deb . && rm -f hyperfine_*.deb) &&
        hyperfine_ok .tools/usr/bin/hyperfine; then
        HYPERFINE=$root/.tools/usr/bin/hyperfine
    else # ... or built from crates.io.
        cargo install hyperfine --locked --root .tools >&2 || { log "could not install hyperfine"; exit 1; }
        HYPERFINE=$root/.tools/bin/hyperfine
    fi
fi
PYTHON=$(scripts/python.sh) || { log "no Python 3.11+ for the Python rows"; exit 1; }
export HYPERFINE PYTHON BENCH_INVOKED_AS=scripts/bench.sh
# exec: a signal to this script reaches bench itself, which stops everything it started.
exec cargo run --quiet --release --locked -p bench -- run "$@"
