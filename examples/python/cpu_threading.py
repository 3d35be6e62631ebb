#!/usr/bin/env python3
"""cpu, threading (Python): a ThreadPoolExecutor of --workers threads.

`concurrent.futures.ThreadPoolExecutor` (threads from the `threading` module) maps
the jobs over --workers OS threads. They are real threads, but CPython's global
interpreter lock lets one of them run Python bytecode at a time, so on this pure
Python work they take turns: no faster than cpu_sequential.py, however many cores.
The primer: "CPU bound: not threads, multiprocessing" -- the lock is why.

Compare with: cpu_sequential.py, cpu_multiprocessing.py,
examples/cpu/threads (Rust threads have no such lock).

    python3 examples/python/cpu_threading.py --limit 2000000 --jobs 1000 --workers 2
"""

from concurrent.futures import ThreadPoolExecutor

import workload

PROGRAM = "cpu_threading.py"
PARADIGM = "python-threading"


def main():
    args = workload.parse_args("cpu", PROGRAM)
    workers, total = run(args)
    workload.report(args, PARADIGM, workers, total)


def run(args):
    """Maps the jobs over a pool of --workers threads; returns (threads used, total)."""
    workers = min(args.workers, args.jobs)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # map hands each job to the next free thread: a dynamic split, as a queue would.
        counts = pool.map(lambda k: count_job(args, k), range(args.jobs))
        total = sum(counts)
    return workers, total


def count_job(args, k):
    return workload.count_primes(*workload.job_range(args.limit, args.jobs, k))


if __name__ == "__main__":
    workload.main(main)
