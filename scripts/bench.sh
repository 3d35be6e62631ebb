#!/usr/bin/env bash
# The main job: finds or installs what the benchmark needs (hyperfine, Python
# 3.11+, wrk, oha), then hands over to the `bench` crate, which builds, verifies, times and
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
# wrk, the serve scenarios' second opinion on a server's throughput: on PATH, or
# Debian's package and its LuaJIT unpacked into .tools/wrk/ behind a small
# wrapper that finds the library. Without it those cells say why, nothing fails.
WRK=${WRK:-$(command -v wrk || true)}
if [ -z "$WRK" ]; then
    WRK=$root/.tools/wrk/bin/wrk
    if [ ! -x "$WRK" ]; then
        log "wrk not found: installing it into .tools/wrk/"
        [ "$(id -u)" = 0 ] && ! apt-cache show wrk >/dev/null 2>&1 && apt-get update -qq >&2 || true
        mkdir -p .tools/wrk/bin
        if (cd .tools/wrk && apt-get download wrk libluajit-5.1-2 >/dev/null 2>&1 &&
            for deb in ./*.deb; do dpkg -x "$deb" .; done && rm -f ./*.deb); then
            printf '#!/bin/sh\nhere=$(dirname "$0")/..\nLD_LIBRARY_PATH="$here/usr/lib/x86_64-linux-gnu:$here/usr/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/usr/bin/wrk" "$@"\n' >"$WRK"
            chmod +x "$WRK"
        else
            log "could not install wrk: the serve scenarios will say so"
            rm -rf .tools/wrk
            WRK=""
        fi
    fi
fi
[ -n "$WRK" ] && export WRK || unset WRK
# oha, serve-load's second opinion on latency under offered load (an open-loop
# generator that is not ours): on PATH, or built from crates.io once per machine
# (about five minutes) into a cache shared by every clone of the project
# ($XDG_CACHE_HOME, or ~/.cache). With the system's OpenSSL where pkg-config
# finds it, else oha's default rustls. Without it those cells say why, nothing fails.
OHA_VERSION=1.16.0
OHA=${OHA:-$(command -v oha || true)}
if [ -z "$OHA" ]; then
    oha_root=${XDG_CACHE_HOME:-$HOME/.cache}/rust-concurrency-bench/oha-$OHA_VERSION
    OHA=$oha_root/bin/oha
    if [ ! -x "$OHA" ]; then
        log "oha not found: building oha $OHA_VERSION into $oha_root (about five minutes, once per machine)"
        features=()
        pkg-config --exists openssl 2>/dev/null && features=(--no-default-features --features native-tls)
        cargo install oha --version "$OHA_VERSION" --locked "${features[@]}" --root "$oha_root" >&2 ||
            { log "could not install oha: serve-load will say so"; OHA=""; }
    fi
fi
[ -n "$OHA" ] && export OHA || unset OHA
PYTHON=$(scripts/python.sh) || { log "no Python 3.11+ for the Python rows"; exit 1; }
export HYPERFINE PYTHON BENCH_INVOKED_AS=scripts/bench.sh
# The release build, with cargo's progress shown (bench's own build is then a
# no-op): a first build takes a few minutes and must not look like a hang.
quiet=""
for arg in "$@"; do
    case $arg in --quiet) quiet=--quiet ;; --bin) quiet=skip ;; esac
done
if [ "$quiet" != skip ]; then
    [ -n "$quiet" ] || log "building the workspace (release; a first build takes a few minutes)"
    cargo build $quiet --release --locked --workspace --bins
fi
# exec: a signal to this script reaches bench itself, which stops everything it started.
exec cargo run --quiet --release --locked -p bench -- run "$@"
