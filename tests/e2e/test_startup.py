"""Start-up failures are one clear line: a port in use ends the process before anything starts."""

import os
import socket
import subprocess

import pytest

from tests.e2e.harness import CLI, ROOT

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("command", ["run", "serve"])
def test_a_port_in_use_is_one_line_and_a_failure(command: str, tmp_path: object) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            "STATS_PORT": str(port),
            "STATS_STORAGE": "memory",
            "STATS_REDIS_URL": "redis://127.0.0.1:1/0",  # never reached: the port is checked first
        }
        done = subprocess.run(
            [*CLI, command],
            check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert output.strip().splitlines()[-1] == f"port {port} is in use on 127.0.0.1"
    assert "Traceback" not in output
    assert "listening" not in output
