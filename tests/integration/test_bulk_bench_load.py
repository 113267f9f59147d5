"""The benchmark loads its dataset with several processes, each bulk-loading its share of the
courses: the database must end up exactly as recording every event in one place would leave it."""

import pytest

from adapters.memory import InMemoryDatabase, InMemoryStatsReader, InMemoryUnitOfWork
from adapters.postgres import PostgresStatsReader, postgres_pool, verify
from bench.dataset import Dataset, DatasetShape
from bench.load import load

pytestmark = pytest.mark.integration

SHAPE = DatasetShape(
    courses=5, students=300, tasks_per_course=4, task_grades=4_000, course_grades=400, seed=3
)


async def test_loading_processes_record_the_whole_dataset(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = await load(fresh_database_url, Dataset(SHAPE), batch_size=700, workers=3)

    assert (report.method, report.events) == ("bulk_load", SHAPE.events)
    # the progress bar on stderr ends with every grade counted
    last = capsys.readouterr().err.rstrip("\n").rsplit("\r", 1)[-1]
    assert last.startswith("loading: 100%") and "4.40k/4.40k" in last and "grades/s" in last, last
    assert await verify(fresh_database_url) == []
    database = InMemoryDatabase()
    async with InMemoryUnitOfWork(database) as uow:
        await uow.grades.record(list(Dataset(SHAPE).events()))
        await uow.commit()
    memory = InMemoryStatsReader(database)
    async with postgres_pool(fresh_database_url) as pool:
        postgres = PostgresStatsReader(pool)
        for index in range(SHAPE.courses):
            course = Dataset(SHAPE).course_id(index)
            assert sorted(
                (t.student_id, t.tally) for t in await postgres.task_tallies_by_student(course)
            ) == sorted(
                (t.student_id, t.tally) for t in await memory.task_tallies_by_student(course)
            )
            for task in Dataset(SHAPE).task_ids:
                assert sorted(
                    (t.student_id, t.tally) for t in await postgres.task_tallies_for_task(course, task)
                ) == sorted(
                    (t.student_id, t.tally) for t in await memory.task_tallies_for_task(course, task)
                )
        for student, course in list(Dataset(SHAPE).enrolments(per_course=10)):
            assert await postgres.student_course(student, course) == await memory.student_course(
                student, course
            )
