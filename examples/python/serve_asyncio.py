#!/usr/bin/env python3
"""serve, asyncio (Python): one task per connection on one event loop.

The accept loop starts a task for each connection; that task reads a request
from asyncio streams, awaits `asyncio.sleep` for its delay, writes the answer,
and reads the next, until the client closes the connection. A waiting task is a
suspended coroutine and a timer, not a thread, so 10,000 connections each waiting
100 ms cost little more than 100: the primer's answer for slow I/O over many
connections, and the Python twin of examples/serve/tokio with one worker. But
everything else runs on the loop's one thread: a 1 MiB body, made in Python,
holds up every other connection while it is made. The accept loop is written out
(`loop.sock_accept`), not `asyncio.start_server`'s: that one waits a whole second
after a failed accept (out of file descriptors) and logs each failure with a
traceback; this one backs off 10 ms and logs at most once a second, as the Rust
servers do.

SIGINT or SIGTERM (`loop.add_signal_handler`): the wait for the requests in
flight runs on a thread of the loop's executor while the loop goes on serving
them; then the exit closes every connection, for up to --grace-ms.

Compare with: serve_threading.py, serve_multiprocessing.py, serve_sequential.py,
examples/serve/tokio.

    python3 examples/python/serve_asyncio.py --listen 127.0.0.1:8080
"""

import asyncio
import signal
import sys

import workload

PROGRAM = "serve_asyncio.py"


def main():
    args = workload.parse_serve_args(PROGRAM)
    # Each connection is a file descriptor: take all the hard limit allows.
    nofile = workload.raise_open_file_limit()
    listener = workload.listen(args.listen)
    drain = workload.Drain()
    with asyncio.Runner() as runner:
        loop = runner.get_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, loop.run_in_executor, None,
                                    drain.stop_and_exit, args.grace_ms)
        workload.say_listening(listener)
        # One loop on one thread: --workers sizes nothing.
        print(f"{PROGRAM}: a task per connection, one event loop (--workers not used), open-file limit {nofile}",
              file=sys.stderr)
        runner.run(run(listener, drain))


async def run(listener, drain):
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
        task = asyncio.create_task(connection(sock, drain))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


async def connection(sock, drain):
    """Serves one keep-alive connection until the client closes it, sends bytes that
    are not a request (answered 400 or 431, then closed), or the server stops. Each
    delay is a timer: the task waits, the loop serves other connections."""
    reader, writer = await asyncio.open_connection(sock=sock)
    requests = workload.RequestReader()
    try:
        while True:
            request = requests.feed()  # bytes already kept may hold one (pipelining)
            while request is None:
                data = await reader.read(workload.READ_SIZE)
                if not data:
                    return  # the client is done (or gave up mid-request)
                request = requests.feed(data)
            reply = workload.reply_to(request)
            with drain.enter() as counted:
                if not counted:
                    return  # stopping: close instead of starting another answer
                # No timer at all for 0 ms: it would still wait for the loop's next turn.
                if reply.delay_ms:
                    await asyncio.sleep(reply.delay_ms / 1_000)
                writer.write(reply.write())
                await writer.drain()
            if reply.close:
                return
    except OSError:
        pass  # a client that hangs up mid-answer ends only its own connection
    finally:
        writer.close()


if __name__ == "__main__":
    workload.main(main)
