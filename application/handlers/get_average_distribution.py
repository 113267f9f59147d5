from application.analytics_queries import AverageDistributionView, GetAverageDistribution
from application.handlers.standings import standings
from application.ports import AnalyticsReader
from domain.distribution import HISTOGRAM_BINS, Spread
from domain.statistics import as_number


class GetAverageDistributionHandler:
    """How the task averages of a course's students are spread."""

    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetAverageDistribution) -> AverageDistributionView:
        averages = [
            s.average
            for s in standings(await self._reader.students(query.course_id))
            if s.average is not None
        ]
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
        spread = Spread.of(averages)
        return AverageDistributionView(
            course_id=query.course_id,
            student_count=spread.count,
            mean=as_number(spread.mean),
            min=as_number(spread.minimum),
            first_quartile=as_number(spread.first_quartile),
            median=as_number(spread.median),
            third_quartile=as_number(spread.third_quartile),
            max=as_number(spread.maximum),
            std_dev=as_number(spread.std_dev),
            histogram=spread.histogram,
        )
