#!/usr/bin/env python3
"""serve, sequential (Python): one connection at a time, the baseline.

`socketserver.TCPServer` is an iterative server: its loop accepts a connection and
serves it on the main thread (workload.serve_blocking: read a request, sleep for
its delay, write the answer in 16 KiB pieces, read the next) until the client
closes it, and only then accepts the next. Every other client waits in the
kernel's backlog meanwhile, so one silent connection holds them all up for
--head-timeout-ms (10 s), an idle keep-alive one for --idle-timeout-ms (30 s), a
client that does not read for --write-timeout-ms (10 s) a piece; N such clients,
N times that. R requests of D ms take R x D whatever the clients do: the time
the three servers below set out to overlap. A heavy request (work=N) holds
them all up while its primes are counted on that one thread (--offload is
refused: the thread would wait for a pool as long). It is the right server for
one client at a time, and the wrong one for more.

While it sleeps for a delay it watches the socket (`recv(MSG_PEEK)` with the
delay as timeout): a client that hangs up cancels its request, and the next
client is served at once (it waited 9.7 s behind a reset 10 s request before).

SIGINT or SIGTERM: the main thread is the one answering the request in flight, so
the handler hands the wait for it to a thread of its own: stop taking requests,
let the one in flight finish for up to --grace-ms (a second signal: no longer),
and exit, which closes the connection.

Compare with: serve_threading.py, serve_asyncio.py, serve_multiprocessing.py,
examples/serve/threads.

    python3 examples/python/serve_sequential.py --listen 127.0.0.1:8080
"""

import signal
import socketserver
import sys
import threading
import time

import workload

PROGRAM = "serve_sequential.py"
NO_OFFLOAD = "serves connections in turn on one thread: a pool would leave it waiting"


def main():
    args = workload.parse_serve_args(PROGRAM, no_offload=NO_OFFLOAD)
    # Each connection is a file descriptor: take all the hard limit allows.
    nofile = workload.raise_open_file_limit()
    listener = workload.listen(args.listen)
    drain = workload.Drain()

    def on_signal(*_):
        threading.Thread(target=drain.stop_and_exit, args=(args.grace_ms,), daemon=True).start()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    workload.say_listening(listener)
    print(f"{PROGRAM}: one connection at a time, 1 worker, open-file limit {nofile}",
          file=sys.stderr)
    run(listener, drain, args)


def run(listener, drain, args):
    """Serves connections one after another, on this thread, until the process ends."""
    with Server(listener, drain, args) as server:
        server.serve_forever()


class Server(socketserver.TCPServer):
    """socketserver's iterative server, on the socket workload.listen made."""

    def __init__(self, listener, drain, args):
        super().__init__(listener.getsockname(), workload.Connection, bind_and_activate=False)
        self.socket.close()  # socketserver's own socket, never bound: listener's replaces it
        self.socket, self.drain, self.args = listener, drain, args
        self.errors = workload.AcceptErrors(PROGRAM)

    def get_request(self):
        try:
            return self.socket.accept()
        except OSError as e:
            # Out of file descriptors, or a connection reset before we took it:
            # neither is fatal. socketserver skips a failed accept.
            self.errors.log(e)
            time.sleep(workload.AcceptErrors.BACK_OFF)
            raise


if __name__ == "__main__":
    workload.main(main)
