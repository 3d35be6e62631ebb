#!/usr/bin/env python3
"""spawn, sequential (Python): a unit is a function call, the baseline.

Calls the primer's `add_two` K times in a row, each after sleeping --sleep-ms with
`time.sleep`: what starting and joining cost when there is nothing to start.

Compare with: spawn_threading.py, spawn_asyncio.py, spawn_multiprocessing.py,
examples/spawn/sequential.

    python3 examples/python/spawn_sequential.py --units 1000 --sleep-ms 0
"""

import time

import workload

PROGRAM = "spawn_sequential.py"
PARADIGM = "python-sequential"


def main():
    args = workload.parse_args("spawn", PROGRAM)
    workers, total = run(args)
    workload.report(args, PARADIGM, workers, total)


def run(args):
    """Runs every unit in turn; returns (threads used, the sum of their results)."""
    return 1, sum(unit(i, args.sleep_ms) for i in range(args.units))


def unit(i, sleep_ms):
    """One unit: sleep, then the primer's `add_two`."""
    if sleep_ms > 0:
        time.sleep(sleep_ms / 1000)
    return i + 2


if __name__ == "__main__":
    workload.main(main)
