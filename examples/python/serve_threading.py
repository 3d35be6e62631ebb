#!/usr/bin/env python3
"""serve, threading (Python): one thread per connection.

`socketserver.ThreadingTCPServer` accepts connections on the main thread and
starts a thread for each; that thread reads a request, sleeps for its delay,
writes the answer in 16 KiB pieces, and reads the next, until the client closes
the connection or is too slow for --head-timeout-ms, --idle-timeout-ms or
--write-timeout-ms, socket timeouts all (workload.serve_blocking). A thread
sleeping or waiting in `recv` releases the global interpreter lock, so 2,000
connections each waiting 100 ms are answered together; the Python in between
takes turns on that one lock, on one core. The classic server of the primer's
"few connections: threads", the Python twin of examples/serve/threads.

A sleeping thread cannot wait on its socket too, so it sleeps in a
`recv(MSG_PEEK)` whose timeout is the delay: a client that hangs up (FIN or RST,
a half-close alike) cancels its request at once (two reset 10 s requests held
SIGTERM 9.7 s before, nothing now). Bytes of a next request end the watch: the
rest of the delay is slept.

SIGINT or SIGTERM: the handler runs on the main thread, which then accepts no
more, and waits there while the connections' threads finish the requests in
flight, for up to --grace-ms, or until a second signal; the exit ends every
thread (they are daemons).

Compare with: serve_sequential.py, serve_asyncio.py, serve_multiprocessing.py,
examples/serve/threads.

    python3 examples/python/serve_threading.py --listen 127.0.0.1:8080
"""

import signal
import socketserver
import sys
import time

import workload

PROGRAM = "serve_threading.py"


def main():
    args = workload.parse_serve_args(PROGRAM)
    # Each connection is a file descriptor: take all the hard limit allows.
    nofile = workload.raise_open_file_limit()
    listener = workload.listen(args.listen)
    drain = workload.Drain()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: drain.stop_and_exit(args.grace_ms))
    workload.say_listening(listener)
    # Only one thread runs Python at a time, under the GIL: --workers sizes nothing.
    print(f"{PROGRAM}: a thread per connection (--workers not used), open-file limit {nofile}",
          file=sys.stderr)
    run(listener, drain, args)


def run(listener, drain, args):
    """Accepts connections until the process ends, each served on a thread of its own."""
    with Server(listener, drain, args) as server:
        server.serve_forever()


class Server(socketserver.ThreadingTCPServer):
    """socketserver's thread-per-connection server, on the socket workload.listen made."""

    daemon_threads = True  # a connection's thread never holds up the exit

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

    def process_request(self, request, client_address):
        try:
            super().process_request(request, client_address)
        except RuntimeError as e:
            # "can't start new thread" (a limit on tasks or memory): this connection
            # is dropped, and the others go on.
            self.errors.log(e)
            self.shutdown_request(request)


if __name__ == "__main__":
    workload.main(main)
