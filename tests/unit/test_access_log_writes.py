"""Access lines go out in writes of whole lines of at most PIPE_BUF bytes, so that the lines of
processes sharing one stderr pipe (`--processes N`) never cut into each other."""

from entrypoints.logging_setup import AccessLog, _whole_lines


def test_pieces_are_whole_lines_within_the_limit() -> None:
    lines = [f"line {i} " + "é" * (i % 7) for i in range(100)]
    pieces = list(_whole_lines(lines, 64))
    assert "".join(pieces) == "\n".join(lines) + "\n"
    assert all(len(p.encode()) <= 64 and p.endswith("\n") for p in pieces)
    assert len(pieces) > 1


def test_a_line_longer_than_the_limit_goes_out_alone() -> None:
    assert list(_whole_lines(["a", "b" * 100, "c"], 10)) == ["a\n", "b" * 100 + "\n", "c\n"]


class Writes:
    """A stream that records what each flush sent."""

    def __init__(self) -> None:
        self.pending = ""
        self.sent: list[str] = []

    def write(self, text: str) -> None:
        self.pending += text

    def flush(self) -> None:
        if self.pending:
            self.sent.append(self.pending)
            self.pending = ""


def test_a_batch_of_access_lines_goes_out_in_writes_of_pipe_buf_bytes() -> None:
    import select

    log = AccessLog()
    stream = Writes()
    log.configure(stream, "json")  # type: ignore[arg-type]
    for i in range(100):
        log.line("GET", "/stats/health", "/stats/health", 200, 0.1, f"{i:032x}")
    log.flush()
    assert len(stream.sent) > 1
    assert all(len(s.encode()) <= select.PIPE_BUF and s.endswith("\n") for s in stream.sent)
    assert "".join(stream.sent).count("\n") == 100
