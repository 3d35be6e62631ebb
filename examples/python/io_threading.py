#!/usr/bin/env python3
"""io, threading (Python): one thread per connection, from a ThreadPoolExecutor.

The primer's answer for fast I/O over few connections. A
`concurrent.futures.ThreadPoolExecutor` sized to the connections runs one thread
per connection; each holds a keep-alive connection with blocking reads (a socket,
through workload.BlockingClient), fetches ids c, c + C, c + 2C, ... and counts
each answer's --work primes itself. A thread waiting in `recv` releases the global
interpreter lock, so the waits overlap; the parsing, the checksums and the work
still take turns on it. Each thread costs an OS thread and its stack, and keeps
its own list of latencies (no lock), merged at the end. A request has D + T ms
(--timeout-ms), connecting included: one deadline, with each blocking call's
socket timeout set to the time left before it.

Compare with: io_asyncio.py, io_multiprocessing.py, examples/io/threads.

    python3 examples/python/io_threading.py --requests 1000 --concurrency 100 --delay-ms 50
"""

from concurrent.futures import ThreadPoolExecutor

import workload

PROGRAM = "io_threading.py"
PARADIGM = "python-threading"


def main():
    args = workload.parse_args("io", PROGRAM, blocking=True)
    workload.raise_open_file_limit()
    # Without --server, an api-server runs beside this program until the block ends.
    with workload.api_server(args.server) as host:
        workers, total, latencies = run(args, host)
    workload.report(args, PARADIGM, workers, total, latencies_us=latencies)


def run(args, host):
    """Runs a thread per connection and merges their tallies; returns (threads used,
    checksum, latencies in us)."""
    connections = min(args.concurrency, args.requests)
    with ThreadPoolExecutor(max_workers=max(connections, 1)) as pool:
        tallies = []
        for c in range(connections):
            try:
                tallies.append(pool.submit(connection, args, host, c, connections))
            except RuntimeError as e:  # "can't start new thread"
                raise workload.Error(f"start connection thread {c}: {e}") from None
        total = sum(tally.result()[0] for tally in tallies) & workload.U64
        latencies = [us for tally in tallies for us in tally.result()[1]]
    return connections, total, latencies


def connection(args, host, c, connections):
    """One connection's thread: fetch ids c, c + C, ...; return (checksum, latencies)."""
    client = workload.BlockingClient(host, args.timeout_ms, args.bytes)
    subtotal, latencies = 0, []
    for i in range(c, args.requests, connections):
        try:
            data, us = client.get(i, args.delay_ms, args.bytes)
        except workload.Error as e:
            raise workload.Error(f"request {i}: {e}") from None
        latencies.append(us)
        subtotal += workload.fnv1a64(data) + workload.work(i, args.work)
    client.close()
    return subtotal, latencies


if __name__ == "__main__":
    workload.main(main)
