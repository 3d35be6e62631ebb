#!/usr/bin/env python3
"""spawn, threading (Python): one `threading.Thread` per unit.

The primer's own example, K times: each unit is a `threading.Thread` that sleeps
with `time.sleep` (which releases the global interpreter lock, so the sleeps
overlap) and stores `i + 2`; the parent joins them all. A Python thread is an OS
thread plus an interpreter thread state: cheap next to a process, but the OS caps
how many live at once. Past a cap, starting one fails: this program says which
unit and why, and exits 1 (daemon threads: the ones already running do not hold
the exit up).

Compare with: spawn_multiprocessing.py, spawn_asyncio.py, examples/spawn/threads.

    python3 examples/python/spawn_threading.py --units 1000 --sleep-ms 0
"""

import threading
import time

import workload

PROGRAM = "spawn_threading.py"
PARADIGM = "python-threading"


def main():
    args = workload.parse_args("spawn", PROGRAM)
    workers, total = run(args)
    workload.report(args, PARADIGM, workers, total)


def run(args):
    """Starts every unit as a thread, then joins them all and sums their results;
    returns (threads used, the sum)."""
    results = [0] * args.units
    units = []
    for i in range(args.units):
        thread = threading.Thread(target=unit, args=(i, args.sleep_ms, results), daemon=True)
        try:
            thread.start()
        except RuntimeError as e:  # "can't start new thread"
            raise workload.Error(f"start unit {i}: {e}") from None
        units.append(thread)
    for thread in units:
        thread.join()
    return args.units, sum(results)


def unit(i, sleep_ms, results):
    """One unit, in its thread: sleep, then the primer's `add_two`, kept in its slot."""
    if sleep_ms > 0:
        time.sleep(sleep_ms / 1000)
    results[i] = i + 2


if __name__ == "__main__":
    workload.main(main)
