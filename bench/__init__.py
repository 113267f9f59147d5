"""The benchmark of `make bench` / `classconnect-stats bench`: a realistic dataset loaded through
the bulk write path, the read endpoints under a real load generator against the ceiling of a
bare aiohttp handler, and end-to-end single-event ingest through real API and worker processes.

A development tool, not part of the service: it runs from a source checkout (see
entrypoints/cli/bench.py) and is not installed with the package.
"""
