"""What a worker process needs to run its tasks: the RecordGrades use case over open adapters.

`entrypoints.container.build_worker_dependencies` builds it; tests may put another factory in its
place with `use_worker_dependencies`.
"""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from application.handlers.record_grades import RecordGradesHandler
from entrypoints.settings import Settings

WorkerDependencies = Callable[[Settings], AbstractAsyncContextManager[RecordGradesHandler]]

_factory: WorkerDependencies | None = None


def use_worker_dependencies(factory: WorkerDependencies | None) -> None:
    """Build workers' dependencies with `factory` from now on (None: the container's)."""
    global _factory
    _factory = factory


def worker_dependencies(settings: Settings) -> AbstractAsyncContextManager[RecordGradesHandler]:
    if _factory is not None:
        return _factory(settings)
    from entrypoints.container import build_worker_dependencies

    return build_worker_dependencies(settings)
