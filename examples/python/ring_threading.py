#!/usr/bin/env python3
"""ring, threading (Python): one `threading.Thread` per unit, `queue.Queue` links.

The primer: "threads share memory". Here they share it only through the queues:
unit 0 is the main thread, units 1..K-1 are threads, and link u is a `queue.Queue`
that only unit u puts to and only unit u + 1 (mod K) gets from. A get that finds
the queue empty waits on a condition variable (releasing the global interpreter
lock); a put wakes the waiter. So every hop is a wake-up of another OS thread and
a hand-over of the lock: no two units ever run Python at once, and the ring is
as slow as the OS is at switching between them.

Compare with: ring_asyncio.py, ring_multiprocessing.py, examples/ring/threads.

    python3 examples/python/ring_threading.py --units 100 --laps 1000
"""

import queue
import threading

import workload

PROGRAM = "ring_threading.py"
PARADIGM = "python-threading"


def main():
    args = workload.parse_args("ring", PROGRAM)
    workers, token = run(args)
    workload.report(args, PARADIGM, workers, token)


def run(args):
    """Links the units, starts units 1..K-1 as threads, runs unit 0 here and joins
    the rest; returns (threads used, the token after the last hop)."""
    links = [queue.Queue() for _ in range(args.units)]  # link u: unit u -> unit u + 1
    units = []
    for u in range(1, args.units):
        left, right = links[u - 1], links[u]
        thread = threading.Thread(target=unit, args=(u, args.laps, left, right), daemon=True)
        try:
            thread.start()
        except RuntimeError as e:  # "can't start new thread"
            raise workload.Error(f"start unit {u}: {e}") from None
        units.append(thread)
    token = first_unit(args.laps, links[-1], links[0])
    for thread in units:
        thread.join()
    return args.units, token


def first_unit(laps, left, right):
    """Unit 0: sends t = 0 on, then hops each token it gets and sends it on, except
    the last (hop K*M), which ends the run; returns that token."""
    right.put(0)
    for lap in range(laps):
        t = workload.hop(left.get(), 0)
        if lap < laps - 1:
            right.put(t)
    return t


def unit(u, laps, left, right):
    """Unit u > 0, in its thread: M times, gets the token from the left, hops it and
    puts it to the right."""
    for _ in range(laps):
        right.put(workload.hop(left.get(), u))


if __name__ == "__main__":
    workload.main(main)
