"""The ports: what the use cases need from the outside world, as Protocols."""

from application.ports.analytics_reader import AnalyticsReader, CurrentTaskGrade, StudentInCourse
from application.ports.clock import Clock
from application.ports.event_queue import EventQueue
from application.ports.grade_store import GradeStore
from application.ports.pseudonyms import Pseudonyms
from application.ports.stats_reader import (
    CourseGradeSeries,
    GradeScope,
    OnTimeSeries,
    PeriodTally,
    RankedAverages,
    StatsReader,
    StudentCourseTallies,
    StudentTally,
)
from application.ports.unit_of_work import UnitOfWork

__all__ = [
    "AnalyticsReader",
    "Clock",
    "CourseGradeSeries",
    "CurrentTaskGrade",
    "EventQueue",
    "GradeScope",
    "GradeStore",
    "OnTimeSeries",
    "PeriodTally",
    "Pseudonyms",
    "RankedAverages",
    "StatsReader",
    "StudentCourseTallies",
    "StudentInCourse",
    "StudentTally",
    "UnitOfWork",
]
