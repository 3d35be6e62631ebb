#!/usr/bin/env python3
"""io, multiprocessing (Python): one process per connection.

`multiprocessing.Process` starts a process per connection with the fork start
method (START_METHOD, the Linux default up to Python 3.13; see
cpu_multiprocessing.py for the others). Child c holds one keep-alive connection
with blocking reads (a socket, through workload.BlockingClient), fetches ids c,
c + C, c + 2C, ..., counts each answer's --work primes in its own interpreter,
and sends back its subtotal, its latencies and its Pss, or its error, over a
pipe. A request has D + T ms (--timeout-ms), connecting included: one deadline,
with each blocking call's socket timeout set to the time left before it. Waiting
on the network needs no interpreter of its own, so without --work this pays a
process's start-up and memory for nothing a thread could not do: the primer
would not pick it for I/O, and it is here to show the price. Its ceiling is
MAX_PROCESSES connections. A child dies with this process, even one killed with
SIGKILL (workload.die_with_parent).

Compare with: io_threading.py, io_asyncio.py, examples/io/processes.

    python3 examples/python/io_multiprocessing.py --requests 1000 --concurrency 100 --delay-ms 50
"""

import multiprocessing

import workload

PROGRAM = "io_multiprocessing.py"
PARADIGM = "python-multiprocessing"
START_METHOD = "fork"
# Each process costs about 1 ms to start and 4 MiB of its own memory here (a
# forked interpreter writes to many of its pages): refuse rather than start thousands.
MAX_PROCESSES = 1_000


def main():
    args = workload.parse_args("io", PROGRAM, blocking=True, ceiling=MAX_PROCESSES)
    # Each child holds a pipe and a sentinel open here, and each connection a socket.
    workload.raise_open_file_limit()
    # Without --server, an api-server runs beside this program until the block ends.
    with workload.api_server(args.server) as host:
        workers, total, latencies, children_pss_kib = run(args, host)
    workload.report(args, PARADIGM, workers, total, children_pss_kib, latencies)


def run(args, host):
    """Starts a process per connection and merges their answers; returns (processes
    used, checksum, latencies in us, their Pss)."""
    connections = min(args.concurrency, args.requests)
    context = multiprocessing.get_context(START_METHOD)
    started = []
    try:
        for c in range(connections):
            try:
                answers, answer = context.Pipe(duplex=False)
                process = context.Process(target=connection,
                                          args=(args, host, c, connections, answer))
                process.start()
            except OSError as e:
                raise workload.Error(f"start connection process {c}: {e}") from None
            answer.close()  # the child's end: closed here, so EOF means the child died
            started.append((process, answers))
        total, latencies, children_pss_kib = 0, [], 0
        for c, (process, answers) in enumerate(started):
            subtotal, own, pss_kib = collect(process, answers, f"connection process {c}")
            total += subtotal
            latencies += own
            children_pss_kib += pss_kib
        return connections, total & workload.U64, latencies, children_pss_kib
    finally:
        for process, answers in started:  # on any failure: no child outlives the parent
            process.kill()
            process.join()
            answers.close()


def collect(process, answers, name):
    """Receives a child's answer and reaps it; an Error naming it if it failed."""
    try:
        answer = answers.recv()
    except EOFError:
        answer = None
    process.join()
    if answer is None:
        answer = f"failed: {workload.exit_status(process.exitcode)}"
    if isinstance(answer, str):
        raise workload.Error(f"{name} (pid {process.pid}): {answer}")
    return answer


def connection(args, host, c, connections, answer):
    """In the child: fetch ids c, c + C, ...; answer (subtotal, latencies, Pss) or why not."""
    workload.die_with_parent()
    client = workload.BlockingClient(host, args.timeout_ms, args.bytes)
    subtotal, latencies = 0, []
    try:
        for i in range(c, args.requests, connections):
            try:
                data, us = client.get(i, args.delay_ms, args.bytes)
            except workload.Error as e:
                raise workload.Error(f"request {i}: {e}") from None
            latencies.append(us)
            subtotal += workload.fnv1a64(data) + workload.work(i, args.work)
    except (workload.Error, OSError) as e:
        answer.send(str(e))
        return
    client.close()
    answer.send((subtotal, latencies, workload.own_pss_kib()))


if __name__ == "__main__":
    workload.main(main)
