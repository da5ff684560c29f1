"""A PyVRP run in a separate process: ``python -m caravan.solver._worker``.

Reads a pickled ``(problem, classes, prizes, W, time_limit, seed, pool_size)`` from stdin
and writes the pickled result of :func:`caravan.solver.pyvrp_engine.run` to stdout. A plain
subprocess (not multiprocessing), so that it works the same from a script, a notebook or
``python -``.
"""

from __future__ import annotations

import pickle
import sys


def main() -> None:
    from caravan.solver import pyvrp_engine

    problem, classes, prizes, W, time_limit, seed, pool_size = pickle.load(sys.stdin.buffer)
    found = pyvrp_engine.run(
        problem, classes, prizes, W, time_limit=time_limit, seed=seed, pool_size=pool_size
    )
    pickle.dump(found, sys.stdout.buffer)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
