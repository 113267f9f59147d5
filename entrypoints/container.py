"""The composition root: which adapters implement the ports, the use cases over them, and the
lifetime of everything that holds a connection. The API, the worker, the CLI and the benchmark
all build their objects here (`build_container`), and tests override its providers.

Two choices are made from the settings, each in one place, by `providers.Selector`:
- storage: "postgres" when a database URL is set (the CLI sets it to the embedded server's when
  none is configured), else "memory";
- queue: "redis" when a queue URL is set, else "in_process" (an event is recorded before its
  request is answered).
"""

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from dependency_injector import containers, providers
from redis.asyncio import Redis

from adapters.clock import SystemClock
from adapters.hmac_pseudonyms import HmacPseudonyms
from adapters.memory import InMemoryDatabase, InMemoryStatsReader, InMemoryUnitOfWork
from adapters.memory.analytics_reader import InMemoryAnalyticsReader
from adapters.memory.idempotency_keys import InMemoryIdempotencyKeys
from adapters.postgres import (
    ConnectionPool,
    PostgresStatsReader,
    PostgresUnitOfWork,
    new_pool,
    opened,
)
from adapters.postgres.analytics_reader import PostgresAnalyticsReader
from adapters.postgres.change_listener import PostgresChangeFeed
from adapters.queue.coalescing import CoalescingEventQueue
from adapters.queue.in_process import InProcessEventQueue
from adapters.queue.recording import BatchingRecorder
from adapters.queue.redis import (
    RedisDeadLetters,
    RedisIdempotencyKeys,
    RedisQueueInspector,
    RedisQueueSwitch,
    ReliableRedisStreamBroker,
)
from adapters.queue.retry import RetryPolicy
from adapters.queue.taskiq_publisher import TaskiqEventQueue
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
from application.handlers.submit_grades import SubmitGradesHandler
from entrypoints.limits import WriteGuard
from entrypoints.settings import Settings


def claim_lifetime(settings: Settings) -> float:
    """Seconds an idempotency key claimed by a write being queued is held: well past the time
    limit of queueing, so that it lapses only when the process that claimed it died."""
    return 2 * settings.queue.timeout + 5


def storage_mode(settings: Settings) -> str:
    return "memory" if settings.database.url is None else "postgres"


def queue_mode(settings: Settings) -> str:
    return "redis" if settings.queue.url else "in_process"


@asynccontextmanager
async def _opened_pool(pool: ConnectionPool | None) -> AsyncIterator[ConnectionPool | None]:
    if pool is None:
        yield None
        return
    async with opened(pool):
        yield pool


@asynccontextmanager
async def _closed_on_exit(client: Redis | None) -> AsyncIterator[Redis | None]:
    try:
        yield client
    finally:
        if client is not None:
            await client.aclose()


class Adapters(containers.DeclarativeContainer):
    """Every port's implementation for these settings."""

    settings = providers.Dependency(instance_of=Settings)
    storage = providers.Callable(storage_mode, settings)
    queue = providers.Callable(queue_mode, settings)

    clock = providers.Singleton(SystemClock)
    pseudonyms = providers.Singleton(HmacPseudonyms, key=settings.provided.auth.pseudonym_key_bytes)

    # Storage. Nothing in memory survives a restart: for tests and trying things out.
    database = providers.Singleton(InMemoryDatabase)
    postgres_pool = providers.Singleton(
        new_pool,
        url=settings.provided.database.url,
        min_size=0,  # start even while PostgreSQL is down: reads answer 503 until it is back
        max_size=settings.provided.database.pool_size,
        command_timeout=settings.provided.database.timeout,
    )
    pool = providers.Selector(storage, memory=providers.Object(None), postgres=postgres_pool)
    # The pool's lifetime; its users get the pool itself, so they stay synchronous to build.
    pool_connection = providers.Resource(_opened_pool, pool)
    # What each committed transaction changed (the ChangeFeed port): notices of PostgreSQL heard
    # on a connection of the feed's own, or the in-memory database's own announcements.
    changes = providers.Selector(
        storage,
        memory=database.provided.changes,
        postgres=providers.Singleton(
            PostgresChangeFeed,
            url=settings.provided.database.url,
            check_interval=settings.provided.database.changes_check_interval,
        ),
    )
    unit_of_work = providers.Selector(
        storage,
        memory=providers.Factory(InMemoryUnitOfWork, database=database),
        postgres=providers.Factory(
            PostgresUnitOfWork, pool=postgres_pool, announce=changes.provided.publish_changed
        ),
    )
    stats_reader = providers.Selector(
        storage,
        memory=providers.Singleton(InMemoryStatsReader, database=database),
        postgres=providers.Singleton(PostgresStatsReader, pool=postgres_pool),
    )
    analytics_reader = providers.Selector(
        storage,
        memory=providers.Singleton(InMemoryAnalyticsReader, database=database),
        postgres=providers.Singleton(PostgresAnalyticsReader, pool=postgres_pool),
    )

    # The queue: a Redis stream read by the workers through taskiq, or none.
    redis_broker = providers.Singleton(
        ReliableRedisStreamBroker,
        url=settings.provided.queue.url,
        queue_name=settings.provided.queue.stream,
        consumer_group_name=settings.provided.queue.consumer_group,
        consumer_name=settings.provided.queue.consumer_name,
        idle_timeout=settings.provided.queue.idle_timeout,
        trim_interval=settings.provided.queue.trim_interval,
        max_deliveries=settings.provided.queue.max_deliveries,
        reset_report_time=settings.provided.queue.reset_report_time,
    )
    broker = providers.Selector(queue, in_process=providers.Object(None), redis=redis_broker)
    # POSTs arriving together go out as one queue message (each still awaits its XADD).
    redis_publisher = providers.Singleton(
        CoalescingEventQueue,
        queue=providers.Singleton(
            TaskiqEventQueue, redis_broker, timeout=settings.provided.queue.timeout
        ),
        window=settings.provided.queue.coalesce_window,
        max_events=settings.provided.queue.coalesce_max_events,
    )
    # A client of its own for looking at the queue (readiness, the write guard's backlog,
    # metrics, the operators' report and dead letters), with short timeouts, so that looking
    # never waits behind (or disturbs) the broker's connections.
    inspection_redis = providers.Selector(
        queue,
        in_process=providers.Object(None),
        redis=providers.Singleton(
            Redis.from_url,
            settings.provided.queue.url,
            socket_timeout=settings.provided.http.ready_timeout,
            socket_connect_timeout=settings.provided.http.ready_timeout,
            max_connections=4,
        ),
    )
    inspection_redis_lifetime = providers.Resource(_closed_on_exit, inspection_redis)
    # The write path's own client: each keyed write claims its key before it is queued.
    writes_redis = providers.Selector(
        queue,
        in_process=providers.Object(None),
        redis=providers.Singleton(
            Redis.from_url,
            settings.provided.queue.url,
            socket_timeout=settings.provided.queue.timeout,
            socket_connect_timeout=settings.provided.queue.timeout,
        ),
    )
    writes_redis_lifetime = providers.Resource(_closed_on_exit, writes_redis)
    idempotency_keys = providers.Selector(
        queue,
        in_process=providers.Singleton(InMemoryIdempotencyKeys),
        redis=providers.Singleton(
            RedisIdempotencyKeys,
            writes_redis,
            prefix=providers.Callable("{}:idempotency:".format, settings.provided.queue.stream),
        ),
    )
    queue_inspector = providers.Selector(
        queue,
        in_process=providers.Object(None),
        redis=providers.Singleton(
            RedisQueueInspector, inspection_redis, settings.provided.queue.stream
        ),
    )
    dead_letters = providers.Selector(
        queue,
        in_process=providers.Object(None),
        redis=providers.Singleton(
            RedisDeadLetters, inspection_redis, settings.provided.queue.stream
        ),
    )
    # Pausing and resuming the workers' consumption.
    queue_switch = providers.Selector(
        queue,
        in_process=providers.Object(None),
        redis=providers.Singleton(
            RedisQueueSwitch, inspection_redis, settings.provided.queue.stream
        ),
    )


class UseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()

    record_grades = providers.Singleton(RecordGradesHandler, uow=adapters.unit_of_work.provider)
    event_queue = providers.Selector(
        adapters.queue,
        # A POST is answered only once its grade is committed: a crash loses nothing that was
        # acknowledged, and a failure reaches the client instead of a 202.
        in_process=providers.Singleton(InProcessEventQueue, record_grades=record_grades),
        redis=adapters.redis_publisher,
    )
    submit_grades = providers.Singleton(
        SubmitGradesHandler,
        queue=event_queue,
        keys=adapters.idempotency_keys,
        window=adapters.settings.provided.queue.idempotency_window,
        in_flight=providers.Callable(claim_lifetime, adapters.settings),
    )
    erase_student = providers.Singleton(EraseStudentHandler, queue=event_queue)
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


class Worker(containers.DeclarativeContainer):
    """What the worker's tasks call: the RecordGrades use case, recording the messages
    processed at once together, retried through failures of the store."""

    settings = providers.Dependency(instance_of=Settings)
    use_cases = providers.DependenciesContainer()

    recorder = providers.Singleton(
        BatchingRecorder,
        use_cases.record_grades,
        max_events=settings.provided.worker.batch_max_events,
        linger=settings.provided.worker.batch_linger,
        max_transactions=settings.provided.worker.batch_transactions,
    )
    retry_policy = providers.Singleton(
        RetryPolicy,
        initial_delay=settings.provided.worker.retry_initial_delay,
        max_delay=settings.provided.worker.retry_max_delay,
        max_failed_attempts=settings.provided.worker.max_attempts,
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    adapters = providers.Container(Adapters, settings=settings)
    use_cases = providers.Container(UseCases, adapters=adapters)
    worker = providers.Container(Worker, settings=settings, use_cases=use_cases)
    # What a write must pass before it is queued: the client's rate, room in the queue.
    write_guard = providers.Singleton(
        WriteGuard,
        rate=settings.provided.limits.write_rate_limit,
        burst=settings.provided.limits.write_burst,
        queue=adapters.queue_inspector,
        max_backlog=settings.provided.limits.max_queue_backlog,
    )


def build_container(settings: Settings | None = None) -> Container:
    return Container(settings=settings or Settings())


@asynccontextmanager
async def open_resources(container: Container, *, start_broker: bool = True) -> AsyncIterator[None]:
    """Open the container's pools and clients, then start its broker if it has one (so that the
    consumer group exists before anything is published); stop and close them in the reverse
    order on the way out. `start_broker=False` where taskiq's own worker starts the broker."""
    await _maybe_await(container.init_resources())
    try:
        broker = container.adapters.broker() if start_broker else None
        if broker is None:
            yield
            return
        await broker.startup()
        try:
            yield
        finally:
            await broker.shutdown()
    finally:
        await _maybe_await(container.shutdown_resources())


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if result is not None:  # None when no resource is asynchronous
        await result
