#!/usr/bin/env python3
"""ring, multiprocessing (Python): one `multiprocessing.Process` per unit, `Pipe` links.

The primer: "processes exchange data through queues and pipes". Unit 0 is this
process; units 1..K-1 are processes started with the fork start method
(START_METHOD, the Linux default up to Python 3.13; see cpu_multiprocessing.py
for the others), and link u is a one-way `multiprocessing.Pipe` that only unit u
sends on and only unit u + 1 (mod K) receives from. Every end is open in its one
process only, so when a unit dies its neighbours see the pipe close (end of file,
or a broken pipe) and stop, and so on round the ring: this program then names
the unit that died, kills every unit still alive and reaps them all. A hop
pickles the token, writes it to a pipe, wakes another process and unpickles it.
After its last hop each child sends its Pss to the parent over a pipe of its own.
A unit dies with this process, even one killed with SIGKILL
(workload.die_with_parent).

Compare with: ring_threading.py, ring_asyncio.py, examples/ring/processes.

    python3 examples/python/ring_multiprocessing.py --units 100 --laps 1000
"""

import multiprocessing

import workload

PROGRAM = "ring_multiprocessing.py"
PARADIGM = "python-multiprocessing"
START_METHOD = "fork"


def main():
    args = workload.parse_args("ring", PROGRAM)
    # Each live unit holds a pipe end, its answer pipe and a sentinel open here.
    workload.raise_open_file_limit()
    workers, token, children_pss_kib = run(args)
    workload.report(args, PARADIGM, workers, token, children_pss_kib)


def run(args):
    """Starts units 1..K-1 as processes, linked in a ring through this one (unit 0),
    runs unit 0 here, then reaps the rest; returns (processes used, the token after
    the last hop, the children's Pss)."""
    context = multiprocessing.get_context(START_METHOD)
    started = []
    try:
        # Pipe(duplex=False) is (receiving end, sending end); link 0: unit 0 -> unit 1.
        left, first_right = context.Pipe(duplex=False)
        for u in range(1, args.units):
            try:
                next_left, right = context.Pipe(duplex=False)  # link u: unit u -> unit u + 1
                answers, answer = context.Pipe(duplex=False)
                # The child also inherits the ends that are not its own; it closes them.
                not_its_own = (first_right, next_left)
                process = context.Process(
                    target=unit, args=(u, args.laps, left, right, answer, not_its_own))
                process.start()
            except OSError as e:
                raise workload.Error(f"start unit {u}: {e}") from None
            for end in (left, right, answer):  # the child's: closed here, so only it holds them
                end.close()
            started.append((process, answers))
            left = next_left
        try:
            token = first_unit(args.laps, left, first_right)
        except (EOFError, BrokenPipeError):
            left.close()  # the units still waiting see the ring close, and stop
            first_right.close()
            raise workload.Error(broken(started)) from None
        children_pss_kib = 0
        for u, (process, answers) in enumerate(started, 1):
            children_pss_kib += collect(process, answers, f"unit {u}")
        return args.units, token, children_pss_kib
    finally:
        for process, answers in started:  # on any failure: no unit outlives the parent
            process.kill()
            process.join()
            answers.close()


def first_unit(laps, left, right):
    """Unit 0: sends t = 0 on, then hops each token it receives and sends it on,
    except the last (hop K*M), which ends the run; returns that token."""
    right.send(0)
    for lap in range(laps):
        t = workload.hop(left.recv(), 0)
        if lap < laps - 1:
            right.send(t)
    return t


def broken(started):
    """Why the ring broke: the first unit that failed, once every unit has stopped
    (the others stop cleanly when a neighbour's pipe closes)."""
    for process, _ in started:
        process.join()
    for u, (process, _) in enumerate(started, 1):
        if process.exitcode != 0:
            return (f"unit {u} (pid {process.pid}): failed: "
                    f"{workload.exit_status(process.exitcode)}")
    return "the ring broke, but no unit failed"


def collect(process, answers, name):
    """Receives a child's Pss and reaps it; an Error naming it if it died."""
    try:
        answer = answers.recv()
    except EOFError:
        answer = None
    process.join()
    if answer is None:
        raise workload.Error(f"{name} (pid {process.pid}): failed: "
                             f"{workload.exit_status(process.exitcode)}")
    return answer


def unit(u, laps, left, right, answer, not_its_own):
    """Unit u > 0, in the child: M times, receives the token from the left, hops it
    and sends it to the right; then answers with the child's Pss. A neighbour gone
    ends it quietly: the parent names the unit that failed."""
    workload.die_with_parent()
    for end in not_its_own:
        end.close()
    try:
        for _ in range(laps):
            right.send(workload.hop(left.recv(), u))
    except (EOFError, BrokenPipeError):
        return
    answer.send(workload.own_pss_kib())


if __name__ == "__main__":
    workload.main(main)
