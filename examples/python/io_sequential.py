#!/usr/bin/env python3
"""io, sequential (Python): one connection, one request at a time, the baseline.

One keep-alive connection with blocking reads (`http.client`, through
workload.BlockingClient) fetches every id in order. R requests of D ms each take
at least R x D: the time the three paradigms below set out to overlap.

Compare with: io_threading.py, io_asyncio.py, io_multiprocessing.py,
examples/io/sequential.

    python3 examples/python/io_sequential.py --requests 100 --delay-ms 50
"""

import workload

PROGRAM = "io_sequential.py"
PARADIGM = "python-sequential"


def main():
    args = workload.parse_args("io", PROGRAM)
    workload.raise_open_file_limit()
    # Without --server, an api-server runs beside this program until the block ends.
    with workload.api_server(args.server) as host:
        workers, total = run(args, host)
    workload.report(args, PARADIGM, workers, total)


def run(args, host):
    """Fetches every id in order on one connection; returns (threads used, checksum)."""
    client = workload.BlockingClient(host)
    total = 0
    for i in range(args.requests):
        try:
            data = client.get(i, args.delay_ms, args.bytes)
        except workload.Error as e:
            raise workload.Error(f"request {i}: {e}") from None
        total = (total + workload.fnv1a64(data)) & workload.U64
    client.close()
    return 1, total


if __name__ == "__main__":
    workload.main(main)
