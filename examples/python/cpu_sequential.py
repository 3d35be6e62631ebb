#!/usr/bin/env python3
"""cpu, sequential (Python): one loop, the baseline for the three paradigms below.

Counts the primes job by job on the main thread. CPython runs one bytecode at a
time per interpreter, so this is also about what `threading` and `asyncio` reach
on this workload: compare them with it, and `multiprocessing` against it.

Compare with: cpu_threading.py, cpu_asyncio.py, cpu_multiprocessing.py,
examples/cpu/sequential (the same loop in Rust).

    python3 examples/python/cpu_sequential.py --limit 2000000 --jobs 1000
"""

import workload

PROGRAM = "cpu_sequential.py"
PARADIGM = "python-sequential"


def main():
    args = workload.parse_args("cpu", PROGRAM)
    workers, total = run(args)
    workload.report(args, PARADIGM, workers, total)


def run(args):
    """Counts every job's primes in order; returns (threads used, total)."""
    total = 0
    for k in range(args.jobs):
        total += workload.count_primes(*workload.job_range(args.limit, args.jobs, k))
    return 1, total


if __name__ == "__main__":
    workload.main(main)
