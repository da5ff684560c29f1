"""A search in a separate process, on another core: ``python -m caravan.solver._worker``.

Reads a pickled ``(kind, args, kwargs)`` from stdin and writes the pickled result to stdout:
``"pyvrp"`` runs :func:`caravan.solver.pyvrp_engine.run`, ``"tours"`` runs
:func:`caravan.solver.tourls.search`. A plain subprocess (not multiprocessing), so that it
works the same from a script, a notebook or ``python -``. :func:`start` and :func:`collect`
are the caller's side.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading


def start(kind: str, *args: object, **kwargs: object) -> subprocess.Popen | None:
    """Start a ``kind`` search on another core; ``None`` if the process cannot start."""
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "caravan.solver._worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        stdin, proc.stdin = proc.stdin, None  # communicate() must not touch it
        assert stdin is not None
    except OSError:
        return None
    # written by a thread: the process reads it only once its imports are done (about a
    # second), and the caller goes on meanwhile
    threading.Thread(
        target=_feed, args=(stdin, pickle.dumps((kind, args, kwargs))), daemon=True
    ).start()
    return proc


def _feed(stdin, data: bytes) -> None:
    try:
        stdin.write(data)
        stdin.close()
    except OSError:  # the process has gone: collect() says so
        pass


def collect(proc: subprocess.Popen, timeout: float) -> object | None:
    """The search's result, or None when it failed or did not finish within ``timeout``."""
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None
    if proc.returncode != 0:
        return None
    try:
        return pickle.loads(out)
    except Exception:
        return None


def main() -> None:
    kind, args, kwargs = pickle.load(sys.stdin.buffer)
    if kind == "pyvrp":
        from caravan.solver.pyvrp_engine import run
    else:
        from caravan.solver.tourls import search as run
    pickle.dump(run(*args, **kwargs), sys.stdout.buffer)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
