"""The benchmark of `make bench` / `python -m bench`: a realistic dataset loaded through the bulk
write path, the read endpoints under a real load generator against the ceiling of a bare aiohttp
handler, and end-to-end single-event ingest through real API and worker processes.

A development tool, not part of the service: it runs from a source checkout and is not installed
with the package. It stands above the service: it starts the service's processes (the
`classconnect-stats` commands) and may use its packages, and none of them imports it.
"""
