import pytest

from entrypoints.limits import RateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_steady_rate() -> None:
    clock = FakeTime()
    limiter = RateLimiter(rate_per_second=2, burst=3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0


def test_clients_are_limited_separately() -> None:
    limiter = RateLimiter(rate_per_second=1, burst=1, clock=FakeTime())
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0.0


def test_a_batch_costs_its_size_and_quiet_clients_are_forgotten() -> None:
    clock = FakeTime()
    limiter = RateLimiter(rate_per_second=10, burst=100, max_clients=2, clock=clock)
    assert limiter.acquire("a", cost=100) == 0.0
    assert limiter.acquire("a", cost=10) == pytest.approx(1.0)
    limiter.acquire("b")
    limiter.acquire("c")  # "a" is dropped: it comes back with a full bucket
    assert limiter.acquire("a", cost=100) == 0.0


def test_retry_after_is_whole_seconds_at_least_one() -> None:
    assert RateLimiter.retry_after_header(0.01) == "1"
    assert RateLimiter.retry_after_header(2.3) == "3"
