"""What the Python programs share that is not the paradigm.

The Python twin of the Rust crate `workload` (shared/workload): the same flags and
defaults, the four workloads as pure functions with the same checksums, the result
line and its self-check, the io latency percentiles, the memory probes, the
open-file limit, a child's tie to its parent (`die_with_parent`), HTTP/1.1 bytes
(requests, and a pure response reader shared by every client), a blocking client
on a socket, and the api-server an io program talks to; and for the serve
programs, the server side: a pure request reader that looks at each byte once, the
api-server's answers (`reply_to`; a heavy request's primes counted with
`Reply.count_primes`, said in `x-primes`), written in pieces, the listening
socket, a connection's timeouts (`Patience`), the count of requests in flight that
a shutdown waits for (`Drain`), accept errors and refusals said at most once a
second, and the blocking connection loop the synchronous servers share. Like the
crate, it never starts a thread, a process or an event loop, and never passes a
ring's token on.

Standard library only; Python 3.11 or newer.
"""

import argparse
import collections
import contextlib
import ctypes
import functools
import ipaddress
import math
import os
import re
import resource
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
U64 = (1 << 64) - 1
MAX_DELAY_MS = 60_000
MAX_BYTES = 16 << 20
# --requests above this is refused: a billion requests take days.
MAX_REQUESTS = 1_000_000_000
# --timeout-ms above this (an hour) is refused.
MAX_TIMEOUT_MS = 3_600_000
# --work above MAX_WORK, or --requests x --work above MAX_WORK_TOTAL, is refused.
MAX_WORK = 1_000_000
MAX_WORK_TOTAL = 10_000_000_000
# The other workloads' ceilings, the Rust crate's (its --help says why for each).
MAX_LIMIT = 10_000_000_000
MAX_JOBS = 10_000_000
MAX_WORKERS = 1_024
MAX_SPAWN_UNITS = 10_000_000
MAX_SLEEP_MS = 60_000
MAX_RING_UNITS = 1_000_000
MAX_HOPS = 10_000_000_000
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
# Linux's prctl(2), looked up once here so that a forked child need not (None
# elsewhere); see die_with_parent.
try:
    PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (AttributeError, OSError, TypeError):
    PRCTL = None


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

def count(minimum, maximum=None, why=None, why_max=None):
    """An argparse type: an integer in [minimum, maximum], in ASCII digits as Rust
    reads them (no `1_000`, no spaces), with a plain message (and `why` or
    `why_max`, if given, after a too-small or a too-large one). A negative number
    is a bad value of its flag: argparse takes `-5` as a value, not as a flag, as
    no flag of these programs looks like a number."""
    def parse(text):
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise argparse.ArgumentTypeError(f"invalid digit found in {text!r}")
        n = int(text)
        if n < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}"
                                             + (f": {why}" if why else ""))
        if maximum is not None and n > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}"
                                             + (f": {why_max}" if why_max else ""))
        return n
    return parse


def parse_args(workload, program, argv=None, blocking=False, ceiling=None):
    """The flags of `workload` (cpu, io, spawn or ring), as every Rust program takes them.
    A `blocking` io client refuses --offload: it has no event loop to keep free; an io
    client with a `ceiling` of connections refuses more (a flag error, exit 2)."""
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
        p.add_argument("--limit", metavar="N", type=count(0, MAX_LIMIT), default=2_000_000,
                       help="count the primes in [0, N), N at most 10^10: more would take "
                            "hours (default: %(default)s)")
        p.add_argument("--jobs", metavar="J", type=count(1, MAX_JOBS), default=1_000,
                       help="split [0, N) into J ranges of width ceil(N / J) (default: %(default)s)")
    elif workload == "io":
        p.add_argument("--requests", metavar="R", default=1_000,
                       type=count(0, MAX_REQUESTS, why_max="more would take days"),
                       help="requests to make, with ids 0..R, at most 1,000,000,000: "
                            "more would take days (default: %(default)s)")
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
        p.add_argument("--timeout-ms", metavar="T", type=count(1, MAX_TIMEOUT_MS),
                       default=10_000, help="a request with no complete answer within "
                       "D + T ms, connecting included, fails the run (default: %(default)s)")
        p.add_argument("--server", metavar="HOST:PORT",
                       help="a running api-server; without it, one is started for this run")
    elif workload == "spawn":
        p.add_argument("--units", metavar="K", type=count(0, MAX_SPAWN_UNITS), default=1_000,
                       help="units to start, at most 10^7 (default: %(default)s)")
        p.add_argument("--sleep-ms", metavar="D", type=count(0, MAX_SLEEP_MS), default=0,
                       help="each unit sleeps D ms with the paradigm's own sleep (default: %(default)s)")
    else:
        p.add_argument("--units", metavar="K", default=100,
                       type=count(2, MAX_RING_UNITS, why="a ring needs a neighbour"),
                       help="units in the ring, at most 10^6: unit u receives only from u - 1 "
                       "and sends only to u + 1, mod K (default: %(default)s)")
        p.add_argument("--laps", metavar="M", type=count(1), default=1_000,
                       help="times the token goes around: K * M hops in all (default: %(default)s)")
    p.add_argument("--workers", metavar="W", type=count(1, MAX_WORKERS),
                   default=min(os.cpu_count() or 1, MAX_WORKERS),
                   help="processes or threads to use, where the paradigm has a pool, at "
                        "most 1024 (default: the number of cores, %(default)s)")
    args = p.parse_args(argv)
    args.workload = workload
    if workload == "io" and args.requests * args.work > MAX_WORK_TOTAL:
        p.error(f"--requests {args.requests} x --work {args.work} is above {MAX_WORK_TOTAL}: "
                "the primes below it take too long to count")
    if workload == "ring" and args.units * args.laps > MAX_HOPS:
        p.error(f"--units {args.units} x --laps {args.laps} is above {MAX_HOPS} hops: "
                "the ring would take hours")
    if workload == "io" and ceiling is not None and min(args.concurrency, args.requests) > ceiling:
        p.error(f"--concurrency {min(args.concurrency, args.requests)} is above {program}'s "
                f"ceiling of {ceiling} processes (one per connection); use io_threading.py "
                "or io_asyncio.py for more")
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


def die_with_parent(parent=None):
    """First thing in a child process: asks Linux to SIGKILL it when its parent dies
    (prctl PR_SET_PDEATHSIG), so that a parent killed with SIGKILL, which runs no
    `finally`, leaves no child behind; then, as the parent may have died between
    the fork and that call, kills itself if its parent is no longer `parent` (the
    pid; default: the multiprocessing parent's). A no-op where there is no prctl
    (not Linux): there the children of a killed parent run on to their end."""
    if PRCTL is None:
        return
    PRCTL(1, ctypes.c_ulong(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG; it cannot fail
    if parent is None:
        import multiprocessing  # only where a multiprocessing child calls this
        parent = multiprocessing.parent_process().pid
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


def raise_open_file_limit():
    """Raises the soft open-file limit to the hard one, and returns it: a connection
    is a file."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


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


# --- io: HTTP/1.1 -------------------------------------------------------------------

def request(host, i, delay_ms, nbytes):
    """The bytes of request i: `GET /work?...` with a `Host` header."""
    query = f"id={i}&delay_ms={delay_ms}&bytes={nbytes}"
    return f"GET /work?{query} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


# The limits every client, Rust and Python, puts on a response head (and on a
# chunk-size line, its extensions included, and on a trailer).
MAX_HEADERS = 64
MAX_HEAD_BYTES = 64 << 10
# A client reads at most this many bytes at a time.
READ_SIZE = 64 << 10
# The blank line that ends a head (bare LFs allowed, as httparse allows them).
HEAD_END = re.compile(rb"\r?\n\r?\n")
LINE_BREAK = re.compile(rb"\r?\n")
CHUNK_SIZE = re.compile(r"[0-9A-Fa-f]{1,16}")

Response = collections.namedtuple("Response", "status reason body close")


class Unanswered(Error):
    """The connection closed, or was reset, before any byte of the answer: on a
    reused keep-alive connection, the server closed it while it was idle, and the
    request may be sent again (the twin of the Rust `http::Failure::Unanswered`)."""


class ResponseReader:
    """Turns bytes, however they are split across reads, into responses: the twin of
    the Rust `workload::http::ResponseReader`, shared by the blocking and the asyncio
    clients, as it never touches a socket. A body is Content-Length bytes or
    `Transfer-Encoding: chunked` (extensions and trailers skipped); one ended only by
    the connection closing is refused, as a lost connection looks the same. A head
    may have MAX_HEADERS headers and MAX_HEAD_BYTES bytes, a chunk-size line and a
    trailer MAX_HEAD_BYTES bytes, each scanned for its end once however it is split.
    A `200`'s body may have at most max_body bytes (what the request asked for),
    another answer's at most that or MAX_HEAD_BYTES (it is only a reason): a longer
    one is refused as soon as its length or a chunk's size says so. Interim `1xx`
    answers (but 101) are skipped (RFC 9110, 15.2). Bytes after a response are kept
    for the next."""

    def __init__(self, max_body=MAX_BYTES):
        self.max_body = max_body
        self.buf = bytearray()  # bytes not yet parsed
        self.scanned = 0  # the end of a head (or a line, a trailer) is not before this
        self.begun = False  # a byte of the current response has arrived
        self.head = None  # (status, reason, close, the most bytes its body may have)
        self.body = bytearray()  # the body so far, moved out of buf as it arrives
        # What comes next: "head", "body" or "data" (self.left more bytes of the body
        # or of a chunk), "crlf" (after a chunk), "size" (a chunk-size line), "trailer".
        self.part, self.left = "head", 0

    def feed(self, data):
        """Adds bytes read from the connection (b"": the peer closed it); returns the
        Response once it is complete, None until then, or raises Error why not."""
        if not data:
            if self.begun:
                raise Error("connection closed in the middle of a response")
            raise Unanswered("connection closed before a response")
        self.begun = True
        self.buf += data
        while self.part != "head" or self.head is None:
            if self.part == "head":
                end = self.scan(lambda buf, pos: (m := HEAD_END.search(buf, pos)) and m.end(),
                                f"response head over {MAX_HEAD_BYTES} bytes")
                if end is None:
                    return None
                length = self.parse_head(end)
                if 100 <= self.head[0] < 200 and self.head[0] != 101:
                    self.head = None  # an interim answer (100 Continue, 103 Early Hints)
                elif length is None:
                    self.part = "size"
                else:
                    self.part, self.left = "body", length
            elif self.part in ("body", "data"):
                taken = self.buf[:self.left]
                self.body += taken
                del self.buf[:len(taken)]
                self.left -= len(taken)
                if self.left:
                    return None
                self.part = "head" if self.part == "body" else "crlf"  # "head": complete
            elif self.part == "crlf":
                if len(self.buf) < 2:
                    return None
                if self.buf[:2] != b"\r\n":
                    raise Error("malformed response: chunk not followed by CRLF")
                del self.buf[:2]
                self.part = "size"
            elif self.part == "size":  # the size, with any extension after a `;`
                end = self.scan(lambda buf, pos: buf.find(b"\n", pos) + 1 or None,
                                f"chunk-size line over {MAX_HEAD_BYTES} bytes")
                if end is None:
                    return None
                size = self.buf[:end].decode("latin-1").partition(";")[0].strip()
                if not CHUNK_SIZE.fullmatch(size):
                    raise Error("malformed response: bad chunk size")
                del self.buf[:end]
                size, limit = int(size, 16), self.head[3]
                if size > limit - len(self.body):  # the chunks' sum would pass the limit
                    raise Error(f"response body over {limit} bytes")
                self.part, self.left = ("data", size) if size else ("trailer", 0)
            else:  # the trailer: header lines, then an empty line (at once if there are none)
                end = self.scan(lambda buf, pos: (m := (pos == 0 and LINE_BREAK.match(buf))
                                                  or HEAD_END.search(buf, pos)) and m.end(),
                                f"response head over {MAX_HEAD_BYTES} bytes")
                if end is None:
                    return None
                del self.buf[:end]
                self.part = "head"  # complete
        status, reason, close, _ = self.head
        body, self.body, self.head, self.begun = self.body, bytearray(), None, bool(self.buf)
        return Response(status, reason, body, close)

    def scan(self, find, too_long):
        """The end of a head, line or trailer in buf by find(buf, pos), searched from
        where the last scan stopped: None until it is in, Error(too_long) past
        MAX_HEAD_BYTES."""
        end = find(self.buf, self.scanned)
        if (end or len(self.buf)) > MAX_HEAD_BYTES:
            raise Error(too_long)
        # A line break is at most 4 bytes (`\r\n\r\n`): rescan where one may begin.
        self.scanned = 0 if end else max(len(self.buf) - 3, 0)
        return end

    def parse_head(self, end):
        """Takes the head, buf[:end], out of the buffer into self.head; returns its
        body's length, or None if chunked. A length over the limit is refused here,
        before any of the body is read."""
        # The lines before the blank one that ends the head.
        status_line, *lines = self.buf[:end].decode("latin-1").split("\n")[:-2]
        del self.buf[:end]
        status_line = status_line.removesuffix("\r")
        version, _, rest = status_line.partition(" ")
        status, _, reason = rest.partition(" ")
        if version not in ("HTTP/1.0", "HTTP/1.1") or not re.fullmatch("[0-9]{3}", status):
            raise Error(f"malformed response: status line {status_line[:100]!r}")
        if len(lines) > MAX_HEADERS:
            raise Error(f"response has over {MAX_HEADERS} headers")
        length, chunked, close = None, False, version == "HTTP/1.0"
        for line in lines:
            name, colon, value = line.rstrip("\r").partition(":")
            name, value = name.lower(), value.strip()
            if not colon or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9a-z-]+", name):
                raise Error(f"malformed response: header {line[:100]!r}")
            if name == "content-length":
                if not re.fullmatch("[0-9]+", value):
                    raise Error(f"malformed response: Content-Length {value[:100]!r}")
                if length not in (None, int(value)):
                    raise Error("malformed response: conflicting Content-Length")
                length = int(value)
            elif name == "transfer-encoding":  # chunked alone: gzip is not what was asked for
                if value.lower() != "chunked":
                    raise Error(f"unsupported response: Transfer-Encoding: {value[:100]}")
                chunked = True
            elif name == "connection":
                close |= "close" in (v.strip().lower() for v in value.split(","))
        limit = self.max_body if status == "200" else max(self.max_body, MAX_HEAD_BYTES)
        self.head = int(status), reason.rstrip("\r"), close, limit
        if status.startswith("1") or status in ("204", "304"):
            return 0  # no body, whatever the head says
        if chunked:
            return None  # chunked overrides a length (RFC 9112, 6.3)
        if length is None:
            raise Error("response has no Content-Length and is not chunked (a body ended "
                        "by closing the connection cannot be told from a lost one)")
        if length > limit:
            raise Error(f"response body over {limit} bytes")
        return length


def check_status(status, reason, data):
    """An Error for any answer but `200`, with the server's one-line reason: the
    first line of its body, at most 200 characters."""
    if status != 200:
        text = data.decode("utf-8", "replace").strip().split("\n")[0][:200].strip()
        raise Error(f"server answered {status} {reason}" + (f": {text}" if text else ""))


def host_port(host):
    """`HOST:PORT` as (host, port), for a socket; an Error naming it if it is not one."""
    name, _, port = host.rpartition(":")
    if not name or not port.isdigit() or int(port) > 65535:
        raise Error(f"connect to {host}: not a HOST:PORT")
    return name.removeprefix("[").removesuffix("]"), int(port)


def time_left(deadline):
    """Seconds from now to `deadline` (a time.monotonic()), for a socket timeout;
    TimeoutError if it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


class BlockingClient:
    """One keep-alive connection with blocking reads: a socket read through
    ResponseReader, with its errors said as the Rust programs say them. Each request
    has one deadline, D + T ms (--delay-ms, --timeout-ms) from its start, connecting
    included: before each blocking call the socket's timeout is set to the time left,
    as a timeout per call alone would let a server that sends a byte now and then
    hold a request forever. An answer's body may have at most max_body bytes."""

    def __init__(self, host, timeout_ms, max_body=MAX_BYTES):
        self.host, self.timeout_ms, self.max_body = host, timeout_ms, max_body
        self.sock, self.reader = None, ResponseReader(max_body)

    def get(self, i, delay_ms, nbytes):
        """Sends request i and returns (the body of its `200` answer, its latency in
        us: request written to body read, connecting not included), or raises why not.
        A reused connection that fails before any byte of the answer was closed by
        the server while it was idle: the request is sent once more, on a new
        connection (GET is idempotent: RFC 9112, 9.3.1), within the same deadline."""
        patience_ms = delay_ms + self.timeout_ms
        deadline = time.monotonic() + patience_ms / 1_000
        data, reused = request(self.host, i, delay_ms, nbytes), self.sock is not None
        try:
            try:
                response, latency_us = self.exchange(data, deadline)
            except Unanswered:
                if not reused:
                    raise
                self.close()
                response, latency_us = self.exchange(data, deadline)
        except TimeoutError:
            self.close()
            raise Error(f"no answer within {patience_ms} ms") from None
        except OSError as e:
            self.close()
            raise Error(f"connection lost: {e}") from None
        except Error:
            self.close()
            raise
        if response.close:  # the server will close it: the next request reconnects
            self.close()
        check_status(response.status, response.reason, response.body)
        return response.body, latency_us

    def exchange(self, data, deadline):
        """Writes a request's bytes (connecting first if need be) and reads its
        response; returns it and its latency in us."""
        if self.sock is None:
            self.sock = self.connect(deadline)
        start = time.perf_counter_ns()
        self.sock.settimeout(time_left(deadline))
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Unanswered(f"connection lost: {e}") from None
        response = None
        while response is None:
            self.sock.settimeout(time_left(deadline))
            try:
                received = self.sock.recv(READ_SIZE)
            except ConnectionResetError:  # a close: the reader knows if the answer had begun
                received = b""
            response = self.reader.feed(received)
        return response, (time.perf_counter_ns() - start) // 1_000

    def connect(self, deadline):
        try:
            return socket.create_connection(host_port(self.host), time_left(deadline))
        except TimeoutError:
            raise
        except OSError as e:
            raise Error(f"connect to {self.host}: {e}") from None

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock, self.reader = None, ResponseReader(self.max_body)


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
    # It dies with this program, even one killed with SIGKILL.
    child = subprocess.Popen([exe, "--listen", "127.0.0.1:0", "--workers", "1"], text=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE,
                             preexec_fn=functools.partial(die_with_parent, os.getpid()))
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


# --- serve: the server side ---------------------------------------------------------
# The twin of the Rust `workload::serve` and `workload::http::RequestReader`: what a
# serve program answers, and its bytes, are the api-server's to the byte.

# A shutdown waits this long for requests in flight by default: the longest delay
# a request may ask for, and five seconds more.
GRACE_MS = MAX_DELAY_MS + 5_000
# The listen backlog: a burst of 10,000 connects must not overflow it (Linux caps
# it at net.core.somaxconn).
BACKLOG = 16_384
# Without a `bytes` parameter a request gets this many body bytes.
DEFAULT_BYTES = 1_024
# The most `work` a request may ask for (ten million numbers to test), and how far
# its range, up to (id + 1) * work, may reach: trial division grows with the
# numbers, so a large id with a large work would hold a core for minutes.
MAX_SERVE_WORK = 10_000_000
MAX_WORK_END = MAX_WORK_TOTAL
# The most bytes of a request body that are read (and dropped) before the request
# is refused: no route of the api-server takes a body.
MAX_REQUEST_BODY = 64 << 10
# The timeouts' defaults (--head-timeout-ms, --idle-timeout-ms, --write-timeout-ms).
HEAD_TIMEOUT_MS = 10_000
IDLE_TIMEOUT_MS = 30_000
WRITE_TIMEOUT_MS = 10_000
# An answer is made and written this many bytes at a time at most: a connection
# holds one piece of it, however big the body and however slow its reader.
PIECE = 16 << 10
# splitmix64's step: its state after k words is the seed plus k times this.
GAMMA = 0x9E3779B97F4A7C15


def socket_address(text):
    """An argparse type: `IPV4:PORT` or `[IPV6]:PORT`, as Rust's SocketAddr reads
    it; returns (host, port), the host in its canonical form."""
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:([0-9]{1,5})|([0-9.]+):([0-9]{1,5})", text)
    try:
        host, port = (m[1], m[2]) if m[1] else (m[3], m[4])
        ip = ipaddress.ip_address(host)
        if int(port) > 65535 or (ip.version == 6) != bool(m[1]):
            raise ValueError
    except (TypeError, ValueError):  # TypeError: no match at all
        raise argparse.ArgumentTypeError("invalid socket address syntax") from None
    return str(ip), int(port)


def address_text(address):
    """(host, port, ...) as Rust writes a SocketAddr: `127.0.0.1:8080`, `[::1]:8080`."""
    host, port = address[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parse_serve_args(program, argv=None, pool=False, no_offload=None):
    """The serve programs' flags, as Rust's ServeArgs takes them; --workers is in
    the help only of a server with a `pool` to size. A server with no pool for
    blocking work says why in `no_offload`: --offload is then refused (exit status
    2), as Rust's ServeArgs::refuse_offload refuses it."""
    p = argparse.ArgumentParser(prog=program, description="Serve the api-server's HTTP "
                                "API (GET /work?id=I&delay_ms=D&bytes=B&work=N) until SIGINT "
                                "or SIGTERM; print `listening=HOST:PORT` first.")
    p.add_argument("--listen", metavar="ADDR", type=socket_address, default="127.0.0.1:8080",
                   help="address to listen on; port 0 picks a free one (default: %(default)s)")
    p.add_argument("--workers", metavar="W", type=count(1, MAX_WORKERS),
                   default=min(os.cpu_count() or 1, MAX_WORKERS),
                   help="processes to use, at most 1024 (default: the number of cores, "
                        "%(default)s)" if pool else argparse.SUPPRESS)
    p.add_argument("--grace-ms", metavar="G", type=count(0, U64), default=GRACE_MS,
                   help="after SIGINT or SIGTERM, how long requests in flight may take to "
                        "finish; a second signal stops at once (default: the longest delay "
                        "a request may ask for, and 5 s more: %(default)s)")
    for flag, metavar, default, what in (
            ("--head-timeout-ms", "H", HEAD_TIMEOUT_MS, "close a connection, unanswered, "
             "whose request head is not complete H ms after its first byte (a new "
             "connection's first head: H ms after the accept)"),
            ("--idle-timeout-ms", "I", IDLE_TIMEOUT_MS, "close a keep-alive connection that "
             "sends no byte of a next request for I ms after an answer"),
            ("--write-timeout-ms", "T", WRITE_TIMEOUT_MS, "close a connection whose client "
             "takes no piece of an answer for T ms (it does not read)")):
        p.add_argument(flag, metavar=metavar, type=count(1, MAX_TIMEOUT_MS), default=default,
                       help=f"{what}; 1 to 3600000 (default: %(default)s)")
    p.add_argument("--offload", action="store_true",
                   help="count a heavy request's primes (work=N) on the paradigm's pool for "
                        "blocking work, not on the thread or task that serves its connection")
    args = p.parse_args(argv)
    if args.offload and no_offload:
        p.error(f"--offload: {program} {no_offload}")
    return args


def listen(address):
    """A listening socket on (host, port), made as the Rust servers make theirs
    (SO_REUSEADDR, a deep BACKLOG, TCP_NODELAY, which accepted sockets inherit, so
    that small answers go out at once); an Error `listen on ADDR: ...` if it fails."""
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as e:
        sock.close()
        raise Error(f"listen on {address_text(address)}: {e}") from None
    return sock


def say_listening(sock):
    """The `listening=HOST:PORT` line every server prints first, on stdout, flushed."""
    print(f"listening={address_text(sock.getsockname())}", flush=True)


Request = collections.namedtuple("Request", "method path query minor_version host close "
                                 "expects_continue")
Request.__doc__ = """A complete request head: `query` is the target's part after a
`?` (None without one), `minor_version` 0 or 1, `host` whether a Host header came
(or the target is in absolute form), `close` whether the connection ends after the
answer (`Connection: close`, or HTTP/1.0 without `Connection: keep-alive`),
`expects_continue` whether an HTTP/1.1 client with a body sent `Expect:
100-continue` (and may wait for `100 Continue` before sending it)."""


class RequestError(Exception):
    """Why bytes are not a request, with the status of the answer to them (431 for
    a head too large, else 400); the connection closes after that answer."""

    def __init__(self, text, status=400):
        super().__init__(text)
        self.status = status


def _malformed(why):
    return RequestError(f"malformed request: {why}")


# httparse's byte classes (its TOKEN_MAP, URI_MAP and HEADER_VALUE_MAP).
TOKEN = re.compile(rb"[A-Za-z0-9!#$%&'*+\-.^_`|~]*")
URI = re.compile(rb"[\x21-\x7e\x80-\xff]*")
HEADER_VALUE = re.compile(rb"[\t\x20-\x7e\x80-\xff]*")
EMPTY_LINES = re.compile(rb"(?:\r\n|\n)*")
SPACES = re.compile(rb"[ \t]*")
# A target in absolute form, without its fragment: what follows the authority.
ABSOLUTE_FORM = re.compile(r"https?://[^/?]*(.*)", re.IGNORECASE | re.ASCII | re.DOTALL)
# A chunk-size line: the size in hex, then any extension after a `;`.
CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;.*)?", re.DOTALL)
# httparse's errors, as Display writes them.
INVALID = {"token": "invalid token", "version": "invalid HTTP version",
           "newline": "invalid new line", "name": "invalid header name",
           "value": "invalid header value"}


def _head(buf):
    """httparse's Request::parse with 64 headers, on the bytes of `buf` as they come:
    a generator that yields while the head is partial and returns (its length,
    method, target, minor version, [(name, value bytes)]), or raises a RequestError
    at the first byte that cannot start a request, as httparse does. It resumes
    where the bytes ran out, so a head sent a byte at a time is scanned once, not
    once a byte (httparse starts over); one over MAX_HEAD_BYTES is refused (431)."""
    def more():
        if len(buf) > MAX_HEAD_BYTES:
            raise RequestError(f"request head over {MAX_HEAD_BYTES} bytes", 431)
        yield

    def scan(pattern, pos):  # past `pattern`'s bytes from pos, once a byte ends them
        while (end := pattern.match(buf, pos).end()) == len(buf):
            pos = end
            yield from more()
        return end

    def line_end(pos, error):  # past the CRLF or LF at pos; `error` if another byte is there
        while pos == len(buf) or (buf[pos] == 13 and pos + 1 == len(buf)):
            yield from more()
        if buf[pos] == 13 and buf[pos + 1] == 10:
            return pos + 2
        if buf[pos] == 10:
            return pos + 1
        raise _malformed(INVALID[error])

    pos = 0
    while (pos := EMPTY_LINES.match(buf, pos).end()) == len(buf) or (
            buf[pos] == 13 and pos + 1 == len(buf)):
        yield from more()
    if buf[pos] == 13:
        raise _malformed(INVALID["newline"])
    fields = []
    for token in (TOKEN, URI):  # the method, then the target, each ended by one space
        end = yield from scan(token, pos)
        if end == pos or buf[end] != 32:
            raise _malformed(INVALID["token"])
        try:
            fields.append(buf[pos:end].decode())
        except UnicodeDecodeError:
            raise _malformed(INVALID["token"]) from None
        pos = end + 1
    while len(version := bytes(buf[pos:pos + 8])) < 8:
        if b"HTTP/1."[:len(version)] != version:
            raise _malformed(INVALID["version"])
        yield from more()
    if version not in (b"HTTP/1.0", b"HTTP/1.1"):
        raise _malformed(INVALID["version"])
    pos = yield from line_end(pos + 8, "newline")
    headers = []
    while True:
        while pos == len(buf):
            yield from more()
        if buf[pos] in b"\r\n":
            return (yield from line_end(pos, "newline")), *fields, version[7] - 48, headers
        end = yield from scan(TOKEN, pos)
        if end == pos or buf[end] != 58:  # a name of token bytes, then a colon
            raise _malformed(INVALID["name"])
        name = buf[pos:end].decode()
        pos = yield from scan(SPACES, end + 1)
        end = yield from scan(HEADER_VALUE, pos)
        value, pos = bytes(buf[pos:end]).rstrip(b" \t"), (yield from line_end(end, "value"))
        if len(headers) == MAX_HEADERS:
            raise RequestError(f"request has over {MAX_HEADERS} headers", 431)
        headers.append((name, value))


def _rust_debug(text):
    """`text` as Rust's `{:?}` writes a str: in double quotes, with escapes."""
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}

    def escaped(c):  # Rust escapes what is not printable, and combining marks
        if c.isprintable() and unicodedata.category(c) not in ("Mn", "Me"):
            return c
        return f"\\u{{{ord(c):x}}}"
    return '"' + "".join(escapes.get(c) or escaped(c) for c in text) + '"'


def _rust_u64(text):
    """Rust's str::parse::<u64>: an optional `+`, ASCII digits, at most 2^64 - 1."""
    if re.fullmatch(r"\+?[0-9]+", text) and int(text) <= U64:
        return int(text)
    return None


class RequestReader:
    """Turns bytes, however they are split across reads, into requests: the twin of
    the Rust `workload::http::RequestReader` (httparse), with its limits and errors.
    A request is given as soon as its head is complete; its body (Content-Length or
    chunked, at most MAX_REQUEST_BODY bytes: no route takes one) is dropped as it
    comes, before the next head. Bytes after a request are kept for the next (a
    pipelining client). Each byte is looked at once, however the bytes are split."""

    def __init__(self):
        self.buf = bytearray()
        self.in_body = False  # a request's body is still coming
        self.steps = self._requests()

    def feed(self, data=b""):
        """Adds bytes read from the connection; returns the next complete Request, a
        RequestError if the bytes are not one (answer it, then close), or None until
        one is in. `feed()` looks for another request in the bytes already kept."""
        self.buf += data
        return next(self.steps, None)

    def keep(self, data):
        """Adds bytes that came while a request waits for its answer: the next feed
        reads them."""
        self.buf += data

    def is_partial(self):
        """Whether part of a request has arrived (a peer closing now cut it off)."""
        return self.in_body or bool(self.buf)

    def _requests(self):
        """feed's steps: yields None until a request, or the error that ends the
        connection, is in."""
        buf = self.buf
        try:
            while True:
                head_len, *head = yield from _head(buf)
                if head_len > MAX_HEAD_BYTES:
                    raise RequestError(f"request head over {MAX_HEAD_BYTES} bytes", 431)
                request, length = _request(*head)
                del buf[:head_len]
                self.in_body = length != 0
                yield request
                yield from _drop_body(buf, length)
                self.in_body = False
        except RequestError as e:
            yield e


def _request(method, target, minor, headers):
    """The Request a complete head makes, and its body's length (None: chunked); a
    RequestError for a head whose body cannot be framed without doubt (RFC 9112, 6)."""
    host = close = keep_alive = expect = False
    lengths, codings = set(), []
    for name, raw in headers:
        try:
            value = raw.decode().strip()
        except UnicodeDecodeError:
            raise _malformed(f"{name} is not UTF-8") from None
        name = name.lower()
        if name == "host":
            host = True
        elif name == "connection":
            # ASCII case only, as Rust's eq_ignore_ascii_case.
            options = [option.strip().encode().lower() for option in value.split(",")]
            close |= b"close" in options
            keep_alive |= b"keep-alive" in options
        elif name == "content-length":  # digits alone: no sign, no list
            if not re.fullmatch("[0-9]+", value, re.ASCII):
                raise _malformed(f"Content-Length {_rust_debug(value)}")
            lengths.add(int(value))
        elif name == "transfer-encoding":
            codings.append(value)
        elif name == "expect":
            expect |= value.encode().lower() == b"100-continue"
    # A proxy and this server could read two lengths, or a length and chunks,
    # differently: a request smuggled behind another. Refused, as hyper does.
    if len(lengths) > 1:
        raise _malformed("Content-Length given twice, with different values")
    if lengths and codings:
        raise _malformed("both Content-Length and Transfer-Encoding")
    if codings and ", ".join(codings).encode().lower() != b"chunked":
        raise RequestError(f"unsupported request: Transfer-Encoding: {', '.join(codings)} "
                           "(only chunked)", 501)
    length = None if codings else max(lengths, default=0)
    if length is not None and length > MAX_REQUEST_BODY:
        raise RequestError(f"unsupported request: a body of {length} bytes "
                           "(no route takes a body)")
    target = target.partition("#")[0]  # a fragment is the client's own
    if absolute := ABSOLUTE_FORM.fullmatch(target):  # `http://host/path`: a proxy's form
        host, target = True, "/" + absolute[1].removeprefix("/")
    path, question, query = target.partition("?")
    return Request(method, path, query if question else None, minor, host,
                   close or (minor == 0 and not keep_alive),
                   expect and minor == 1 and length != 0), length


def _drop_body(buf, length):
    """Drops a request's body from the front of `buf` as it comes: `length` bytes,
    or (None) chunks and trailers; a generator that yields while more must come,
    and raises a RequestError for chunks that are malformed or too many bytes."""
    if length is not None:
        while length:
            while not buf:
                yield
            taken = min(length, len(buf))
            del buf[:taken]
            length -= taken
        return
    total = 0
    while True:
        line = yield from _line(buf, "chunk-size line")
        size = CHUNK_LINE.fullmatch(line)
        if size is None:
            raise _malformed(f"chunk size {_rust_debug(line[:100].decode('latin-1'))}")
        chunk = int(size[1], 16)
        total += chunk
        if total > MAX_REQUEST_BODY:
            raise RequestError(f"unsupported request: a chunked body over "
                               f"{MAX_REQUEST_BODY} bytes (no route takes a body)")
        if chunk == 0:
            break
        while len(buf) < chunk + 2:  # at most MAX_REQUEST_BODY bytes: kept whole
            yield
        if buf[chunk:chunk + 2] != b"\r\n":
            raise _malformed("chunk data not followed by CRLF")
        del buf[:chunk + 2]
    trailers = 0
    while line := (yield from _line(buf, "trailer line")):  # fields, to an empty line
        trailers += len(line)
        if trailers > MAX_HEAD_BYTES:
            raise _malformed(f"trailers over {MAX_HEAD_BYTES} bytes")


def _line(buf, what):
    """A generator that returns the line at the front of `buf`, without its CRLF or
    LF, once it is in (and takes it out); a RequestError over MAX_HEAD_BYTES."""
    scanned = 0
    while (end := buf.find(b"\n", scanned)) < 0:
        if len(buf) > MAX_HEAD_BYTES:
            raise _malformed(f"{what} over {MAX_HEAD_BYTES} bytes")
        scanned = len(buf)
        yield
    line = bytes(buf[:end]).removesuffix(b"\r")
    del buf[:end + 1]
    return line


def parse_query(query):
    """Parses a `/work` query string as Rust's parse_query: (id, delay_ms, bytes,
    work), or a str, the one-line reason a 400 answer carries. `id` is required;
    delay_ms and work default to 0 and bytes to DEFAULT_BYTES; other keys are ignored;
    keys and values are percent-decoded (`%` and two hex digits; any other `%` stays)."""
    def decoded(text):
        raw = re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), text.encode())
        return raw.decode()  # UnicodeDecodeError: not UTF-8 once decoded
    found = {}
    for pair in filter(None, (query or "").split("&")):
        raw_key, _, raw_value = pair.partition("=")
        try:
            key = decoded(raw_key)
        except UnicodeDecodeError:
            return f"{_rust_debug(raw_key)} is not UTF-8 once decoded"
        try:
            value = decoded(raw_value)
        except UnicodeDecodeError:
            return f"{key}: {_rust_debug(raw_value)} is not UTF-8"
        if key in ("id", "delay_ms", "bytes", "work"):
            found[key] = _rust_u64(value)
            if found[key] is None:
                return f"{key}: {_rust_debug(value)} is not a u64"
    if "id" not in found:
        return "id: missing"
    delay_ms, nbytes = found.get("delay_ms", 0), found.get("bytes", DEFAULT_BYTES)
    if delay_ms > MAX_DELAY_MS:
        return f"delay_ms: {delay_ms} is over {MAX_DELAY_MS}"
    if nbytes > MAX_BYTES:
        return f"bytes: {nbytes} is over {MAX_BYTES}"
    i, n = found["id"], found.get("work", 0)
    if n > MAX_SERVE_WORK:
        return f"work: {n} is over {MAX_SERVE_WORK}"
    if n and (i + 1) * n > MAX_WORK_END:
        return f"work: id {i} x work {n} is over {MAX_WORK_END}: too long to count"
    return i, delay_ms, nbytes, n


REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           431: "Request Header Fields Too Large", 501: "Not Implemented"}


class Reply(collections.namedtuple("Reply", "delay_ms status close text work keep_alive "
                                   "interim bodiless heavy primes",
                                   defaults=(False, False, False, None, None))):
    """What to answer, after waiting delay_ms (the paradigm's way: a sleeping
    thread, the event loop's timer; 0 means no wait at all): a one-line `text`, or
    `work` = (id, bytes), the body made only when written; `close` the connection
    after it, or say `keep_alive` (to an HTTP/1.0 client that asked for it); an
    `interim` 100 Continue first; a `bodiless` answer to HEAD, its head alone. A
    `heavy` request (`work=N`) = (id, N) has its primes counted before the answer
    (the paradigm's way: count_primes on the serving thread, or a pool), and their
    count, `primes`, said in an `x-primes` header."""

    def count_primes(self):
        """This answer with its heavy request's primes counted here, on the calling
        thread (Rust's Reply::count_primes); itself if there is nothing to count."""
        if self.heavy is None or self.primes is not None:
            return self
        return self._replace(primes=work(*self.heavy))

    def pieces(self):
        """The answer, as the api-server writes it, in pieces of at most PIECE bytes,
        each made when the one before has been taken: a writer holds one piece of
        a 16 MiB body, never the whole."""
        if self.text is None:
            (i, length), kind = self.work, "application/octet-stream"
        else:
            text, kind = self.text.encode(), "text/plain; charset=utf-8"
            length = len(text)
        connection = ("connection: close\r\n" if self.close else
                      "connection: keep-alive\r\n" if self.keep_alive else "")
        primes = "" if self.primes is None else f"x-primes: {self.primes}\r\n"
        piece = (("HTTP/1.1 100 Continue\r\n\r\n" if self.interim else "")
                 + f"HTTP/1.1 {self.status} {REASONS.get(self.status, 'Unknown')}\r\n"
                 f"content-type: {kind}\r\ncontent-length: {length}\r\n{primes}{connection}"
                 "\r\n").encode()
        if self.bodiless:
            yield piece
        elif self.text is not None:
            whole = piece + text
            yield from (whole[at:at + PIECE] for at in range(0, len(whole), PIECE))
        else:  # the body from any 8-byte word k: splitmix64 seeded with i + k * GAMMA
            done = 0
            while True:
                n = min(length - done, (PIECE - len(piece)) & ~7)
                yield piece + body((i + done // 8 * GAMMA) & U64, n)
                done, piece = done + n, b""
                if done == length:
                    return


def reply_to(request):
    """The api-server's answer to a Request (400 for HTTP/1.1 without Host or a bad
    query, 404 for another path, 405 for another method, else 200 after the query's
    delay, with work=N's range to count in `heavy`), or to a RequestError (its status
    and reason, then close)."""
    if isinstance(request, RequestError):
        return Reply(0, request.status, True, f"{request}\n", None)
    def answer(status, text=None, delay_ms=0, work=None, heavy=None):
        return Reply(delay_ms, status, request.close, text, work,
                     keep_alive=request.minor_version == 0 and not request.close,
                     interim=request.expects_continue, bodiless=request.method == "HEAD",
                     heavy=heavy)
    def text(status, line):
        return answer(status, f"{line}\n")
    if request.minor_version == 1 and not request.host:
        return text(400, "Host: missing (HTTP/1.1 requires it)")
    if request.path != "/work":
        return text(404, "not found: the only path is /work")
    if request.method != "GET":
        return text(405, "method not allowed: use GET")
    query = parse_query(request.query)
    if isinstance(query, str):
        return text(400, query)
    i, delay_ms, nbytes, n = query
    return answer(200, delay_ms=delay_ms, work=(i, nbytes), heavy=(i, n) if n else None)


def _cells(kind, n, context):
    """n numbers and the lock around them: in this process (context None), or in
    memory shared by the processes a multiprocessing `context` forks, whose lock
    holds across those processes and their threads."""
    if context is None:  # reentrant: a second signal's handler may run inside the first's
        return [0] * n, threading.RLock()
    cells = context.Array(kind, n)
    return cells, cells.get_lock()


class Drain:
    """The count of requests being answered, and whether the server is stopping:
    on SIGINT or SIGTERM a server stops taking requests, waits until none is in
    flight (or the grace is over), and exits, which closes the idle keep-alive
    connections. With a multiprocessing `context`, the count is shared by the
    processes it forks."""

    POLL = 0.005  # how often a shutdown looks whether the requests in flight are done

    def __init__(self, context=None):
        self.cells, self.lock = _cells("q", 2, context)  # [stopping, in flight]

    @contextlib.contextmanager
    def enter(self):
        """Counts a request being answered for the `with` block; yields False once
        the server is stopping, and then the connection closes instead (as hyper's
        graceful shutdown closes idle connections)."""
        with self.lock:
            self.cells[1] += 1
            stopping = self.cells[0]
        try:
            yield not stopping
        finally:
            with self.lock:
                self.cells[1] -= 1

    def in_flight(self):
        with self.lock:
            return self.cells[1]

    def stop(self, grace_ms):
        """Stops taking requests and waits, on this thread, until none is in flight
        or grace_ms is over; returns how many had to be dropped, or None if a stop
        was already under way (a second signal)."""
        with self.lock:
            if self.cells[0]:
                return None
            self.cells[0] = 1
        deadline = time.monotonic() + grace_ms / 1_000
        while self.in_flight() and time.monotonic() < deadline:
            time.sleep(self.POLL)
        return self.in_flight()

    def stop_and_exit(self, grace_ms):
        """Drain.stop, then exit_stopped; a second call while the first waits (a
        second signal) exits at once, dropping the requests still in flight."""
        dropped = self.stop(grace_ms)
        if dropped is None:
            exit_stopped(self.in_flight(), grace_ms, second=True)
        exit_stopped(dropped, grace_ms)


def exit_stopped(dropped, grace_ms, second=False):
    """Ends the process at once, every thread of it: exit status 0, or 1 with one
    `Error: dropped N request(s) ...` line if requests had to be dropped or a
    `second` signal cut the grace short."""
    if second:
        print(f"Error: stopped by a second signal: dropped {dropped} request(s) still in "
              "flight", file=sys.stderr)
    elif dropped:
        print(f"Error: dropped {dropped} request(s) still in flight after the {grace_ms} "
              "ms grace", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1 if dropped or second else 0)


class AcceptErrors:
    """Accept errors, said at most once a second, with how many came since: out of
    file descriptors a server keeps serving the connections it has, and must not
    flood its log (or spin: it backs off BACK_OFF seconds after each). With a
    multiprocessing `context`, the processes it forks share one log."""

    BACK_OFF = 0.010

    def __init__(self, program, context=None):
        self.program = program
        self.cells, self.lock = _cells("d", 2, context)  # [when last said, errors unsaid]
        self.cells[0] = -math.inf

    def log(self, error, what="accept"):
        """Logs `what: error` on stderr unless a line was written less than a second
        ago (a refused connection is logged here too, as `refused: ...`)."""
        with self.lock:
            now = time.monotonic()
            if now - self.cells[0] < 1:
                self.cells[1] += 1
                return
            more = f" ({int(self.cells[1])} more since the last message)" if self.cells[1] else ""
            print(f"{self.program}: {what}: {error}{more}", file=sys.stderr, flush=True)
            self.cells[0], self.cells[1] = now, 0


class Patience:
    """How long one connection may keep its server waiting, from the serve flags: a
    head must be complete --head-timeout-ms after its first byte (a new connection's
    first head: after the accept), a next request must start --idle-timeout-ms after
    an answer, and a client must take each piece of an answer within
    --write-timeout-ms (`write_s`)."""

    def __init__(self, args):
        self.head_s, self.idle_s = args.head_timeout_ms / 1_000, args.idle_timeout_ms / 1_000
        self.write_s = args.write_timeout_ms / 1_000
        self.until, self.heading = time.monotonic() + self.head_s, True

    def read_s(self, reader):
        """Seconds the next read may wait, given what `reader` holds; TimeoutError
        if none are left."""
        now = time.monotonic()
        if not self.heading and reader.is_partial():  # a next head's first bytes are in
            self.until, self.heading = now + self.head_s, True
        if now >= self.until:
            raise TimeoutError
        return self.until - now

    def answered(self):
        """An answer is written: the idle timeout runs."""
        self.until, self.heading = time.monotonic() + self.idle_s, False


class Connection(socketserver.BaseRequestHandler):
    """socketserver's handler for one keep-alive connection, served by serve_blocking
    with its server's `drain` and `args`, until the client closes it."""

    def handle(self):
        # A client that hangs up mid-answer, or a timeout, ends only this connection.
        with contextlib.suppress(OSError):
            serve_blocking(self.request, self.server.drain, self.server.args)


def serve_blocking(sock, drain, args):
    """Serves one keep-alive connection until the client closes it, is too slow for
    the timeouts of `args` (socket timeouts), sends bytes that are not a request
    (answered 400, 431 or 501, then closed), or the server stops. Each delay sleeps
    this thread, watching the socket: a client that hangs up cancels its request;
    a heavy request's primes are counted on it too. OSError: the client hung up
    mid-answer, or a timeout closed the connection."""
    reader, patience = RequestReader(), Patience(args)
    while True:
        request = reader.feed()  # bytes already kept may hold one (pipelining)
        while request is None:
            sock.settimeout(patience.read_s(reader))
            data = sock.recv(READ_SIZE)
            if not data:
                return  # the client is done (or gave up mid-request)
            request = reader.feed(data)
        reply = reply_to(request)
        with drain.enter() as counted:
            if not counted:
                return  # stopping: close instead of starting another answer
            if reply.delay_ms and not client_waits(sock, reply.delay_ms / 1_000):
                return  # the client hung up: nobody to answer
            reply = reply.count_primes()  # work=N, on this thread: it would wait for a pool
            sock.settimeout(patience.write_s)  # sendall's limit for the whole piece
            for piece in reply.pieces():
                sock.sendall(piece)
        if reply.close:
            return
        patience.answered()


def client_waits(sock, delay_s):
    """Sleeps delay_s unless the client hangs up first (False): a blocking thread
    cannot wait for a timer and a socket at once, but a peek at the socket with a
    timeout of the delay's rest can. Bytes of a next request (pipelining) say the
    client is still there: they stay in the socket, and the rest of the delay is slept."""
    until = time.monotonic() + delay_s
    sock.settimeout(delay_s)
    try:
        if not sock.recv(1, socket.MSG_PEEK):
            return False  # closed, or half-closed: the hangup and a FIN look alike
    except TimeoutError:
        return True  # the delay is over, the client still waiting
    except OSError:
        return False  # reset
    time.sleep(max(until - time.monotonic(), 0))
    return True
