#!/usr/bin/env python3
"""ring, sequential (Python): no units at all, the token is a local variable.

The baseline for the ring: one loop does every hop in turn (hop h is unit h mod K's),
so nothing is sent, received or woken. What the other ring programs take longer than
this is what handing the token from unit to unit costs them.

Compare with: ring_threading.py, ring_asyncio.py, ring_multiprocessing.py,
examples/ring/sequential.

    python3 examples/python/ring_sequential.py --units 100 --laps 1000
"""

import workload

PROGRAM = "ring_sequential.py"
PARADIGM = "python-sequential"


def main():
    args = workload.parse_args("ring", PROGRAM)
    workers, token = run(args)
    workload.report(args, PARADIGM, workers, token)


def run(args):
    """Does the K*M hops in one loop; returns (threads used, the token after the last)."""
    t = 0  # what unit 0 would send to unit 1
    for h in range(1, args.units * args.laps + 1):
        t = workload.hop(t, workload.receiver(h, args.units))
    # One thread did it all: --workers has nothing to size here.
    return 1, t


if __name__ == "__main__":
    workload.main(main)
