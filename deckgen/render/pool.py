"""Draw many charts at once: forked worker processes that inherit the imported Matplotlib."""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from deckgen.render.registry import COST as COST  # relative drawing cost per chart: slow charts start first

if TYPE_CHECKING:  # the pool is created before pandas or Matplotlib are imported: keep it light
    from deckgen.model.types import Metrics
    from deckgen.render.theme import Theme

# (key, chart name, size in inches), optionally + the scope whose metrics it shows ("" = the whole export).
Request = tuple[str, str, tuple[float, float]] | tuple[str, str, tuple[float, float], str]
STOP_SECONDS = 5  # how long stopping the workers may take before they are killed
PRELOAD = ["deckgen.render.preload"]  # what the chart forkserver imports (and warms up) before forking workers


def render_all(requests: list[Request], metrics: Metrics, theme: Theme, jobs: int | None = None) -> dict[str, bytes]:
    """PNG bytes per request key, in request order; jobs=None uses one worker per CPU, jobs=1 draws here."""
    with chart_workers(jobs, warm=False) as pool:
        return pool.submit(requests, metrics, theme)()


@contextmanager
def chart_workers(jobs: int | None = None, *, early: bool = False, warm: bool = True) -> Iterator[Charts]:
    """The chart workers, started on entering and stopped on leaving: the one place that does either.

    Leaving normally closes the pool (its workers finish and are joined); leaving by an error, a template
    refused or Ctrl-C included, terminates it: nobody waits for charts nobody will see. early: the pool is
    created in a thread from a forkserver that preloads Matplotlib (start_pool), for a caller that reads the
    export meanwhile. Else warm: Matplotlib is imported (and warmed up) here before the workers fork, so they
    inherit it (measured: 0.2 s faster at 10k deals than forking first and importing in each worker).
    """
    if early:
        pool: Charts = start_pool(jobs)
    else:
        if warm:
            preload_here()
        pool = ChartPool(jobs)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    pool.close()


# Signals a helper process must not take from deckgen's terminal: Ctrl-C, and SIGHUP when the terminal closes
# (both reach its whole process group). SIGHUP does not exist on Windows.
QUIET = (signal.SIGINT, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))


def preload_here() -> None:
    """Matplotlib and the charts imported and warmed up in this process, which forks the workers afterwards.

    It is marked as deckgen's main process first: render/preload.py moves any other process that imports it (the
    chart forkserver) to a process group of its own, and a mark inherited from another process (a program that
    used deckgen as a library, then ran the command) would move this one: out of its terminal's reach for
    Ctrl-C, or, for a session leader, fail.
    """
    os.environ[MAIN_PID] = str(os.getpid())
    import deckgen.render.preload  # noqa: F401


@contextmanager
def quiet_children() -> Iterator[None]:
    """Processes started inside ignore Ctrl-C and a hangup (they inherit 'ignore'); the main process alone
    handles them, stops its helpers and says one line. Without this, every worker and the forkserver print
    their own KeyboardInterrupt traceback, and a closed terminal kills the resource tracker (which then warns
    and starts again). Meanwhile the signals are blocked here, not lost: one that arrives is handled on leaving.
    Only the main thread can change signal handlers: elsewhere, as is.
    """
    try:
        previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in QUIET}
    except ValueError:  # not the main thread
        yield
        return
    # Blocked, a signal stays pending although ignored; exec keeps the ignoring, the children unblock (tune_gc).
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, QUIET)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def tune_gc() -> None:
    """Garbage collection for a process of deckgen's own that draws charts or writes decks (not a library caller's).

    What the process inherited (Matplotlib, the export, the metrics) is frozen: collections stop walking it
    again and again. Collections run after 10,000 new objects rather than 700: a chart makes tens of thousands.
    Together: 6% of a team deck's time at 10k deals, 60 ms per deck spent collecting before.
    """
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    # A process group of its own: a SIGTERM sent to deckgen's whole group (a service manager, `timeout`) reaches
    # the main process alone, which stops the workers in order (Ctrl-C is ignored here anyway: quiet_children).
    # The pool's terminate then kills a worker outright (the default action, not deckgen's handler inherited
    # through fork): no traceback, no exit code to run, and a worker blocked in a lock dies too, where a Python
    # handler would never run and the pool's join would wait for it forever.
    os.setpgid(0, 0)
    for signum in (signal.SIGTERM, signal.SIGHUP):  # and a hangup likewise (though none reaches a worker)
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, QUIET)  # blocked while the pool was started (quiet_children)
    # A worker prints nothing: what matters to the user comes back with the results (the charts' missing glyphs).
    warnings.simplefilter("ignore")


class ChartPool:
    """Worker processes that draw charts while the caller writes the slides.

    fork, asked for by name: Python 3.14 no longer defaults to it on Linux, and spawn/forkserver workers
    would import Matplotlib again, costing more than drawing in parallel saves. With jobs=1, or where fork
    is not available, charts are drawn in this process when their results are asked for.
    """

    def __init__(self, jobs: int | None = None, preload: bool = False) -> None:
        _quiet_matplotlib()
        workers = jobs or os.cpu_count() or 1
        self.pool: Any = None
        self.missing: set[str] = set()  # characters no font had, in the charts drawn so far (for font_notes)
        methods = multiprocessing.get_all_start_methods()
        if workers > 1 and preload and "forkserver" in methods:
            # A server process imports Matplotlib and the charts once, then forks the workers from itself:
            # started in a thread by start_pool(), all of that happens while the export is being read.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            with quiet_children():
                self.pool = context.Pool(workers, initializer=tune_gc)
        elif workers > 1 and "fork" in methods:
            with warnings.catch_warnings():
                # Python 3.12+ warns when forking a process that runs threads; the workers only draw with
                # Matplotlib and touch no lock such threads could hold.
                warnings.filterwarnings(
                    "ignore", message=r".*use of fork\(\) may lead to deadlocks", category=DeprecationWarning
                )
                with quiet_children():
                    self.pool = multiprocessing.get_context("fork").Pool(workers, initializer=tune_gc)

    def submit(
        self,
        requests: list[Request],
        metrics: Metrics,
        theme: Theme,
        scoped: dict[str, Metrics] | None = None,
    ) -> Callable[[], dict[str, bytes]]:
        """Start drawing and return at once; calling the result waits for the images (in request order).

        A request with a scope draws that scope's metrics (`scoped`, e.g. one team's) instead of `metrics`.
        """
        from deckgen.render.chart_names import CHART_NAMES

        keys = [request[0] for request in requests]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate chart keys: {sorted({k for k in keys if keys.count(k) > 1})}")
        unknown = sorted({request[1] for request in requests if request[1] not in CHART_NAMES})
        if unknown:
            raise ValueError(f"unknown chart(s) {unknown}; known: {sorted(CHART_NAMES)}")
        everything = {"": metrics, **(scoped or {})}
        tasks = [
            (request[1], (float(request[2][0]), float(request[2][1])), request[3] if len(request) > 3 else "")
            for request in requests
        ]
        missing = sorted({scope for _, _, scope in tasks if scope not in everything})
        if missing:
            raise ValueError(f"no metrics for scope(s) {missing}")
        if self.pool is None or len(tasks) <= 1:

            def here() -> dict[str, bytes]:
                drawn = [_drawn(name, everything[scope], theme, size) for name, size, scope in tasks]
                self.missing.update(*(missing for _, missing in drawn))
                return dict(zip(keys, [image for image, _ in drawn], strict=True))

            return here
        payload = pickle.dumps((everything, theme), protocol=pickle.HIGHEST_PROTOCOL)
        # The slowest charts first, so no worker is left drawing a big one alone at the end; chunksize 1 and
        # map: results come back in the order given, whatever worker finishes first.
        order = sorted(range(len(tasks)), key=lambda i: -COST.get(tasks[i][0], 3))
        pending = self.pool.map_async(_draw, [(payload, *tasks[i]) for i in order], chunksize=1)

        def wait() -> dict[str, bytes]:
            drawn: list[tuple[bytes, frozenset[str]]] = pending.get()  # a failure ends `chart_workers`: it terminates
            for _, missing in drawn:
                self.missing.update(missing)
            return {keys[i]: image for i, (image, _) in sorted(zip(order, drawn, strict=True))}

        return wait

    def font_notes(self, theme: Theme) -> tuple[list[str], list[str]]:
        """The missing-CJK-font note, asked where the charts are drawn (so this process needs no Matplotlib), and
        the characters no font had in the charts drawn so far (once they have been waited for), as
        render.fonts.glyph_note names them: several decks make one note of them."""
        if self.pool is None:
            return _font_notes(theme, self.missing)
        found: tuple[list[str], list[str]] = self.pool.apply(_font_notes, (theme, frozenset(self.missing)))
        return found

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    def terminate(self) -> None:
        if self.pool is not None:
            stopping = threading.Thread(target=self.pool.terminate, name="deckgen-stop-charts", daemon=True)
            stopping.start()
            stopping.join(STOP_SECONDS)
            if stopping.is_alive():
                # A worker killed from outside (SIGTERM to the whole process group) while holding the pool's
                # queue lock makes terminate() wait forever: the workers are killed instead, the rest left behind.
                for worker in multiprocessing.active_children():
                    worker.kill()
            else:
                self.pool.join()
            self.pool = None


_cache: dict[int, tuple[dict[str, Metrics], Theme]] = {}


MAIN_PID = "DECKGEN_MAIN_PID"


def start_pool(jobs: int | None = None) -> StartingPool:
    """A preloaded ChartPool, created in a thread while the export is read; used like a ChartPool.

    Nothing waits for it until charts are submitted: the deck's spec, template and slide text are prepared
    meanwhile.
    """
    _quiet_matplotlib()  # before the forkserver starts: it and its workers inherit the environment
    future: Future[ChartPool] = Future()
    if (jobs or os.cpu_count() or 1) <= 1:
        future.set_result(ChartPool(1))
        return StartingPool(future)
    if "forkserver" in multiprocessing.get_all_start_methods():
        # The forkserver (and the resource tracker) are started here, in the main thread, ignoring Ctrl-C:
        # the workers it forks later inherit that. Preloading Matplotlib happens in the server meanwhile.
        from multiprocessing import forkserver

        multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
        os.environ[MAIN_PID] = str(os.getpid())  # the server leaves this process's group (render/preload.py)
        with quiet_children():
            forkserver.ensure_running()

    def start() -> None:
        try:
            future.set_result(ChartPool(jobs, True))
        except BaseException as exc:  # handed to whoever asks for the pool
            future.set_exception(exc)

    threading.Thread(target=start, name="deckgen-chart-pool", daemon=True).start()
    return StartingPool(future)


class StartingPool:
    """A ChartPool still being created: each call waits for it first (and raises what creating it raised)."""

    def __init__(self, future: Future[ChartPool]) -> None:
        self.future = future

    def submit(
        self, requests: list[Request], metrics: Metrics, theme: Theme, scoped: dict[str, Metrics] | None = None
    ) -> Callable[[], dict[str, bytes]]:
        return self.future.result().submit(requests, metrics, theme, scoped)

    def font_notes(self, theme: Theme) -> tuple[list[str], list[str]]:
        return self.future.result().font_notes(theme)

    def close(self) -> None:
        self.future.result().close()

    def terminate(self) -> None:
        """Stop the workers, once they exist; a pool that failed to start has none."""
        if self.future.exception() is None:
            self.future.result().terminate()


Charts = ChartPool | StartingPool  # what chart_workers() gives: both draw, note fonts, close and terminate


def _font_notes(theme: Theme, missing: set[str] | frozenset[str]) -> tuple[list[str], list[str]]:
    from deckgen.render.fonts import missing_cjk_note, unshown_glyphs

    cjk = missing_cjk_note(theme)
    return [cjk] if cjk else [], unshown_glyphs(missing, theme)


def _quiet_matplotlib() -> None:
    from deckgen.render.fonts import quiet_matplotlib

    quiet_matplotlib()


def _chart(name: str) -> Callable[..., bytes]:
    _quiet_matplotlib()
    from deckgen.render.charts import CHARTS

    return CHARTS[name]


def _drawn(name: str, metrics: Metrics, theme: Theme, size: tuple[float, float]) -> tuple[bytes, frozenset[str]]:
    """One chart drawn in this process, and the characters no font had in it."""
    from deckgen.render.chartkit import take_missing_glyphs

    image = _chart(name)(metrics, theme, size)
    return image, take_missing_glyphs()


def _draw(task: tuple[bytes, str, tuple[float, float], str]) -> tuple[bytes, frozenset[str]]:
    """A worker's chart, and the characters no font had in it."""
    payload, name, size, scope = task
    key = hash(payload)
    if key not in _cache:
        _cache.clear()
        _cache[key] = pickle.loads(payload)
    everything, theme = _cache[key]
    return _drawn(name, everything[scope], theme, size)
