#!/usr/bin/env python3
"""ring, asyncio (Python): one task per unit, `asyncio.Queue` links, one event loop.

`asyncio.run` starts the loop and a TaskGroup starts a task per unit, unit 0
among them; link u is an `asyncio.Queue` that only unit u puts to and only unit
u + 1 (mod K) gets from. A get on an empty queue suspends the task; a put marks
the waiting task ready, and the loop resumes it on its next turn. No OS thread
is woken and no lock changes hands: a hop is a few Python function calls on one
thread, so this is the primer's "many connections: asyncio" cheapness applied to
talking rather than waiting.

Compare with: ring_threading.py, ring_multiprocessing.py, examples/ring/tokio.

    python3 examples/python/ring_asyncio.py --units 100 --laps 1000
"""

import asyncio

import workload

PROGRAM = "ring_asyncio.py"
PARADIGM = "python-asyncio"


def main():
    args = workload.parse_args("ring", PROGRAM)
    workers, token = asyncio.run(run(args))
    workload.report(args, PARADIGM, workers, token)


async def run(args):
    """Links the units, runs each as a task and waits for all; returns (threads
    used, the token after the last hop)."""
    links = [asyncio.Queue() for _ in range(args.units)]  # link u: unit u -> unit u + 1
    async with asyncio.TaskGroup() as group:
        first = group.create_task(first_unit(args.laps, links[-1], links[0]))
        for u in range(1, args.units):
            group.create_task(unit(u, args.laps, links[u - 1], links[u]))
    # One thread ran them all: --workers has nothing to size here.
    return 1, first.result()


async def first_unit(laps, left, right):
    """Unit 0: sends t = 0 on, then hops each token it gets and sends it on, except
    the last (hop K*M), which ends the run; returns that token."""
    await right.put(0)
    for lap in range(laps):
        t = workload.hop(await left.get(), 0)
        if lap < laps - 1:
            await right.put(t)
    return t


async def unit(u, laps, left, right):
    """Unit u > 0, a task: M times, gets the token from the left, hops it and puts
    it to the right."""
    for _ in range(laps):
        await right.put(workload.hop(await left.get(), u))


if __name__ == "__main__":
    workload.main(main)
