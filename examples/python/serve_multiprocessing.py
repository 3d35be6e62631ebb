#!/usr/bin/env python3
"""serve, multiprocessing (Python): pre-forked processes, a thread per connection.

The parent listens, then forks --workers processes (`multiprocessing.Process`,
the fork start method) that inherit the listening socket; each runs the server
of serve_threading.py on it (at most MAX_THREADS connection threads, a 50 ms GIL
switch interval: 15,000 idle connections closing at once held it 39 s without,
0.1 s with), and the kernel hands each new connection to one of them. Each
process has its own GIL, so W processes run Python on W cores: gunicorn's
gthread workers. Not ForkingTCPServer's process per connection: it stops
accepting at 40, so a client holding more keep-alive connections deadlocks it.
The requests in flight and the accept errors are counted in shared memory.
A heavy request's primes (work=N) are counted on its connection's thread.

SIGINT or SIGTERM (the parent's handler; the workers ignore Ctrl-C): stop taking
requests, let those in flight in every worker finish for up to --grace-ms, or
until a second signal, kill the workers, which closes their connections, and
exit. A worker dies with the parent, even one killed with SIGKILL.

Compare with: serve_threading.py, serve_asyncio.py, serve_sequential.py,
examples/serve/threads.

    python3 examples/python/serve_multiprocessing.py --listen 127.0.0.1:8080
"""

import multiprocessing
import multiprocessing.connection
import signal
import socketserver
import sys
import threading
import time

import workload

PROGRAM = "serve_multiprocessing.py"
NO_OFFLOAD = "counts primes on the connection's thread: a pool would leave it waiting"
START_METHOD = "fork"
# Per worker, as in serve_threading.py: connection threads at most, the GIL switch interval.
MAX_THREADS = 2_500
SWITCH_INTERVAL_S = 0.050


def main():
    args = workload.parse_serve_args(PROGRAM, pool=True, no_offload=NO_OFFLOAD)
    # Each connection is a file descriptor: take all the hard limit allows.
    nofile = workload.raise_open_file_limit()
    listener = workload.listen(args.listen)
    context = multiprocessing.get_context(START_METHOD)
    drain = workload.Drain(context)
    errors = workload.AcceptErrors(PROGRAM, context)
    workers = []
    try:
        for k in range(args.workers):
            try:
                worker = context.Process(target=serve, args=(listener, drain, errors, args))
                worker.start()
            except OSError as e:
                raise workload.Error(f"start worker process {k}: {e}") from None
            workers.append(worker)
        # Installed after the forks, so that the workers keep the default handlers.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop(drain, args.grace_ms, workers))
        workload.say_listening(listener)
        print(f"{PROGRAM}: a process per worker, a thread per connection in each, at most "
              f"{MAX_THREADS}, {args.workers} workers, open-file limit {nofile}", file=sys.stderr)
        run(workers)
    finally:
        for worker in workers:  # on any failure: no worker outlives the parent
            worker.kill()


def run(workers):
    """Waits while the workers serve, until the process ends: one that ends first
    is an Error naming it."""
    ended = multiprocessing.connection.wait([worker.sentinel for worker in workers])
    k, worker = next((k, w) for k, w in enumerate(workers) if w.sentinel in ended)
    worker.join()
    raise workload.Error(f"worker process {k} (pid {worker.pid}) ended: "
                         f"{workload.exit_status(worker.exitcode)}")


def stop(drain, grace_ms, workers):
    """The shutdown, on the parent's main thread: the drain counts every worker's
    requests in flight. A second signal's runs inside the first's wait: at once."""
    dropped = drain.stop(grace_ms)  # None: a second signal
    for worker in workers:
        worker.kill()
    # Reaped before the exit: no zombie is left, and the tree's rusage has the workers'.
    for worker in workers:
        worker.join()
    second = dropped is None
    workload.exit_stopped(drain.in_flight() if second else dropped, grace_ms, second)


def serve(listener, drain, errors, args):
    """In a worker: accepts connections on the shared socket, each served on a
    thread of its own, until the parent kills it."""
    workload.die_with_parent()
    # Ctrl-C reaches every process of the terminal's group: the parent decides when
    # the workers end, after the requests in flight.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    with Server(listener, drain, errors, args) as server:
        server.serve_forever()


class Server(socketserver.ThreadingTCPServer):
    """socketserver's thread-per-connection server, on the inherited socket."""

    daemon_threads = True  # a connection's thread never holds up the exit
    block_on_close = False  # no list of every thread, pruned at each accept

    def __init__(self, listener, drain, errors, args):
        super().__init__(listener.getsockname(), workload.Connection, bind_and_activate=False)
        self.socket.close()  # socketserver's own socket, never bound: listener's replaces it
        self.socket, self.drain, self.errors, self.args = listener, drain, errors, args
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
        why = f"{MAX_THREADS} connection threads, the most a worker holds"
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
