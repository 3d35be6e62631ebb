#!/usr/bin/env python3
"""cpu, asyncio (Python): a task per job on one event loop -- a deliberate misfit.

`asyncio.run` starts one event loop on one thread, and a TaskGroup gives each job
a task. A task only gives the loop back at an `await`, and counting primes never
awaits, so the tasks run one after another: sequential speed, on one core. The
primer: asyncio is for waiting, not computing; a loop busy with a job cannot serve
anything else meanwhile. (asyncio's way out is `loop.run_in_executor` with a
process pool: multiprocessing under an async face.)

Compare with: cpu_sequential.py, cpu_multiprocessing.py, examples/cpu/tokio.

    python3 examples/python/cpu_asyncio.py --limit 2000000 --jobs 1000
"""

import asyncio

import workload

PROGRAM = "cpu_asyncio.py"
PARADIGM = "python-asyncio"


def main():
    args = workload.parse_args("cpu", PROGRAM)
    workers, total = asyncio.run(run(args))
    workload.report(args, PARADIGM, workers, total)


async def run(args):
    """Starts a task per job and sums their counts; returns (threads used, total)."""
    async with asyncio.TaskGroup() as group:
        jobs = [group.create_task(count_job(args, k)) for k in range(args.jobs)]
    # One thread ran them all: --workers has nothing to size here.
    return 1, sum(job.result() for job in jobs)


async def count_job(args, k):
    return workload.count_primes(*workload.job_range(args.limit, args.jobs, k))


if __name__ == "__main__":
    workload.main(main)
