#!/usr/bin/env python3
"""io, threading (Python): one thread per connection, from a ThreadPoolExecutor.

The primer's answer for fast I/O over few connections. A
`concurrent.futures.ThreadPoolExecutor` sized to the connections runs one thread
per connection; each holds a keep-alive connection with blocking reads
(`http.client`) and fetches ids c, c + C, c + 2C, ... A thread waiting in `recv`
releases the global interpreter lock, so the waits overlap; the parsing and the
checksums still take turns on it. Each thread costs an OS thread and its stack.

Compare with: io_asyncio.py, io_multiprocessing.py, examples/io/threads.

    python3 examples/python/io_threading.py --requests 1000 --concurrency 100 --delay-ms 50
"""

from concurrent.futures import ThreadPoolExecutor

import workload

PROGRAM = "io_threading.py"
PARADIGM = "python-threading"


def main():
    args = workload.parse_args("io", PROGRAM)
    workload.raise_open_file_limit()
    # Without --server, an api-server runs beside this program until the block ends.
    with workload.api_server(args.server) as host:
        workers, total = run(args, host)
    workload.report(args, PARADIGM, workers, total)


def run(args, host):
    """Runs a thread per connection and sums their subtotals; returns (threads used,
    checksum)."""
    connections = min(args.concurrency, args.requests)
    with ThreadPoolExecutor(max_workers=max(connections, 1)) as pool:
        subtotals = []
        for c in range(connections):
            try:
                subtotals.append(pool.submit(connection, args, host, c, connections))
            except RuntimeError as e:  # "can't start new thread"
                raise workload.Error(f"start connection thread {c}: {e}") from None
        total = sum(subtotal.result() for subtotal in subtotals) & workload.U64
    return connections, total


def connection(args, host, c, connections):
    """One connection's thread: fetch ids c, c + C, ...; return their checksum."""
    client = workload.BlockingClient(host)
    subtotal = 0
    for i in range(c, args.requests, connections):
        try:
            data = client.get(i, args.delay_ms, args.bytes)
        except workload.Error as e:
            raise workload.Error(f"request {i}: {e}") from None
        subtotal += workload.fnv1a64(data)
    client.close()
    return subtotal


if __name__ == "__main__":
    workload.main(main)
