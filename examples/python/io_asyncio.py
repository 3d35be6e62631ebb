#!/usr/bin/env python3
"""io, asyncio (Python): one task per connection on one event loop.

The primer's answer for slow I/O over many connections. `asyncio.run` starts one
event loop on one thread; a TaskGroup starts a task per connection, and each holds
a keep-alive connection as asyncio streams (`asyncio.open_connection`) and fetches
ids c, c + C, c + 2C, ... A task waiting for its answer is a suspended coroutine,
not a thread, so thousands cost little; but every byte of parsing and every
checksum runs on that one thread. The standard library has no async HTTP client,
so `Client` writes the request bytes and reads the head and body itself.

Compare with: io_threading.py, io_multiprocessing.py, examples/io/tokio.

    python3 examples/python/io_asyncio.py --requests 1000 --concurrency 100 --delay-ms 50
"""

import asyncio

import workload

PROGRAM = "io_asyncio.py"
PARADIGM = "python-asyncio"


def main():
    args = workload.parse_args("io", PROGRAM)
    workload.raise_open_file_limit()
    # Without --server, an api-server runs beside this program until the block ends.
    with workload.api_server(args.server) as host:
        workers, total = asyncio.run(run(args, host))
    workload.report(args, PARADIGM, workers, total)


async def run(args, host):
    """Runs a task per connection and sums their subtotals; returns (threads used,
    checksum)."""
    connections = min(args.concurrency, args.requests)
    async with asyncio.TaskGroup() as group:
        subtotals = [group.create_task(connection(args, host, c, connections))
                     for c in range(connections)]
    # One thread ran them all: --workers has nothing to size here.
    return 1, sum(subtotal.result() for subtotal in subtotals) & workload.U64


async def connection(args, host, c, connections):
    """One connection's task: fetch ids c, c + C, ...; return their checksum."""
    client = Client(host)
    subtotal = 0
    for i in range(c, args.requests, connections):
        try:
            data = await client.get(i, args.delay_ms, args.bytes)
        except workload.Error as e:
            raise workload.Error(f"request {i}: {e}") from None
        subtotal += workload.fnv1a64(data)
    client.close()
    return subtotal


class Client:
    """One keep-alive connection as a pair of asyncio streams."""

    def __init__(self, host):
        self.host = host
        self.reader = self.writer = None

    async def get(self, i, delay_ms, nbytes):
        """Sends request i and returns the body of its `200` answer, or raises why not."""
        if self.writer is None:
            name, _, port = self.host.rpartition(":")
            try:
                self.reader, self.writer = await asyncio.open_connection(name, int(port))
            except (OSError, ValueError) as e:
                raise workload.Error(f"connect to {self.host}: {e}") from None
        self.writer.write(workload.request(self.host, i, delay_ms, nbytes))
        try:
            await self.writer.drain()
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            where = "in the middle of" if e.partial else "before"
            raise workload.Error(f"connection closed {where} a response") from None
        status, reason, length, close = workload.parse_head(head)
        try:
            data = await self.reader.readexactly(length)
        except asyncio.IncompleteReadError:
            raise workload.Error("connection closed in the middle of a response") from None
        if close:  # the server will close it: the next request reconnects
            self.close()
        workload.check_status(status, reason, data)
        return data

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


if __name__ == "__main__":
    workload.main(main)
