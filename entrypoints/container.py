"""The composition root: which adapters implement the ports, and the use cases over them.

Every adapters container exposes the same provider names, so the use cases do not know which one
they run on (the pattern of dependency-injector's `use-cases` example).
"""

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.memory import InMemoryDatabase, InMemoryStatsReader, InMemoryUnitOfWork
from adapters.taskiq_queue import TaskiqEventQueue
from application.handlers.get_course_average import GetCourseAverageHandler
from application.handlers.get_on_time_percentage import GetOnTimePercentageHandler
from application.handlers.get_student_average import GetStudentAverageHandler
from application.handlers.get_student_course_summary import GetStudentCourseSummaryHandler
from application.handlers.get_student_task_comparison import GetStudentTaskComparisonHandler
from application.handlers.get_task_averages import GetTaskAveragesHandler
from application.handlers.record_grades import RecordGradesHandler
from application.handlers.submit_grades import SubmitGrades
from entrypoints.settings import Settings
from entrypoints.worker.broker import in_memory_broker, ingest_task


class MemoryAdapters(containers.DeclarativeContainer):
    """Everything in this process: state lives as long as the process does."""

    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    database = providers.Singleton(InMemoryDatabase)
    unit_of_work = providers.Factory(InMemoryUnitOfWork, database=database)
    stats_reader = providers.Singleton(InMemoryStatsReader, database=database)
    broker = providers.Singleton(in_memory_broker)
    event_queue = providers.Singleton(
        TaskiqEventQueue, ingest_task=providers.Callable(ingest_task, broker)
    )


class UseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()

    submit_grades = providers.Singleton(
        SubmitGrades, queue=adapters.event_queue, clock=adapters.clock
    )
    record_grades = providers.Singleton(
        RecordGradesHandler, uow=adapters.unit_of_work.provider
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
        GetStudentTaskComparisonHandler, reader=adapters.stats_reader
    )
    task_averages = providers.Singleton(GetTaskAveragesHandler, reader=adapters.stats_reader)
    on_time_percentage = providers.Singleton(
        GetOnTimePercentageHandler, reader=adapters.stats_reader, clock=adapters.clock
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    adapters = providers.Container(MemoryAdapters, settings=settings)
    use_cases = providers.Container(UseCases, adapters=adapters)


def build_container(settings: Settings | None = None) -> Container:
    return Container(settings=settings or Settings())
