from application.analytics_queries import AverageDistributionView, GetAverageDistribution
from application.ports import AnalyticsReader
from domain.distribution import HISTOGRAM_BINS, Spread, SpreadFacts
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
        if not averages:
            return AverageDistributionView(
                course_id=query.course_id,
                student_count=0,
                mean=None,
                min=None,
                first_quartile=None,
                median=None,
                third_quartile=None,
                max=None,
                std_dev=None,
                histogram=[0] * HISTOGRAM_BINS,
            )
        spread = Spread.from_facts(SpreadFacts.of_cents(averages))
        # Figures are whole cents: int / int is correctly rounded, the float of the 2-decimal value.
        return AverageDistributionView(
            course_id=query.course_id,
            student_count=spread.count,
            mean=spread.mean / 100,
            min=spread.minimum / 100,
            first_quartile=spread.first_quartile / 100,
            median=spread.median / 100,
            third_quartile=spread.third_quartile / 100,
            max=spread.maximum / 100,
            std_dev=spread.std_dev / 100,
            histogram=spread.histogram,
        )
