"""Draw many charts at once: forked worker processes that inherit the imported Matplotlib."""

from __future__ import annotations

import multiprocessing
import os
import warnings

from deckgen.model.types import Metrics
from deckgen.render.theme import Theme

Request = tuple[str, str, tuple[float, float]]  # (key, chart name, size in inches)

# Set in each worker by _start: the metrics and theme every chart of one render_all call draws from.
_job: tuple[Metrics, Theme] | None = None


def render_all(requests: list[Request], metrics: Metrics, theme: Theme, jobs: int | None = None) -> dict[str, bytes]:
    """PNG bytes per request key, in request order; jobs=None uses one worker per CPU, jobs=1 draws here."""
    from deckgen.render.charts import CHARTS

    keys = [key for key, _, _ in requests]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate chart keys: {sorted({k for k in keys if keys.count(k) > 1})}")
    unknown = sorted({name for _, name, _ in requests if name not in CHARTS})
    if unknown:
        raise ValueError(f"unknown chart(s) {unknown}; known: {sorted(CHARTS)}")
    tasks = [(name, (float(size[0]), float(size[1]))) for _, name, size in requests]
    workers = min(len(tasks), jobs or os.cpu_count() or 1)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        images = [CHARTS[name](metrics, theme, size) for name, size in tasks]
    else:
        images = _parallel(tasks, metrics, theme, workers)
    return dict(zip(keys, images, strict=True))


def _parallel(
    tasks: list[tuple[str, tuple[float, float]]], metrics: Metrics, theme: Theme, workers: int
) -> list[bytes]:
    # fork, asked for by name: Python 3.14 no longer defaults to it on Linux, and spawn/forkserver workers
    # would import Matplotlib again, costing more than the parallel drawing saves.
    context = multiprocessing.get_context("fork")
    with warnings.catch_warnings():
        # Python 3.12+ warns when forking a process that runs threads (pyarrow's pool, for one); the workers
        # only draw with Matplotlib and touch no lock those threads could hold.
        warnings.filterwarnings(
            "ignore", message=r".*use of fork\(\) may lead to deadlocks", category=DeprecationWarning
        )
        with context.Pool(workers, initializer=_start, initargs=(metrics, theme)) as pool:
            # chunksize 1 and map: results come back in task order whatever worker finishes first.
            return pool.map(_draw, tasks, chunksize=1)


def _start(metrics: Metrics, theme: Theme) -> None:
    global _job
    _job = (metrics, theme)


def _draw(task: tuple[str, tuple[float, float]]) -> bytes:
    from deckgen.render.charts import CHARTS

    assert _job is not None, "worker started without metrics"
    name, size = task
    return CHARTS[name](*_job, size)
