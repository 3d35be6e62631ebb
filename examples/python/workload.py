"""What the Python programs share that is not the paradigm.

The Python twin of the Rust crate `workload` (shared/workload): the same flags and
defaults, the four workloads as pure functions with the same checksums, the
result line and its self-check, the io latency percentiles, the memory probes, the
open-file limit, HTTP bytes and a blocking client on `http.client`, and the
api-server an io program talks to.
Like the crate, it never starts a thread, a process or an event loop, and never
passes a ring's token on.

Standard library only; Python 3.11 or newer.
"""

import argparse
import contextlib
import http.client
import math
import os
import resource
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
U64 = (1 << 64) - 1
MAX_DELAY_MS = 60_000
MAX_BYTES = 16 << 20
# --work above MAX_WORK, or --requests x --work above MAX_WORK_TOTAL, is refused.
MAX_WORK = 1_000_000
MAX_WORK_TOTAL = 10_000_000_000
# pi(N) for the limits the benchmarks use; any other limit is sieved.
KNOWN_PI = {100: 25, 100_000: 9_592, 1_000_000: 78_498, 2_000_000: 148_933,
            5_000_000: 348_513, 10_000_000: 664_579}
# The parameters of each workload, in result-line order.
PARAMS = {"cpu": ("limit", "jobs"),
          "io": ("requests", "concurrency", "delay_ms", "bytes", "work"),
          "spawn": ("units", "sleep_ms"), "ring": ("units", "laps")}
# The FNV-1a 64 prime: a ring's hop multiplies by it, as fnv1a64 does.
FNV_PRIME = 0x100000001B3
# The sieve of expected_prime_count marks this many numbers at a time.
SEGMENT = 1 << 18


class Error(Exception):
    """A failure that `main` prints as one line, `Error: <what>: <why>`, exiting 1."""


def main(program):
    """Runs `program()`: an Error or OSError (also from inside a TaskGroup) becomes
    one line on stderr and exit status 1; Ctrl-C exits 130 without a traceback."""
    try:
        program()
    except KeyboardInterrupt:
        sys.exit(130)
    except (Error, OSError, ExceptionGroup) as e:
        while isinstance(e, ExceptionGroup):
            e = e.exceptions[0]
        if not isinstance(e, (Error, OSError)):
            raise e
        print(f"Error: {e}", file=sys.stderr)
        sys.exit(1)


# --- flags ------------------------------------------------------------------------

def count(minimum, maximum=None, why=None):
    """An argparse type: an integer in [minimum, maximum], with a plain message
    (and `why`, if given, after a too-small one)."""
    def parse(text):
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid digit found in {text!r}") from None
        if n < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}"
                                             + (f": {why}" if why else ""))
        if maximum is not None and n > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}")
        return n
    return parse


def parse_args(workload, program, argv=None, blocking=False):
    """The flags of `workload` (cpu, io, spawn or ring), as every Rust program takes them.
    A `blocking` io client refuses --offload: it has no event loop to keep free."""
    p = argparse.ArgumentParser(prog=program, description={
        "cpu": "Count the primes below --limit by trial division, split into --jobs ranges.",
        "io": "Fetch --requests bodies from the api-server over at most --concurrency "
              "keep-alive HTTP/1.1 connections, and check them with FNV-1a 64; with "
              "--work, count primes after each answer. Prints each request's latency "
              "percentiles.",
        "spawn": "Start --units units; unit i sleeps --sleep-ms, then returns i + 2.",
        "ring": "Pass a token --laps times around a ring of --units units, each talking "
                "only to its neighbours.",
    }[workload])
    if workload == "cpu":
        p.add_argument("--limit", metavar="N", type=count(0), default=2_000_000,
                       help="count the primes in [0, N) (default: %(default)s)")
        p.add_argument("--jobs", metavar="J", type=count(1), default=1_000,
                       help="split [0, N) into J ranges of width ceil(N / J) (default: %(default)s)")
    elif workload == "io":
        p.add_argument("--requests", metavar="R", type=count(0), default=1_000,
                       help="requests to make, with ids 0..R (default: %(default)s)")
        p.add_argument("--concurrency", metavar="C", type=count(1), default=100,
                       help="at most C connections open at any time (default: %(default)s)")
        p.add_argument("--delay-ms", metavar="D", type=count(0, MAX_DELAY_MS), default=50,
                       help="the server waits D ms before each answer (default: %(default)s)")
        p.add_argument("--bytes", metavar="B", type=count(0, MAX_BYTES), default=1_024,
                       help="body bytes per response (default: %(default)s)")
        p.add_argument("--work", metavar="N", type=count(0, MAX_WORK), default=0,
                       help="after reading answer i, count the primes in [i*N, i*N + N) "
                            "(CPU work per request; default: %(default)s)")
        p.add_argument("--offload", action="store_true",
                       help="async clients only: count --work's primes in the event "
                            "loop's default thread pool, not on the loop's own thread")
        p.add_argument("--server", metavar="HOST:PORT",
                       help="a running api-server; without it, one is started for this run")
    elif workload == "spawn":
        p.add_argument("--units", metavar="K", type=count(0), default=1_000,
                       help="units to start (default: %(default)s)")
        p.add_argument("--sleep-ms", metavar="D", type=count(0), default=0,
                       help="each unit sleeps D ms with the paradigm's own sleep (default: %(default)s)")
    else:
        p.add_argument("--units", metavar="K", type=count(2, why="a ring needs a neighbour"),
                       default=100, help="units in the ring: unit u receives only from u - 1 "
                       "and sends only to u + 1, mod K (default: %(default)s)")
        p.add_argument("--laps", metavar="M", type=count(1), default=1_000,
                       help="times the token goes around: K * M hops in all (default: %(default)s)")
    p.add_argument("--workers", metavar="W", type=count(1), default=os.cpu_count() or 1,
                   help="processes or threads to use, where the paradigm has a pool "
                        "(default: the number of cores, %(default)s)")
    args = p.parse_args(argv)
    args.workload = workload
    if workload == "io" and args.requests * args.work > MAX_WORK_TOTAL:
        p.error(f"--requests {args.requests} x --work {args.work} is above {MAX_WORK_TOTAL}: "
                "the primes below it take too long to count")
    if workload == "io" and blocking and args.offload:
        p.error(f"--offload is for the async clients: {program} counts --work's primes "
                "on each connection's own thread or process already")
    return args


# --- the result line ----------------------------------------------------------------

def expected_checksum(args):
    if args.workload == "cpu":
        return expected_prime_count(args.limit)
    if args.workload == "io":
        return expected_io_checksum(args.requests, args.bytes, args.work)
    if args.workload == "ring":
        return expected_ring_checksum(args.units, args.laps)
    return args.units * (args.units + 3) // 2


def report(args, paradigm, workers, checksum, children_pss_kib=0, latencies_us=None):
    """Prints the result line, with an io run's percentiles of `latencies_us` (one
    per request); a wrong checksum is an Error after it."""
    expected = expected_checksum(args)
    params = " ".join(f"{key}={getattr(args, key)}" for key in PARAMS[args.workload])
    if getattr(args, "offload", False):
        params += " offload=true"
    latency = ""
    if args.workload == "io":
        p50, p99, top = percentiles(latencies_us)
        latency = f" p50_us={p50} p99_us={p99} max_us={top}"
    print(f"workload={args.workload} paradigm={paradigm} {params} workers={workers} "
          f"checksum={checksum} ok={str(checksum == expected).lower()}{latency} "
          f"peak_rss_kib={peak_rss_kib() + children_pss_kib}", flush=True)
    if checksum != expected:
        raise Error(f"checksum {checksum} is wrong: expected {expected}")


def percentiles(latencies_us):
    """(p50, p99, max) of the latencies, nearest-rank: the exact value at rank
    ceil(q * n) of the sorted values, the rank in the same float arithmetic as the
    Rust crate's HDR histogram (which, unlike this, gives p50 and p99 of 2,048 us
    and more to three significant digits); all 0 when there are none."""
    if not latencies_us:
        return 0, 0, 0
    ordered = sorted(latencies_us)
    p50, p99 = (ordered[max(math.ceil(q * len(ordered)), 1) - 1] for q in (0.5, 0.99))
    return p50, p99, ordered[-1]


# --- the machine --------------------------------------------------------------------

def _proc_kib(path, key):
    """A `Key:   123 kB` field of a /proc file, in KiB; 0 where there is no /proc."""
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def peak_rss_kib():
    """This process's peak resident memory (VmHWM), as the Rust programs read it."""
    return _proc_kib("/proc/self/status", "VmHWM")


def own_pss_kib():
    """This process's proportional set size: shared pages split among their users."""
    return _proc_kib("/proc/self/smaps_rollup", "Pss")


def exit_status(code):
    """A child's `Process.exitcode` in words: `exit code 1`, `killed by signal 9 (SIGKILL)`."""
    if code is not None and code < 0:
        return f"killed by signal {-code} ({signal.Signals(-code).name})"
    return f"exit code {code}"


def raise_open_file_limit():
    """Raises the soft open-file limit to the hard one: a connection is a file."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- cpu ----------------------------------------------------------------------------

def job_range(limit, jobs, k):
    """Job k's range [start, end): width ceil(limit / jobs), the last may be shorter."""
    width = -(-limit // jobs)
    start = min(k * width, limit)
    return start, min(start + width, limit)


def is_prime(n):
    """Trial division by odd d with d * d <= n, exactly as the spec says."""
    if n < 4:
        return n >= 2
    if n % 2 == 0:
        return False
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_primes(start, end):
    return sum(1 for n in range(start, end) if is_prime(n))


def expected_prime_count(limit):
    """pi(limit), from KNOWN_PI or a sieve: another algorithm than the workload's.
    The sieve goes a segment at a time, so that an io run's pi(R*N) (up to 10^10)
    does not raise the peak memory it reports."""
    if limit in KNOWN_PI:
        return KNOWN_PI[limit]
    root = math.isqrt(limit)
    small = bytearray([1]) * (root + 1)
    for p in range(2, math.isqrt(root) + 1):
        if small[p]:
            small[p * p::p] = bytes(len(range(p * p, root + 1, p)))
    base = [p for p in range(2, root + 1) if small[p]]
    count = 0
    for low in range(0, limit, SEGMENT):
        size = min(SEGMENT, limit - low)
        segment = bytearray([1]) * size
        for p in base:
            first = max(p * p, -(-low // p) * p) - low
            segment[first::p] = bytes(len(range(first, size, p)))
        count += segment.count(1)
    return count - min(limit, 2)  # 0 and 1 are never crossed out


# --- ring ---------------------------------------------------------------------------

def hop(t, unit):
    """What unit `unit` does to the token `t` it receives: `(t ^ unit) * FNV_PRIME`,
    wrapped to 64 bits."""
    return ((t ^ unit) * FNV_PRIME) & U64


def receiver(h, units):
    """The unit that receives hop `h` (1-based) in a ring of `units`."""
    return h % units


def expected_ring_checksum(units, laps):
    """The token after hop K*M: unit 0 starts with 0, hop h is received by unit h mod K."""
    t = 0
    for h in range(1, units * laps + 1):
        t = hop(t, receiver(h, units))
    return t


# --- io -----------------------------------------------------------------------------

def body(i, nbytes):
    """The body of request i: little-endian splitmix64 seeded with i, cut to nbytes."""
    state, words = i, []
    for _ in range(-(-nbytes // 8)):
        state = (state + 0x9E3779B97F4A7C15) & U64
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & U64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & U64
        words.append(z ^ (z >> 31))
    return struct.pack(f"<{len(words)}Q", *words)[:nbytes]


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & U64
    return h


def expected_io_checksum(requests, nbytes, work=0):
    """The FNV-1a 64 of every body, plus, with --work N, every request's prime
    count: together pi(R*N)."""
    bodies = sum(fnv1a64(body(i, nbytes)) for i in range(requests))
    return (bodies + expected_prime_count(requests * work)) & U64


def work(i, n):
    """--work n for request i: the primes in [i*n, i*n + n), by trial division."""
    return count_primes(i * n, i * n + n)


def path(i, delay_ms, nbytes):
    return f"/work?id={i}&delay_ms={delay_ms}&bytes={nbytes}"


def request(host, i, delay_ms, nbytes):
    """The bytes of request i, for clients that write their own HTTP."""
    return f"GET {path(i, delay_ms, nbytes)} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def parse_head(head):
    """A response head that ends in a blank line, as (status, reason, Content-Length,
    whether the server will close the connection after it)."""
    status_line, *lines = head.decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    status, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or not status.isdigit():
        raise Error(f"malformed response: status line {status_line!r}")
    length, close = None, version == "HTTP/1.0"
    for line in lines:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "content-length":
            if not value.isdigit():
                raise Error(f"malformed response: Content-Length {value!r}")
            length = int(value)
        elif name == "connection":
            close = value.lower() == "close"
    if length is None:
        raise Error("response has no Content-Length")
    return int(status), reason, length, close


def check_status(status, reason, data):
    """An Error for any answer but `200`, with the server's one-line reason."""
    if status != 200:
        text = data.decode("utf-8", "replace").strip()
        raise Error(f"server answered {status} {reason}" + (f": {text}" if text else ""))


class BlockingClient:
    """One keep-alive connection with blocking reads, on the standard `http.client`,
    with its errors said as the Rust programs say them."""

    def __init__(self, host):
        self.host = host
        self.conn = http.client.HTTPConnection(host)

    def get(self, i, delay_ms, nbytes):
        """Sends request i and returns (the body of its `200` answer, its latency in
        us: request written to body read, connecting not included), or raises why not."""
        if self.conn.sock is None:
            try:
                self.conn.connect()
            except OSError as e:
                raise Error(f"connect to {self.host}: {e}") from None
        start = time.perf_counter_ns()
        try:
            self.conn.request("GET", path(i, delay_ms, nbytes))
            response = self.conn.getresponse()
            data = response.read()
            latency_us = (time.perf_counter_ns() - start) // 1_000
        except http.client.RemoteDisconnected:
            raise Error("connection closed before a response") from None
        except http.client.IncompleteRead:
            raise Error("connection closed in the middle of a response") from None
        except http.client.HTTPException as e:
            raise Error(f"malformed response: {e!r}") from None
        check_status(response.status, response.reason, data)
        return data, latency_us

    def close(self):
        self.conn.close()


@contextlib.contextmanager
def api_server(server):
    """Yields the `HOST:PORT` to use: --server's, or that of an api-server started
    for this run and stopped after it: the Rust binary from target/ (release, else
    debug), built first if there is none."""
    if server:
        yield server
        return
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    exe = next((e for e in (target / "release/api-server", target / "debug/api-server")
                if e.exists()), target / "release/api-server")
    if not exe.exists():
        print("building the api-server: cargo build --release -p api-server", file=sys.stderr)
        try:
            subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "api-server"],
                           cwd=ROOT, check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            raise Error(f"no api-server to start ({e}); pass --server HOST:PORT") from None
    child = subprocess.Popen([exe, "--listen", "127.0.0.1:0", "--workers", "1"], text=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        first = child.stdout.readline().strip()
        if not first.startswith("listening="):
            child.wait()
            why = child.stderr.read().strip().splitlines()
            raise Error(f"the api-server did not start: {why[-1] if why else child.returncode}")
        yield first.removeprefix("listening=")
    finally:
        child.terminate()
        child.wait()
