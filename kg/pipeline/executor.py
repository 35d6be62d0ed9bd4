"""Where a build's work runs: worker processes forked from a fork server that has loaded the
model, a Dask cluster, or this process."""
from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

from kg.errors import BuildError
from kg.worker import quick_exit


@contextmanager
def open_executor(jobs: int, scheduler: str | None, engine: str = "processes"):
    """Where extraction runs: a Dask cluster, worker processes, or (None) this process.

    Both are concurrent.futures executors (Dask's Client.get_executor()), so the pipeline
    has one code path; each Dask worker loads the model once. Local workers are forked by a
    fork server that has loaded it (kg.preload): it loads once, not once per worker, and the
    workers share its memory (where there is no fork server, Windows, each worker loads it).
    """
    if engine == "dask" or scheduler:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise BuildError('--engine dask needs Dask: pip install "dask[distributed]"') from None
        cluster = None
        try:
            if scheduler:
                client = Client(scheduler, set_as_default=False, timeout=30)
            else:
                cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
                client = Client(cluster, set_as_default=False)
        except OSError as exc:
            raise BuildError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
        try:
            yield client.get_executor()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif jobs > 1:
        import multiprocessing
        if "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["kg.preload"])
        else:
            context = multiprocessing.get_context("spawn")
        # the workers end when this process is gone, however it ends (kg.worker.end_with)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=quick_exit,
                                 initargs=(os.getpid(),)) as pool:
            try:
                yield pool
            except BaseException:
                # (stopped: the documents not yet begun are dropped, not extracted first)
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    else:
        yield None


def elsewhere(executor, function, *args) -> Future:
    """function(*args) in one of the build's workers when it has some, else here and now; a
    Future either way."""
    if executor is not None:
        return executor.submit(function, *args)
    future: Future = Future()
    try:
        future.set_result(function(*args))
    except Exception as exc:
        future.set_exception(exc)
    return future
