#!/usr/bin/env python3
"""serve, threading (Python): one thread per connection, at most 2,500.

`socketserver.ThreadingTCPServer` accepts connections on the main thread and
starts a thread for each; that thread reads a request, sleeps for its delay,
writes the answer in 16 KiB pieces, and reads the next, until the client closes
the connection or is too slow for --head-timeout-ms, --idle-timeout-ms or
--write-timeout-ms, socket timeouts all (workload.serve_blocking). A thread
sleeping or waiting in `recv` releases the global interpreter lock, so 2,000
connections each waiting 100 ms are answered together; the Python in between
takes turns on that one lock, on one core, and so does a heavy request's count
of primes (work=N), on its connection's thread: --offload is refused, as that
thread would wait for a pool as long. The classic server of the primer's
"few connections: threads", the Python twin of examples/serve/threads.

Its limit is that lock. Threads that wake together queue for it, and by default
the one holding it must let go every 5 ms: 15,000 idle connections closing at
once held this server for 190 s (5,000: 7 s), both cores busy handing the lock
round, and SIGTERM waited 92 s. So the switch interval is 50 ms
(sys.setswitchinterval): each woken thread finishes its few steps first, and
2,000 closing at once hold a next request 0.1-0.2 s (0.9-2.9 s at 5 ms, on 2
cores). And it holds at most MAX_THREADS connection threads, the 2,000 the
contract asks for (a burst, slowloris) and a quarter more, where 2,500 closing
at once still cost 0.2-0.3 s (5,000: 0.4 s, or 10 s); a connection above that
is closed unanswered, and the refusals are logged, a line a second at most,
with a count.

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
import threading
import time

import workload

PROGRAM = "serve_threading.py"
NO_OFFLOAD = "counts primes on the connection's thread: a pool would leave it waiting"
# At most this many connection threads (see above for why); more are closed unanswered.
MAX_THREADS = 2_500
# How often a thread that wants the GIL makes the one holding it let go: 5 ms by
# default, when thousands of threads woken at once pass it round in a convoy.
SWITCH_INTERVAL_S = 0.050


def main():
    args = workload.parse_serve_args(PROGRAM, no_offload=NO_OFFLOAD)
    # Each connection is a file descriptor: take all the hard limit allows.
    nofile = workload.raise_open_file_limit()
    listener = workload.listen(args.listen)
    drain = workload.Drain()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: drain.stop_and_exit(args.grace_ms))
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    workload.say_listening(listener)
    # Only one thread runs Python at a time, under the GIL: --workers sizes nothing.
    print(f"{PROGRAM}: a thread per connection, at most {MAX_THREADS} (--workers not used), "
          f"open-file limit {nofile}", file=sys.stderr)
    run(listener, drain, args)


def run(listener, drain, args):
    """Accepts connections until the process ends, each served on a thread of its own."""
    with Server(listener, drain, args) as server:
        server.serve_forever()


class Server(socketserver.ThreadingTCPServer):
    """socketserver's thread-per-connection server, on the socket workload.listen made."""

    daemon_threads = True  # a connection's thread never holds up the exit
    block_on_close = False  # no list of every thread, pruned at each accept

    def __init__(self, listener, drain, args):
        super().__init__(listener.getsockname(), workload.Connection, bind_and_activate=False)
        self.socket.close()  # socketserver's own socket, never bound: listener's replaces it
        self.socket, self.drain, self.args = listener, drain, args
        self.errors = workload.AcceptErrors(PROGRAM)
        self.seats = threading.BoundedSemaphore(MAX_THREADS)

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
        why = f"{MAX_THREADS} connection threads, the most this server holds"
        if self.seats.acquire(blocking=False):  # none is free until a thread ends
            try:
                return super().process_request(request, client_address)
            except RuntimeError as e:  # "can't start new thread": a limit on tasks or memory
                self.seats.release()
                why = e
        # Only this connection is closed, unanswered, and the others go on.
        self.errors.log(f"a connection closed unanswered: {why}", "refused")
        self.shutdown_request(request)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.seats.release()  # on the connection's thread, as it ends


if __name__ == "__main__":
    workload.main(main)
