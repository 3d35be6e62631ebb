#!/usr/bin/env python3
"""cpu, multiprocessing (Python): --workers processes, each with its own interpreter.

The primer's answer for CPU-bound work. `multiprocessing.Process` starts --workers
worker processes with the fork start method (START_METHOD), the Linux default up
to Python 3.13: each is a copy of this one, sharing its pages until it writes
them, with its own interpreter and its own global interpreter lock, so they count
in parallel. Jobs are dealt like cards (worker w gets jobs w, w + W, ...), and each
worker sends back `(count, pss_kib)` over a pipe. The price is start-up, memory,
and pickling every answer across the process boundary. (`spawn`, the default on
macOS and Windows, starts a fresh interpreter per process: about 20 ms and 12 MiB
each on the benchmark machine, against 1 ms and 5 MiB for fork; `forkserver`, the
Linux default from 3.14, hides its workers' CPU time from hyperfine.) A worker
dies with this process, even one killed with SIGKILL (workload.die_with_parent).

Compare with: cpu_threading.py, cpu_sequential.py, examples/cpu/processes.

    python3 examples/python/cpu_multiprocessing.py --limit 2000000 --jobs 1000 --workers 2
"""

import multiprocessing

import workload

PROGRAM = "cpu_multiprocessing.py"
PARADIGM = "python-multiprocessing"
START_METHOD = "fork"


def main():
    args = workload.parse_args("cpu", PROGRAM)
    workers, total, children_pss_kib = run(args)
    workload.report(args, PARADIGM, workers, total, children_pss_kib)


def run(args):
    """Starts the worker processes, deals them the jobs, and sums their answers;
    returns (processes used, total, their Pss)."""
    context = multiprocessing.get_context(START_METHOD)
    workers = min(args.workers, args.jobs)
    started = []
    try:
        for w in range(workers):
            ranges = [workload.job_range(args.limit, args.jobs, k)
                      for k in range(w, args.jobs, workers)]
            answers, answer = context.Pipe(duplex=False)
            process = context.Process(target=worker, args=(ranges, answer))
            try:
                process.start()
            except OSError as e:
                raise workload.Error(f"start worker process {w}: {e}") from None
            answer.close()  # the child's end: closed here, so EOF means the child died
            started.append((process, answers))
        total = children_pss_kib = 0
        for w, (process, answers) in enumerate(started):
            count, pss_kib = collect(process, answers, f"worker process {w}")
            total += count
            children_pss_kib += pss_kib
        return workers, total, children_pss_kib
    finally:
        for process, _ in started:  # on any failure: no worker outlives the parent
            process.kill()
            process.join()


def collect(process, answers, name):
    """Receives a child's answer and reaps it; an Error naming it if it died."""
    try:
        answer = answers.recv()
    except EOFError:
        answer = None
    process.join()
    if answer is None:
        raise workload.Error(f"{name} (pid {process.pid}): failed: "
                             f"{workload.exit_status(process.exitcode)}")
    return answer


def worker(ranges, answer):
    """In the child: count every range's primes, then answer with the count and the
    child's Pss, read while it is still alive."""
    workload.die_with_parent()
    total = sum(workload.count_primes(start, end) for start, end in ranges)
    answer.send((total, workload.own_pss_kib()))


if __name__ == "__main__":
    workload.main(main)
