from application.figures import spread
from application.ports import AnalyticsReader
from application.queries import GetAverageDistribution
from application.views import AverageDistributionView
from domain.distribution import Spread, SpreadFacts
from domain.statistics import average_cents


class GetAverageDistributionHandler:
    """How the task averages of a course's students are spread."""

    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetAverageDistribution) -> AverageDistributionView:
        averages = sorted(
            average_cents(total, count)
            for count, total in await self._reader.task_totals(query.course_id)
        )
        figures = Spread.from_facts(SpreadFacts.of_cents(averages)) if averages else None
        return AverageDistributionView(query.course_id, len(averages), *spread(figures))
