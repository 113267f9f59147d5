"""The benchmark's arithmetic over loads: one load split over API processes and merged back,
rounds of an A/B comparison chained, and the order of those rounds."""

from bench.http_load import (
    PERCENTILE_GRID,
    LoadResult,
    chain_results,
    merge_results,
    merged_percentile,
    split_connections,
)
from bench.run import ab_order


def flat(ms: float) -> tuple[float, ...]:
    """The percentile grid of a load whose every request took `ms`."""
    return tuple(ms for _ in PERCENTILE_GRID)


def load(requests: int, seconds: float, grid: tuple[float, ...], errors: int = 0) -> LoadResult:
    return LoadResult("wrk", requests, seconds, errors, grid[49], grid[89], grid[98], grid[-1], grid)


def test_connections_are_split_as_evenly_as_whole_numbers_allow() -> None:
    assert split_connections(64, 2) == [32, 32]
    assert split_connections(16, 3) == [6, 5, 5]
    assert split_connections(1, 2) == [1, 0]


def test_a_merged_percentile_weighs_each_part_by_its_requests() -> None:
    fast, slow = flat(1.0), flat(3.0)
    assert merged_percentile([(100, fast), (100, slow)], 50) == 1.0
    assert merged_percentile([(100, fast), (100, slow)], 51) == 3.0
    assert merged_percentile([(300, fast), (100, slow)], 75) == 1.0
    assert merged_percentile([(300, fast), (100, slow)], 76) == 3.0
    assert merged_percentile([], 99) == 0.0


def test_a_part_s_own_percentiles_survive_a_merge_with_an_identical_part() -> None:
    grid = tuple(float(i) for i in range(len(PERCENTILE_GRID)))
    for q in (50, 90, 99, 99.9):
        assert merged_percentile([(10, grid), (10, grid)], q) == grid[PERCENTILE_GRID.index(q)]


def test_loads_side_by_side_add_their_requests_over_the_longest_time() -> None:
    merged = merge_results([load(1_000, 10.0, flat(1.0), errors=1), load(3_000, 10.5, flat(5.0))])
    assert (merged.requests, merged.seconds, merged.errors) == (4_000, 10.5, 1)
    assert (merged.p50_ms, merged.p99_ms, merged.max_ms) == (5.0, 5.0, 5.0)
    assert merged.rps == 4_000 / 10.5


def test_rounds_one_after_another_add_their_times() -> None:
    chained = chain_results([load(1_000, 3.0, flat(2.0)), load(2_000, 3.0, flat(2.0))])
    assert (chained.requests, chained.seconds, chained.p99_ms) == (3_000, 6.0, 2.0)
    assert chained.rps == 500.0


def test_the_a_b_rounds_swap_their_order_every_round() -> None:
    assert ab_order(3) == [("small", "large"), ("large", "small"), ("small", "large")]
