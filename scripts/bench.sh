#!/usr/bin/env bash
# The main job: build in release mode, verify every program at each scenario's
# parameters, time the verified ones with hyperfine, and write a new results folder
# with raw JSON, a machine description, tables and charts.
#
#   scripts/bench.sh [--quick] [--only SCENARIO] [--out DIR]
#
# Scenarios: cpu, cpu-granularity, io-fast, io-slow, spawn-cost, spawn-memory.
# --quick runs every scenario at tiny sizes, one run each. Without --out the folder
# is results/<date>-<host>[-quick], never overwritten; a full run into results/ also
# regenerates the README's results section.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

PARADIGMS=(sequential processes threads crossbeam rayon tokio async-std smol
    python-sequential python-multiprocessing python-threading python-asyncio)
SCENARIOS=(cpu cpu-granularity io-fast io-slow spawn-cost spawn-memory)
quick=false only="" out=""

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "bench.sh: $*" >&2; exit 2; }
log() { echo "[bench] $*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=true ;;
        --only) [ $# -ge 2 ] || die "--only needs a scenario"; only=$2; shift ;;
        --out) [ $# -ge 2 ] || die "--out needs a folder"; out=$2; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
if [ -n "$only" ] && [[ " ${SCENARIOS[*]} " != *" $only "* ]]; then
    die "unknown scenario '$only'; one of: ${SCENARIOS[*]}"
fi

# --- the results folder, never overwritten ---------------------------------------
host=$(hostname -s 2>/dev/null || hostname)
if [ -z "$out" ]; then
    out="results/$(date -u +%F)-$host$($quick && echo -quick || true)"
    base=$out n=2
    while [ -e "$out" ]; do out="$base-$n"; n=$((n + 1)); done
elif [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
    die "$out exists and is not empty: results are never overwritten"
fi
mkdir -p "$out/raw"
out=$(cd "$out" && pwd)

# --- hyperfine: on PATH, or installed into .tools/ ---------------------------------
hyperfine_ok() { "$1" --version 2>/dev/null | awk '{split($2, v, "."); exit !(v[1] > 1 || v[2] >= 13)}'; }
HYPERFINE=""
for candidate in "$(command -v hyperfine || true)" "$root/.tools/bin/hyperfine" "$root/.tools/usr/bin/hyperfine"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && hyperfine_ok "$candidate"; then HYPERFINE=$candidate; break; fi
done
if [ -z "$HYPERFINE" ]; then
    log "hyperfine >= 1.13 not found: installing it into .tools/"
    mkdir -p .tools
    # Debian's package, unpacked here (no root needed once the lists exist) ...
    # (a new machine may need the package lists first, which only root can fetch)
    [ "$(id -u)" = 0 ] && ! apt-cache show hyperfine >/dev/null 2>&1 && apt-get update -qq >&2 || true
    if (cd .tools && apt-get download hyperfine >/dev/null 2>&1 && dpkg -x hyperfine_*.deb . && rm -f hyperfine_*.deb) &&
        hyperfine_ok .tools/usr/bin/hyperfine; then
        HYPERFINE=$root/.tools/usr/bin/hyperfine
    else # ... or built from crates.io.
        cargo install hyperfine --locked --root .tools >&2 || die "could not install hyperfine"
        HYPERFINE=$root/.tools/bin/hyperfine
    fi
fi
log "hyperfine: $("$HYPERFINE" --version)"
PYTHON=$(scripts/python.sh) || die "no Python 3.11+ for the Python rows"
log "python: $("$PYTHON" --version) ($PYTHON)"

# --- build, and one api-server for every io scenario ------------------------------
log "building in release mode"
cargo build --release --locked --workspace >&2
bin=$root/target/release
cores=$(nproc)

server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; return 0; }
trap cleanup EXIT
"$bin/api-server" --listen 127.0.0.1:0 --workers "$cores" >"$out/raw/api-server.out" 2>"$out/raw/api-server.err" &
server_pid=$!
for _ in $(seq 100); do grep -q '^listening=' "$out/raw/api-server.out" && break; sleep 0.05; done
server=$(sed -n 's/^listening=//p' "$out/raw/api-server.out")
[ -n "$server" ] || die "api-server did not start: $(cat "$out/raw/api-server.err")"
log "api-server on $server ($cores workers)"

# --- the machine ----------------------------------------------------------------
lock_version() { awk -v n="$1" '$0 == "name = \"" n "\"" {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock; }
{
    echo "date=$(date -u '+%F %T UTC')"
    echo "host=$host"
    echo "mode=$($quick && echo quick || echo full)"
    echo "cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
    echo "cores=$cores"
    echo "memory=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel=$(uname -sr)"
    echo "os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
    echo "rustc=$(rustc --version)"
    echo "hyperfine=$("$HYPERFINE" --version)"
    echo "python=$("$PYTHON" --version 2>&1) ($PYTHON)"
    echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "command=scripts/bench.sh $*"
    echo "crates=$(for c in tokio async-std smol rayon crossbeam hyper; do printf '%s %s, ' "$c" "$(lock_version $c)"; done | sed 's/, $//')"
    echo "port_range=$(tr '\t' ' ' </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)"
    echo "server=api-server --workers $cores, one process for every io scenario"
} >"$out/meta.env"

# --- scenarios: parameters and the cells that are not run --------------------------
# points SCENARIO: the x values of its scan ("-" for a single point).
points() {
    case $1 in
        cpu | io-fast) echo - ;;
        cpu-granularity) $quick && echo 1 100 10000 || echo 1 10 100 1000 10000 100000 ;;
        io-slow) $quick && echo 10 100 || echo 100 1000 10000 ;;
        spawn-cost) $quick && echo 10 100 || echo 100 1000 10000 ;;
        spawn-memory) $quick && echo 0 10 100 || echo 0 1000 10000 100000 ;;
    esac
}
# args SCENARIO X: the program's flags at that point.
args() {
    local s=$1 x=$2
    case $s in
        cpu) $quick && echo --limit 100000 --jobs 100 || echo --limit 2000000 --jobs 1000 ;;
        cpu-granularity) echo --limit "$($quick && echo 100000 || echo 2000000)" --jobs "$x" ;;
        io-fast) echo --requests "$($quick && echo 200 || echo 20000)" --concurrency 4 --delay-ms 0 --bytes 1024 --server "$server" ;;
        io-slow) echo --requests $((2 * x)) --concurrency "$x" --delay-ms "$($quick && echo 20 || echo 100)" --bytes 1024 --server "$server" ;;
        spawn-cost) echo --units "$x" --sleep-ms 0 ;;
        spawn-memory) echo --units "$x" --sleep-ms "$($quick && echo 100 || echo 1000)" ;;
    esac
}
# skip SCENARIO X PARADIGM: why this cell is not run, or nothing.
skip() {
    local s=$1 x=$2 p=$3
    case $s/$p in
        cpu-granularity/python-*) echo "Python: the cpu scenario only (seconds a run)" ;;
        io-slow/sequential | io-slow/python-sequential) echo "one connection: $((2 * x)) requests in a row" ;;
        io-slow/python-*) [ "$x" -gt 1000 ] && echo "Python: up to 1,000 connections" ;;
        io-slow/rayon) echo "rayon: $cores connections (pool size), $((2 * x / cores)) rounds" ;;
        io-slow/processes) [ "$x" -gt 1000 ] && echo "$x processes: above its ceiling of 1,000" ;;
        spawn-cost/processes) [ "$x" -gt 1000 ] && echo "$x processes: above 1,000 (0.6 ms each)" ;;
        spawn-cost/python-multiprocessing) [ "$x" -gt 1000 ] && echo "$x processes: above 1,000" ;;
        spawn-memory/sequential | spawn-memory/python-sequential) [ "$x" -gt 0 ] && echo "units sleep one after another" ;;
        spawn-memory/rayon) [ "$x" -gt 0 ] && echo "sleeping jobs run $cores at a time" ;;
        spawn-memory/processes | spawn-memory/python-multiprocessing) [ "$x" -gt 1000 ] && echo "$x processes: above 1,000" ;;
        spawn-memory/threads | spawn-memory/crossbeam | spawn-memory/python-threading)
            [ "$x" -gt 10000 ] && echo "$x threads: above vm.max_map_count's room" ;;
    esac
    return 0
}
workload_of() { echo "${1%%-*}"; }
# tw_limit X: how many ports may linger in TIME_WAIT before an io run with X
# connections starts: 10,000 new ones need most of the ~28,000 ephemeral ports free.
tw_limit() { if [ "$1" != - ] && [ "$1" -ge 10000 ]; then echo 4000; else echo 12000; fi; }

# --- verify, then time ------------------------------------------------------------
printf 'scenario\tx\tparadigm\tstatus\tdetail\tcommand\n' >"$out/cells.tsv"
for s in "${SCENARIOS[@]}"; do
    [ -n "$only" ] && [ "$s" != "$only" ] && continue
    w=$(workload_of "$s")
    for x in $(points "$s"); do
        cmds=()
        for p in "${PARADIGMS[@]}"; do
            cmd="$bin/$p-$w $(args "$s" "$x") --workers $cores"
            [[ $p == python-* ]] && cmd="$PYTHON $root/examples/python/${w}_${p#python-}.py $(args "$s" "$x") --workers $cores"
            reason=$(skip "$s" "$x" "$p")
            if [ -n "$reason" ]; then
                printf '%s\t%s\t%s\tskipped\t%s\t%s\n' "$s" "$x" "$p" "$reason" "$cmd" >>"$out/cells.tsv"
                continue
            fi
            [ "$w" = io ] && "$root/scripts/wait-time-wait.sh" "$(tw_limit "$x")"
            # One verified run first: a program that fails gets a FAILED cell, never a time.
            rc=0
            line=$(timeout 600 $cmd 2>"$out/raw/stderr.txt") || rc=$?
            if [ $rc -eq 0 ] && [[ " $line " == *" ok=true "* ]]; then
                detail=$(tr ' ' '\n' <<<"$line" | grep -E '^(workers|checksum|peak_rss_kib)=' | paste -sd ' ')
                printf '%s\t%s\t%s\tok\t%s\t%s\n' "$s" "$x" "$p" "$detail" "$cmd" >>"$out/cells.tsv"
                cmds+=("$cmd")
            else
                why=$(tail -n 1 "$out/raw/stderr.txt" | tr '\t' ' ')
                [[ $line == *"ok=false"* ]] && why="wrong checksum: $line"
                printf '%s\t%s\t%s\tFAILED\t%s\t%s\n' "$s" "$x" "$p" "${why:-exit status $rc}" "$cmd" >>"$out/cells.tsv"
                log "$s $x: $p FAILED: ${why:-no result line}"
            fi
        done
        rm -f "$out/raw/stderr.txt"
        [ ${#cmds[@]} -eq 0 ] && continue
        # Warm-up and run counts: tiny in --quick; one run at 10,000 connections,
        # where each run must wait for its ports to leave TIME_WAIT.
        runs=(-w 1 -r 5)
        case $s in spawn-memory | io-slow) runs=(-w 1 -r 3) ;; esac
        [ "$s" = io-slow ] && [ "$x" -ge 10000 ] && runs=(-w 0 -r 1)
        $quick && runs=(-w 0 -r 1)
        prepare=()
        [ "$w" = io ] && prepare=(--prepare "$root/scripts/wait-time-wait.sh $(tw_limit "$x")")
        label=$s; [ "$x" != - ] && label="$s at $x"
        log "$label: timing ${#cmds[@]} programs"
        "$HYPERFINE" -N --style none "${runs[@]}" "${prepare[@]}" --export-json "$out/raw/$s-$x.json" "${cmds[@]}" >/dev/null
    done
done

# --- report ----------------------------------------------------------------------
log "writing the report"
readme=()
if ! $quick && [ -z "$only" ] && [[ $out == "$root/results/"* ]]; then readme=(--readme "$root/README.md"); fi
"$bin/bench-report" "$out" "${readme[@]}"
log "done: $out"
