"""A store that lives in a child process, so that a query running past its deadline is stopped
for real: pyoxigraph cannot cancel a query, but the process that runs it can be killed.

The child is a ``multiprocessing`` manager that owns the backend; each calling thread talks to
it over its own connection, and the child answers each connection on its own thread (pyoxigraph
releases the GIL, so queries run side by side). When a query passes its deadline the child is
killed — its CPU and memory are freed at once, and RocksDB rolls back any unfinished
transaction — and a new child reopens the store. Calls that were in flight in the killed child
fail with ``StoreRestarted``; the one that ran too long fails with ``QueryTimeout``.
"""

import multiprocessing
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.managers import BaseManager, RemoteError
from typing import Any, BinaryIO

from rdflib import URIRef
from rdflib.term import Node

from graph.settings import Settings
from graph.store import QueryKind, QueryResult, QueryTimeout, Store, StoreError, Triple, open_store
from graph.update_plan import Change

__all__ = ["QueryTimeout", "StoreRestarted", "WorkerStore", "open_service_store"]


class StoreRestarted(StoreError):
    """The store's process was restarted (another query ran too long) while this call ran."""


class _Manager(BaseManager):
    """The child process that owns the store."""


_Manager.register("open_store", callable=open_store)


class WorkerStore:
    """The ``Store`` interface, served by a child process that owns the real backend."""

    def __init__(self, settings: Settings, timeout_s: float) -> None:
        self._settings, self._timeout_s = settings, timeout_s
        self._lock = threading.Lock()
        self._generation = 0
        self._start()
        self._watchdog = _Watchdog(self._restart)

    @property
    def pid(self) -> int | None:
        """The process id of the child that owns the store now."""
        return self._manager._process.pid

    def _start(self) -> None:
        self._manager = _Manager(ctx=multiprocessing.get_context("spawn"))
        self._manager.start()
        try:
            self._store = self._manager.open_store(self._settings)
        except RemoteError as error:  # the store's own error in the child (busy, corrupt...)
            self._manager.shutdown()
            raise StoreError(_last_message(error)) from None

    def _restart(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # another thread restarted it already
            self._generation += 1
            self._manager._process.kill()
            self._manager._process.join(timeout=30)
            self._start()

    def _call(self, method: str, *args: Any, deadline: bool = False) -> Any:
        with self._lock:  # waits while a restart is under way
            generation, store = self._generation, self._store
        watched = self._watchdog.watch(self._timeout_s, generation) if deadline else None
        try:
            return getattr(store, method)(*args)
        except (EOFError, OSError) as error:
            if watched is not None and watched.expired:
                raise QueryTimeout(
                    f"the query or update ran longer than {self._timeout_s:g} s and was stopped"
                ) from None
            if generation != self._generation or not self._manager._process.is_alive():
                raise StoreRestarted(
                    "the store was restarted while this call ran (another query ran too long); "
                    "try again"
                ) from error
            raise
        finally:
            if watched is not None:
                self._watchdog.release(watched)

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        return self._call("query", sparql, dict(bindings or {}), deadline=True)

    def answer(
        self,
        sparql: str,
        media_types: Mapping[QueryKind, str | None],
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        max_bytes: int | None = None,
        bindings: Mapping[str, Node] | None = None,
    ) -> tuple[QueryKind, str | None, bytes]:
        return self._call(
            "answer",
            sparql,
            dict(media_types),
            list(default_graphs),
            list(named_graphs),
            max_bytes,
            dict(bindings or {}),
            deadline=True,
        )

    def add_graph(
        self, graph: URIRef, triples: Iterable[Triple], description: Sequence[Triple]
    ) -> None:
        self._call("add_graph", graph, list(triples), list(description))

    def plan_update(
        self,
        sparql: str,
        base_iri: str,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
        fetched: Mapping[str, Sequence[Triple]] | None = None,
    ) -> Change:
        return self._call(
            "plan_update",
            sparql,
            base_iri,
            list(using_graphs),
            list(using_named_graphs),
            {k: list(v) for k, v in (fetched or {}).items()},
            deadline=True,
        )

    def apply(self, change: Change) -> None:
        self._call("apply", change)

    def drop_graph(self, graph: URIRef) -> bool:
        return self._call("drop_graph", graph)

    def named_graphs(self) -> list[URIRef]:
        return self._call("named_graphs")

    def count(self, graph: URIRef | None = None) -> int:
        return self._call("count", graph)

    def export(self, out: BinaryIO | str, fmt: str, graph: URIRef | None = None) -> None:
        if isinstance(out, str):  # the child writes the file itself
            self._call("export", out, fmt, graph)
            return
        with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as dump:
            self._call("export", dump.name, fmt, graph)
            shutil.copyfileobj(dump, out)

    def close(self) -> None:
        self._watchdog.stop()
        try:
            self._call("close")
        finally:
            self._manager.shutdown()


@dataclass(eq=False)
class _Watch:
    """One call with a deadline."""

    deadline: float
    generation: int
    expired: bool = False


class _Watchdog:
    """One thread that stops calls past their deadline (a timer thread per call costs more
    than the call: 0.2 ms median, 3 ms at p95)."""

    def __init__(self, on_expiry: Callable[[int], None]) -> None:
        self._on_expiry = on_expiry
        self._watches: set[_Watch] = set()
        self._changed = threading.Condition()
        self._stopped = False
        threading.Thread(target=self._run, name="query-watchdog", daemon=True).start()

    def watch(self, seconds: float, generation: int) -> _Watch:
        watch = _Watch(time.monotonic() + seconds, generation)
        with self._changed:
            self._watches.add(watch)
            self._changed.notify()
        return watch

    def release(self, watch: _Watch) -> None:
        with self._changed:
            self._watches.discard(watch)

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                if self._stopped:
                    return
                now = time.monotonic()
                expired = [w for w in self._watches if w.deadline <= now]
                for watch in expired:
                    watch.expired = True
                    self._watches.discard(watch)
                if not expired:
                    soonest = min((w.deadline for w in self._watches), default=None)
                    self._changed.wait(None if soonest is None else soonest - now)
                    continue
            for generation in {w.generation for w in expired}:  # outside the lock: it is slow
                self._on_expiry(generation)


def open_service_store(settings: Settings) -> "WorkerStore | Store":
    """The store ``serve`` uses: the on-disk store in a child process (so queries can be
    stopped), or the memory store in this process (its data would not survive a restart)."""
    if settings.store == "oxigraph":
        return WorkerStore(settings, settings.query_timeout_s)
    return open_store(settings)


def _last_message(error: RemoteError) -> str:
    """The message of the exception the child raised, without its traceback."""
    lines = [line for line in str(error).splitlines() if ": " in line and not line.startswith(" ")]
    return lines[-1].split(": ", 1)[1] if lines else str(error)
