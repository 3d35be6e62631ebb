#!/usr/bin/env python3
"""serve, asyncio (Python): one task per connection on one event loop.

The accept loop starts a task for each connection; that task reads a request
from asyncio streams, awaits its delay, writes the answer, and reads the next,
until the client closes the connection or is too slow for --head-timeout-ms,
--idle-timeout-ms or --write-timeout-ms (`asyncio.timeout` around each read and
write). A waiting task is a suspended coroutine and a timer, not a thread, so
10,000 connections each waiting 100 ms cost little more than 100: the primer's
answer for slow I/O over many connections, and the Python twin of
examples/serve/tokio with one worker. But everything else runs on the loop's one
thread: a body is made in Python, 16 KiB at a time, and the task gives the loop
a turn after each piece, or a big answer holds up every connection while it is
made (a 16-byte request waited 3.4-5.5 s behind five 16 MiB answers made whole,
25-70 ms now). The accept loop is written out (`loop.sock_accept`), not
`asyncio.start_server`'s: that one waits a whole second after a failed accept
(out of file descriptors) and logs each failure with a traceback; this one backs
off 10 ms and logs at most once a second, as the Rust servers do.

A heavy request's primes (work=N) are counted on the loop, holding up every
connection; with --offload, on --workers processes forked at the start and
reaped at the exit (`run_in_executor` on a `ProcessPoolExecutor`, as asyncio's
docs advise for CPU-bound code: a thread, as in io_asyncio.py, holds the GIL).

A delay's timer is raced with a read of the socket: a client that hangs up (FIN
or RST, a half-close alike) cancels its request at once (two reset 10 s requests
held SIGTERM 9.7 s before, nothing now). Bytes of a next request end the race:
they are kept, and the rest of the delay awaited.

SIGINT or SIGTERM (`loop.add_signal_handler`): the wait for the requests in
flight runs on a thread of the loop's executor while the loop goes on serving
them; then the exit closes every connection, after up to --grace-ms, or at a
second signal.

Compare with: serve_threading.py, serve_multiprocessing.py, serve_sequential.py,
examples/serve/tokio.

    python3 examples/python/serve_asyncio.py --listen 127.0.0.1:8080
"""

import asyncio
import concurrent.futures
import multiprocessing
import signal
import sys

import workload

PROGRAM = "serve_asyncio.py"
START_METHOD = "fork"


def main():
    args = workload.parse_serve_args(PROGRAM, pool=True)
    # Each connection is a file descriptor: take all the hard limit allows.
    nofile = workload.raise_open_file_limit()
    pool = offload_pool(args.workers) if args.offload else None
    listener = workload.listen(args.listen)
    drain = workload.Drain()
    with asyncio.Runner() as runner:
        loop = runner.get_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, loop.run_in_executor, None, stop, drain, args.grace_ms)
        workload.say_listening(listener)
        # One loop on one thread: --workers sizes only the --offload pool.
        used = f"--offload on {args.workers} processes" if pool else "--workers not used"
        print(f"{PROGRAM}: a task per connection, one event loop ({used}), "
              f"open-file limit {nofile}", file=sys.stderr)
        runner.run(run(listener, drain, args, pool))


def offload_pool(workers):
    """--offload's processes, all forked now, before any thread or connection exists:
    one forked later would inherit the connections open then, and keep them open."""
    pool = concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context(START_METHOD), initializer=pool_process)
    pool.submit(int).result()  # with fork, the first job starts every process of the pool
    return pool


def pool_process():
    """First thing in a pool process: it dies with the server, even one killed with
    SIGKILL, and leaves Ctrl-C (sent to the terminal's whole group) to the server."""
    workload.die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def stop(drain, grace_ms):
    """Drain.stop_and_exit, on a thread of the loop's executor while the loop serves
    the requests in flight, and the --offload pool's processes, idle or counting for
    a dropped request, killed and reaped before the exit: none outlives the server."""
    dropped = drain.stop(grace_ms)  # None: a second signal, which exits at once
    for process in multiprocessing.active_children():  # the pool's, if any
        process.kill()
        process.join()
    second = dropped is None
    workload.exit_stopped(drain.in_flight() if second else dropped, grace_ms, second)


async def run(listener, drain, args, pool):
    """Accepts connections until the process ends, each served by a task of its own."""
    loop = asyncio.get_running_loop()
    listener.setblocking(False)  # the loop waits for connections, not this thread
    errors = workload.AcceptErrors(PROGRAM)
    tasks = set()  # the loop keeps only weak references to tasks
    while True:
        try:
            sock, _ = await loop.sock_accept(listener)
        except OSError as e:
            # Out of file descriptors, or a connection reset before we took it:
            # neither is fatal.
            errors.log(e)
            await asyncio.sleep(workload.AcceptErrors.BACK_OFF)
            continue
        task = asyncio.create_task(connection(sock, drain, args, pool))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


async def connection(sock, drain, args, pool):
    """Serves one keep-alive connection until the client closes it, is too slow for
    the timeouts (`asyncio.timeout` around each read and write), sends bytes that are
    not a request (answered 400, 431 or 501, then closed), or the server stops. Each
    delay is a timer raced with the socket: the loop serves other connections
    meanwhile, and a client that hangs up cancels its request. A heavy request's
    primes are counted on the loop, or on the `pool` (--offload) while it serves the
    other connections."""
    reader, writer = await asyncio.open_connection(sock=sock)
    requests, patience = workload.RequestReader(), workload.Patience(args)
    try:
        while True:
            request = requests.feed()  # bytes already kept may hold one (pipelining)
            while request is None:
                async with asyncio.timeout(patience.read_s(requests)):
                    data = await reader.read(workload.READ_SIZE)
                if not data:
                    return  # the client is done (or gave up mid-request)
                request = requests.feed(data)
            reply = workload.reply_to(request)
            with drain.enter() as counted:
                if not counted:
                    return  # stopping: close instead of starting another answer
                # No timer at all for 0 ms: it would still wait for the loop's next turn.
                if reply.delay_ms and not await client_waits(reader, requests, reply.delay_ms):
                    return  # the client hung up: nobody to answer
                if pool and reply.heavy:  # the loop serves other connections meanwhile
                    primes = await asyncio.get_running_loop().run_in_executor(
                        pool, workload.work, *reply.heavy)
                    reply = reply._replace(primes=primes)
                else:  # on the loop: no other connection is served until the count ends
                    reply = reply.count_primes()
                for piece in reply.pieces():
                    writer.write(piece)
                    async with asyncio.timeout(patience.write_s):
                        await writer.drain()  # waits only while the client is behind
                    # Making a 16 KiB piece takes ~0.5 ms: the other connections'
                    # turn before the next, or a 16 MiB answer would hold them all.
                    await asyncio.sleep(0)
            if reply.close:
                return
            patience.answered()
    except OSError:
        # A hangup mid-answer, or a timeout, ends only its own connection, unsent
        # bytes and all: close() would wait for a client that does not read.
        writer.transport.abort()
    finally:
        writer.close()


async def client_waits(reader, requests, delay_ms):
    """Waits delay_ms on the loop's timer unless the client hangs up first (False):
    the timer raced with a read of the socket. Bytes of a next request (pipelining)
    say the client is still there: they are kept, and the rest of the delay waited."""
    loop = asyncio.get_running_loop()
    until = loop.time() + delay_ms / 1_000
    try:
        async with asyncio.timeout_at(until):
            data = await reader.read(workload.READ_SIZE)
    except TimeoutError:
        return True  # the delay is over, the client still waiting
    if not data:
        return False  # closed, or half-closed: the hangup and a FIN look alike
    requests.keep(data)
    await asyncio.sleep(until - loop.time())
    return True


if __name__ == "__main__":
    workload.main(main)
