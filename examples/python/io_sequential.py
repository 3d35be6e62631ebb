#!/usr/bin/env python3
"""io, sequential (Python): one connection, one request at a time, the baseline.

One keep-alive connection with blocking reads (a socket, through
workload.BlockingClient) fetches every id in order, and counts each answer's
--work primes on the same thread before the next request. R requests of D ms each
take at least R x D: the time the three paradigms below set out to overlap. Each
request's latency (request written to body read; the work excluded) goes into one
list. A request has D + T ms (--timeout-ms), connecting included: one deadline,
with each blocking call's socket timeout set to the time left before it.

Compare with: io_threading.py, io_asyncio.py, io_multiprocessing.py,
examples/io/sequential.

    python3 examples/python/io_sequential.py --requests 100 --delay-ms 50
"""


import workload

PROGRAM = "io_sequential.py"
PARADIGM = "python-sequential"


def main():
    args = workload.parse_args("io", PROGRAM, blocking=True)
    args.concurrency = 1  # one connection, whatever --concurrency asks: the line says so
    workload.raise_open_file_limit()
    # Without --server, an api-server runs beside this program until the block ends.
    with workload.api_server(args.server) as host:
        workers, total, latencies = run(args, host)
    workload.report(args, PARADIGM, workers, total, latencies_us=latencies)


def run(args, host):
    """Fetches every id in order on one connection; returns (threads used, checksum,
    latencies in us)."""
    client = workload.BlockingClient(host, args.timeout_ms, args.bytes)
    total, latencies = 0, []
    for i in range(args.requests):
        try:
            data, us = client.get(i, args.delay_ms, args.bytes)
        except workload.Error as e:
            raise workload.Error(f"request {i}: {e}") from None
        latencies.append(us)
        total += workload.fnv1a64(data) + workload.work(i, args.work)
    client.close()
    return 1, total & workload.U64, latencies


if __name__ == "__main__":
    workload.main(main)
