#!/usr/bin/env python3
"""spawn, multiprocessing (Python): one `multiprocessing.Process` per unit.

The primer's own example, K times, with processes: each unit is a process started
with the fork start method (START_METHOD, the Linux default up to Python 3.13;
see cpu_multiprocessing.py for the others). It sleeps with `time.sleep`, then
sends `i + 2` and its own Pss back over a pipe, which the parent reads after
starting every unit. A process costs a fork, its own page tables and every page
it writes; the OS caps how many live at once (the process limit, open files for
the pipes). Past a cap, starting one fails: this program says which unit and
why, kills the units already started, and reaps them all. A unit dies with this
process, even one killed with SIGKILL (workload.die_with_parent).

Compare with: spawn_threading.py, spawn_asyncio.py, examples/spawn/processes.

    python3 examples/python/spawn_multiprocessing.py --units 500 --sleep-ms 1000
"""

import multiprocessing
import time

import workload

PROGRAM = "spawn_multiprocessing.py"
PARADIGM = "python-multiprocessing"
START_METHOD = "fork"


def main():
    args = workload.parse_args("spawn", PROGRAM)
    # Each live unit holds a pipe and a sentinel open here.
    workload.raise_open_file_limit()
    workers, total, children_pss_kib = run(args)
    workload.report(args, PARADIGM, workers, total, children_pss_kib)


def run(args):
    """Starts every unit as a process, then reaps them all and sums their answers;
    returns (processes used, the sum, their Pss)."""
    context = multiprocessing.get_context(START_METHOD)
    started = []
    try:
        for i in range(args.units):
            try:
                answers, answer = context.Pipe(duplex=False)
                process = context.Process(target=unit, args=(i, args.sleep_ms, answer))
                process.start()
            except OSError as e:
                raise workload.Error(f"start unit {i}: {e}") from None
            answer.close()  # the child's end: closed here, so EOF means the child died
            started.append((process, answers))
        total = children_pss_kib = 0
        for i, (process, answers) in enumerate(started):
            result, pss_kib = collect(process, answers, f"unit {i}")
            total += result
            children_pss_kib += pss_kib
        return args.units, total, children_pss_kib
    finally:
        for process, answers in started:  # on any failure: no unit outlives the parent
            process.kill()
            process.join()
            answers.close()


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


def unit(i, sleep_ms, answer):
    """One unit, in the child: sleep, then answer the primer's `add_two` and the
    child's Pss, read while the other units are still alive."""
    workload.die_with_parent()
    if sleep_ms > 0:
        time.sleep(sleep_ms / 1000)
    answer.send((i + 2, workload.own_pss_kib()))


if __name__ == "__main__":
    workload.main(main)
