"""The composition root: which adapters implement the ports, and the use cases over them.

Every adapters container exposes the same provider names (clock, unit_of_work, stats_reader,
broker, event_queue), so the use cases do not know which one they run on: the pattern of
dependency-injector's `use-cases` example.
"""

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.coalescing_queue import CoalescingEventQueue
from adapters.hmac_pseudonyms import HmacPseudonyms
from adapters.in_process_queue import InProcessEventQueue
from adapters.memory import InMemoryDatabase, InMemoryStatsReader, InMemoryUnitOfWork
from adapters.memory.analytics_reader import InMemoryAnalyticsReader
from adapters.postgres import PostgresStatsReader, PostgresUnitOfWork, new_pool, opened
from adapters.postgres.analytics_reader import PostgresAnalyticsReader
from adapters.taskiq_queue import TaskiqEventQueue
from application.handlers.erase_student import EraseStudentHandler
from application.handlers.export_course_grades import ExportCourseGradesHandler
from application.handlers.find_at_risk_students import FindAtRiskStudentsHandler
from application.handlers.get_average_distribution import GetAverageDistributionHandler
from application.handlers.get_course_average import GetCourseAverageHandler
from application.handlers.get_on_time_percentage import GetOnTimePercentageHandler
from application.handlers.get_student_average import GetStudentAverageHandler
from application.handlers.get_student_course_summary import GetStudentCourseSummaryHandler
from application.handlers.get_student_courses import GetStudentCoursesHandler
from application.handlers.get_student_task_comparison import GetStudentTaskComparisonHandler
from application.handlers.get_task_averages import GetTaskAveragesHandler
from application.handlers.get_task_spreads import GetTaskSpreadsHandler
from application.handlers.list_course_students import ListCourseStudentsHandler
from application.handlers.record_grades import RecordGradesHandler
from application.handlers.submit_grade_batch import SubmitGradeBatchHandler
from application.handlers.submit_grades import SubmitGrades
from entrypoints.settings import Settings
from entrypoints.worker.broker import ingest_kicker, redis_broker


class MemoryAdapters(containers.DeclarativeContainer):
    """Everything in this process; events are recorded as they are published. Nothing survives
    a restart: for tests and trying things out."""

    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    database = providers.Singleton(InMemoryDatabase)
    unit_of_work = providers.Factory(InMemoryUnitOfWork, database=database)
    stats_reader = providers.Singleton(InMemoryStatsReader, database=database)
    analytics_reader = providers.Singleton(InMemoryAnalyticsReader, database=database)
    pseudonyms = providers.Singleton(
        HmacPseudonyms, key=settings.provided.pseudonym_key_bytes
    )
    broker = providers.Object(None)
    event_queue = providers.Singleton(
        InProcessEventQueue,
        record_grades=providers.Singleton(RecordGradesHandler, uow=unit_of_work.provider),
    )


class PostgresAdapters(containers.DeclarativeContainer):
    """Statistics in PostgreSQL; events recorded in this process as they are published."""

    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    pool = providers.Singleton(
        new_pool,
        url=settings.provided.database_url,
        min_size=0,  # start even while PostgreSQL is down: reads answer 503 until it is back
        max_size=settings.provided.database_pool_size,
        command_timeout=settings.provided.database_timeout,
    )
    # The pool's lifetime; its users get the pool itself, so they stay synchronous to build.
    pool_connection = providers.Resource(opened, pool)
    unit_of_work = providers.Factory(PostgresUnitOfWork, pool=pool)
    stats_reader = providers.Singleton(PostgresStatsReader, pool=pool)
    analytics_reader = providers.Singleton(PostgresAnalyticsReader, pool=pool)
    pseudonyms = providers.Singleton(
        HmacPseudonyms, key=settings.provided.pseudonym_key_bytes
    )
    broker = providers.Object(None)
    event_queue = providers.Singleton(
        InProcessEventQueue,
        record_grades=providers.Singleton(RecordGradesHandler, uow=unit_of_work.provider),
    )


class PostgresRedisAdapters(PostgresAdapters):
    """Statistics in PostgreSQL; events queued in a Redis stream for the workers."""

    broker = providers.Singleton(redis_broker, settings=PostgresAdapters.settings)
    # POSTs arriving together go out as one queue message (each still awaits its XADD).
    event_queue = providers.Singleton(
        CoalescingEventQueue,
        queue=providers.Singleton(
            TaskiqEventQueue,
            kicker=providers.Callable(ingest_kicker, broker),
            timeout=PostgresAdapters.settings.provided.queue_timeout,
        ),
        window=PostgresAdapters.settings.provided.queue_coalesce_window,
        max_events=PostgresAdapters.settings.provided.queue_coalesce_max_events,
    )


class UseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()

    submit_grades = providers.Singleton(
        SubmitGrades, queue=adapters.event_queue, clock=adapters.clock
    )
    record_grades = providers.Singleton(RecordGradesHandler, uow=adapters.unit_of_work.provider)
    submit_grade_batch = providers.Singleton(
        SubmitGradeBatchHandler, queue=adapters.event_queue, clock=adapters.clock
    )
    erase_student = providers.Singleton(
        EraseStudentHandler, queue=adapters.event_queue, clock=adapters.clock
    )
    task_spreads = providers.Singleton(GetTaskSpreadsHandler, reader=adapters.analytics_reader)
    course_students = providers.Singleton(
        ListCourseStudentsHandler, reader=adapters.analytics_reader
    )
    average_distribution = providers.Singleton(
        GetAverageDistributionHandler, reader=adapters.analytics_reader
    )
    at_risk_students = providers.Singleton(
        FindAtRiskStudentsHandler, reader=adapters.analytics_reader
    )
    student_courses = providers.Singleton(
        GetStudentCoursesHandler, reader=adapters.analytics_reader
    )
    export_course_grades = providers.Singleton(
        ExportCourseGradesHandler, reader=adapters.analytics_reader
    )
    student_course_summary = providers.Singleton(
        GetStudentCourseSummaryHandler, reader=adapters.stats_reader
    )
    student_average = providers.Singleton(
        GetStudentAverageHandler, reader=adapters.stats_reader, clock=adapters.clock
    )
    course_average = providers.Singleton(
        GetCourseAverageHandler, reader=adapters.stats_reader, clock=adapters.clock
    )
    student_task_comparison = providers.Singleton(
        GetStudentTaskComparisonHandler,
        reader=adapters.stats_reader,
        pseudonyms=adapters.pseudonyms,
    )
    task_averages = providers.Singleton(GetTaskAveragesHandler, reader=adapters.stats_reader)
    on_time_percentage = providers.Singleton(
        GetOnTimePercentageHandler, reader=adapters.stats_reader, clock=adapters.clock
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    adapters = providers.DependenciesContainer()
    use_cases = providers.Container(UseCases, adapters=adapters)


def build_container(settings: Settings | None = None) -> Container:
    """The container for these settings: Postgres when a database URL is set (the CLI sets it to
    the embedded server's when none is configured), Redis when a queue URL is set."""
    settings = settings or Settings()
    adapters: containers.DeclarativeContainer
    if settings.database_url is None:
        adapters = MemoryAdapters(settings=settings)
    elif settings.queue_url is None:
        adapters = PostgresAdapters(settings=settings)
    else:
        adapters = PostgresRedisAdapters(settings=settings)
    return Container(settings=settings, adapters=adapters)


@asynccontextmanager
async def build_worker_dependencies(settings: Settings) -> AsyncIterator[RecordGradesHandler]:
    """What a worker process needs: the RecordGrades use case over open adapters."""
    container = build_container(settings)
    async with open_resources(container):
        yield container.use_cases.record_grades()


@asynccontextmanager
async def open_resources(container: Container) -> AsyncIterator[None]:
    """Open the container's resources (pools), and close them on the way out."""
    await _maybe_await(container.init_resources())
    try:
        yield
    finally:
        await _maybe_await(container.shutdown_resources())


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if result is not None:  # None when no resource is asynchronous
        await result
