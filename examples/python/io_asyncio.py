#!/usr/bin/env python3
"""io, asyncio (Python): one task per connection on one event loop.

The primer's answer for slow I/O over many connections. `asyncio.run` starts one
event loop on one thread; a TaskGroup starts a task per connection, each holding a
keep-alive connection as asyncio streams and fetching ids c, c + C, c + 2C, ... A
waiting task is a suspended coroutine, not a thread, so thousands cost little; but
all parsing and checksums run on that one thread. --work's primes are counted in
the task and block the loop: every other connection's answer waits, unread, until
the count ends. --offload counts them in the loop's default ThreadPoolExecutor
(`run_in_executor`), which frees the loop but not the GIL: the pool's threads and
the loop take turns running Python (a turn lasts up to the 5 ms switch interval),
so no count runs beside another or the loop's code; answers are just read between
turns, not after whole counts. Each task keeps its own latencies, merged at the
end. The standard library has no async HTTP client: `Client` is written here, on
workload.py's HTTP reader, with `asyncio.timeout` around each request's connect,
write and reads: D + T ms (--timeout-ms) in all.

Compare with: io_threading.py, io_multiprocessing.py, examples/io/tokio.

    python3 examples/python/io_asyncio.py --requests 1000 --concurrency 100 --delay-ms 50
"""

import asyncio
import time

import workload

PROGRAM = "io_asyncio.py"
PARADIGM = "python-asyncio"


def main():
    args = workload.parse_args("io", PROGRAM)
    workload.raise_open_file_limit()
    # Without --server, an api-server runs beside this program until the block ends.
    with workload.api_server(args.server) as host:
        workers, total, latencies = asyncio.run(run(args, host))
    workload.report(args, PARADIGM, workers, total, latencies_us=latencies)


async def run(args, host):
    """Runs a task per connection and merges their tallies; returns (threads used,
    checksum, latencies in us)."""
    connections = min(args.concurrency, args.requests)
    async with asyncio.TaskGroup() as group:
        tallies = [group.create_task(connection(args, host, c, connections))
                   for c in range(connections)]
    total = sum(tally.result()[0] for tally in tallies) & workload.U64
    latencies = [us for tally in tallies for us in tally.result()[1]]
    # One loop ran them all: --workers has nothing to size here (nor counts the
    # --offload pool, as tokio-io does not count its blocking pool).
    return 1, total, latencies


async def connection(args, host, c, connections):
    """One connection's task: fetch ids c, c + C, ...; return (checksum, latencies)."""
    client = Client(host, args.timeout_ms, args.bytes)
    subtotal, latencies = 0, []
    for i in range(c, args.requests, connections):
        try:
            data, us = await client.get(i, args.delay_ms, args.bytes)
        except workload.Error as e:
            raise workload.Error(f"request {i}: {e}") from None
        latencies.append(us)
        if args.offload and args.work:  # the loop serves other tasks meanwhile
            primes = await asyncio.get_running_loop().run_in_executor(
                None, workload.work, i, args.work)
        else:  # on the loop: no other task runs until the count ends
            primes = workload.work(i, args.work)
        subtotal += workload.fnv1a64(data) + primes
    client.close()
    return subtotal, latencies


class Client:
    """One keep-alive connection as a pair of asyncio streams, read through
    workload.ResponseReader; an answer's body may have at most max_body bytes."""

    def __init__(self, host, timeout_ms, max_body):
        self.host, self.timeout_ms, self.max_body = host, timeout_ms, max_body
        self.reader = self.writer = None
        self.responses = workload.ResponseReader(max_body)

    async def get(self, i, delay_ms, nbytes):
        """Sends request i and returns (the body of its `200` answer, its latency in
        us: request written to body read, connecting not included), or raises why not.
        A reused connection that fails before any byte of the answer was closed by
        the server while it was idle: the request is sent once more, on a new
        connection (GET is idempotent: RFC 9112, 9.3.1), within the same deadline."""
        patience_ms = delay_ms + self.timeout_ms
        data, reused = workload.request(self.host, i, delay_ms, nbytes), self.writer is not None
        try:
            async with asyncio.timeout(patience_ms / 1_000):  # connecting included
                try:
                    response, latency_us = await self.exchange(data)
                except workload.Unanswered:
                    if not reused:
                        raise
                    self.close()
                    response, latency_us = await self.exchange(data)
        except TimeoutError:
            self.close()
            raise workload.Error(f"no answer within {patience_ms} ms") from None
        except OSError as e:
            self.close()
            raise workload.Error(f"connection lost: {e}") from None
        if response.close:  # the server will close it: the next request reconnects
            self.close()
        workload.check_status(response.status, response.reason, response.body)
        return response.body, latency_us

    async def exchange(self, data):
        """Writes a request's bytes (connecting first if need be) and reads its
        response; returns it and its latency in us. A read waits whenever the stream's
        buffer is empty, which only the loop fills, so the timeout around this fires
        even while bytes keep coming."""
        if self.writer is None:
            try:
                self.reader, self.writer = await asyncio.open_connection(
                    *workload.host_port(self.host))
            except OSError as e:
                raise workload.Error(f"connect to {self.host}: {e}") from None
        start = time.perf_counter_ns()
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (BrokenPipeError, ConnectionResetError) as e:
            raise workload.Unanswered(f"connection lost: {e}") from None
        response = None
        while response is None:
            try:
                received = await self.reader.read(workload.READ_SIZE)  # b"" at the end
            except ConnectionResetError:  # a close: the reader knows if the answer had begun
                received = b""
            response = self.responses.feed(received)
        return response, (time.perf_counter_ns() - start) // 1_000

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
        self.responses = workload.ResponseReader(self.max_body)


if __name__ == "__main__":
    workload.main(main)
