"""`python -m bench` from a source checkout (or `make bench`): the benchmark of bench/run.py."""

from bench.run import main

main()
