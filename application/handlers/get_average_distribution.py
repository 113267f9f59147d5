from application.figures import spread
from application.ports import AnalyticsReader
from application.queries import GetAverageDistribution
from application.views import AverageDistributionView
from domain.distribution import Spread, SpreadFacts


class GetAverageDistributionHandler:
    """How the task averages of a course's students are spread: every figure is computed from
    the exact averages and rounded once, like the averages themselves."""

    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetAverageDistribution) -> AverageDistributionView:
        tallies = await self._reader.task_totals(query.course_id)
        figures = Spread.from_facts(SpreadFacts.of_averages(tallies)) if tallies else None
        return AverageDistributionView(query.course_id, len(tallies), *spread(figures))
