#!/usr/bin/env python3
"""serve, multiprocessing (Python): pre-forked processes, a thread per connection.

The parent listens, then forks --workers processes (`multiprocessing.Process`,
the fork start method) that inherit the listening socket; each runs a
`socketserver.ThreadingTCPServer` on it, so the kernel hands each new connection
to one of them, and that process serves it on a thread of its own
(workload.serve_blocking). Each process has its own interpreter and its own GIL,
so W processes run Python (parsing, making the bodies) on W cores, where
serve_threading.py runs it on one: gunicorn's gthread workers, a process per
core and threads within. This pool, rather than socketserver.ForkingTCPServer (a
process per connection), because a forking server stops accepting at
max_children (40) processes until one ends: a client that holds more keep-alive
connections open than that, waiting for answers on each, deadlocks it; and
raising the cap costs a fork and MiBs of memory per connection. Here every
connection is held at once, for a thread's price. The requests in flight are
counted in memory the processes share (workload.Drain with the context), and so
are the accept errors, said once a second for the whole pool.

SIGINT or SIGTERM (the parent's handler; the workers ignore Ctrl-C): stop taking
requests, let those in flight in every worker finish for up to --grace-ms, kill
the workers, which closes their connections, and exit. A worker dies with the
parent, even one killed with SIGKILL (workload.die_with_parent).

Compare with: serve_threading.py, serve_asyncio.py, serve_sequential.py,
examples/serve/threads.

    python3 examples/python/serve_multiprocessing.py --listen 127.0.0.1:8080
"""

import contextlib
import multiprocessing
import multiprocessing.connection
import signal
import socketserver
import sys
import time

import workload

PROGRAM = "serve_multiprocessing.py"
START_METHOD = "fork"


def main():
    args = workload.parse_serve_args(PROGRAM)
    # Each connection is a file descriptor: take all the hard limit allows.
    nofile = workload.raise_open_file_limit()
    listener = workload.listen(args.listen)
    context = multiprocessing.get_context(START_METHOD)
    # Every worker counts its requests here, and logs its accept errors, in shared memory.
    drain = workload.Drain(context)
    errors = workload.AcceptErrors(PROGRAM, context)
    workers = []
    try:
        for k in range(args.workers):
            try:
                worker = context.Process(target=serve, args=(listener, drain, errors))
                worker.start()
            except OSError as e:
                raise workload.Error(f"start worker process {k}: {e}") from None
            workers.append(worker)
        # Installed after the forks, so that the workers keep the default handlers.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop(drain, args.grace_ms, workers))
        workload.say_listening(listener)
        print(f"{PROGRAM}: a process per worker, a thread per connection in each, "
              f"{args.workers} workers, open-file limit {nofile}", file=sys.stderr)
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
    requests in flight."""
    dropped = drain.stop(grace_ms)
    if dropped is not None:  # None: a second signal, while the first waits
        for worker in workers:
            worker.kill()
        # Reaped before the parent exits: no zombie is left, and a benchmark that
        # reads the rusage of the whole tree gets the workers' share too.
        for worker in workers:
            worker.join()
        workload.exit_stopped(dropped, grace_ms)


def serve(listener, drain, errors):
    """In a worker: accepts connections on the shared socket, each served on a
    thread of its own, until the parent kills it."""
    workload.die_with_parent()
    # Ctrl-C reaches every process of the terminal's group: the parent decides when
    # the workers end, after the requests in flight.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with Server(listener, drain, errors) as server:
        server.serve_forever()


class Server(socketserver.ThreadingTCPServer):
    """socketserver's thread-per-connection server, on the inherited socket."""

    daemon_threads = True  # a connection's thread never holds up the exit

    def __init__(self, listener, drain, errors):
        super().__init__(listener.getsockname(), Connection, bind_and_activate=False)
        self.socket.close()  # socketserver's own socket, never bound: listener's replaces it
        self.socket, self.drain, self.errors = listener, drain, errors

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


class Connection(socketserver.BaseRequestHandler):
    """One keep-alive connection, served until the client closes it."""

    def handle(self):
        # A client that hangs up mid-answer ends only its own connection.
        with contextlib.suppress(OSError):
            workload.serve_blocking(self.request, self.server.drain)


if __name__ == "__main__":
    workload.main(main)
