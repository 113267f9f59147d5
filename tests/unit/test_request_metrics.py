"""The request series the API counts itself expose what prometheus_client's own Counter and
Histogram would for the same requests."""

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from entrypoints.http.metrics import LATENCY_BUCKETS, PREFIX, RequestSeries

REQUESTS = [
    ("GET", "/stats/health", 200, 0.0004),
    ("GET", "/stats/health", 200, 0.001),  # exactly on a bound: counted in it (le)
    ("GET", "/stats/health", 200, 0.0011),
    ("GET", "/stats/course/{course_id}/average", 400, 0.03),
    ("GET", "/stats/course/{course_id}/average", 200, 10.0),
    ("GET", "/stats/course/{course_id}/average", 200, 12.5),  # beyond the last bound: +Inf
    ("POST", "/stats/student/grade", 202, 0.0025),
]


def exposition(series: list[tuple[str, str, int, float]], ours: bool) -> list[str]:
    registry = CollectorRegistry()
    if ours:
        requests = RequestSeries()
        registry.register(requests)
        for method, route, status, seconds in series:
            requests.observe(method, route, status, seconds)
    else:
        labels = ["method", "route", "status"]
        counter = Counter(f"{PREFIX}_http_requests", "HTTP requests answered, by route template "
                          "and status", labels, registry=registry)
        histogram = Histogram(f"{PREFIX}_http_request_duration_seconds", "Time to answer an HTTP "
                              "request, by route template and status", labels,
                              buckets=LATENCY_BUCKETS, registry=registry)
        for method, route, status, seconds in series:
            counter.labels(method, route, str(status)).inc()
            histogram.labels(method, route, str(status)).observe(seconds)
    lines = generate_latest(registry).decode().splitlines()
    return sorted(line for line in lines if not line.startswith("#") and "_created" not in line)


def test_the_same_samples_as_prometheus_clients_counter_and_histogram() -> None:
    ours = exposition(REQUESTS, ours=True)
    assert ours == exposition(REQUESTS, ours=False)
    assert any('le="+Inf"' in line for line in ours)


def test_made_up_methods_share_one_label() -> None:
    series = RequestSeries()
    for method in ("BREW", "WHEN", "GET"):
        series.observe(method, "unmatched", 405, 0.001)
    families = {f.name: f for f in series.collect()}
    counts = {s.labels["method"]: s.value for s in families[f"{PREFIX}_http_requests"].samples}
    assert counts == {"other": 2, "GET": 1}
