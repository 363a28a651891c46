"""Overlapping the Python work of an import with its database writes."""

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Batch = TypeVar("Batch")
Ready = TypeVar("Ready")


def pipelined(
    batches: Iterable[Batch],
    *,
    prepare: Callable[[Batch], Ready],
    write: Callable[[Ready], None],
) -> None:
    """write(prepare(batch)) for each batch, in order, with batch N+1 prepared in a second
    thread while batch N is written: `prepare` is pure Python (no database access), waiting for
    the database releases the GIL, so a worker's Python and its database backend work at the
    same time instead of taking turns. `batches` is consumed and `write` runs in the calling
    thread (they may use its database connection). An exception from `prepare` is raised here,
    where its batch would be written; nothing after it is written."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-prepare") as pool:
        previous: Future[Ready] | None = None
        for batch in batches:
            current = pool.submit(prepare, batch)
            if previous is not None:
                write(previous.result())
            previous = current
        if previous is not None:
            write(previous.result())
