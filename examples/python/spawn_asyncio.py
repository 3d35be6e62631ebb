#!/usr/bin/env python3
"""spawn, asyncio (Python): one task per unit on one event loop.

`asyncio.run` starts the loop and a TaskGroup starts a task per unit; each sleeps
with `asyncio.sleep` (a timer: the loop runs other tasks meanwhile) and returns
`i + 2`. A task is a Python object and a suspended coroutine, not an OS thread:
the primer's "many connections: asyncio" rests on this being cheap.

Compare with: spawn_threading.py, spawn_multiprocessing.py, examples/spawn/tokio.

    python3 examples/python/spawn_asyncio.py --units 1000 --sleep-ms 0
"""

import asyncio

import workload

PROGRAM = "spawn_asyncio.py"
PARADIGM = "python-asyncio"


def main():
    args = workload.parse_args("spawn", PROGRAM)
    workers, total = asyncio.run(run(args))
    workload.report(args, PARADIGM, workers, total)


async def run(args):
    """Starts every unit as a task, waits for all and sums their results;
    returns (threads used, the sum)."""
    async with asyncio.TaskGroup() as group:
        units = [group.create_task(unit(i, args.sleep_ms)) for i in range(args.units)]
    # One thread ran them all: --workers has nothing to size here.
    return 1, sum(u.result() for u in units)


async def unit(i, sleep_ms):
    """One unit, a task: sleep on the loop's timer, then the primer's `add_two`."""
    if sleep_ms > 0:
        await asyncio.sleep(sleep_ms / 1000)
    return i + 2


if __name__ == "__main__":
    workload.main(main)
