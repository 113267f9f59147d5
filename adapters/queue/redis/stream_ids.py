"""Redis stream entry ids ("<milliseconds>-<sequence>"), compared as the server compares them."""

StreamId = tuple[int, int]


def parse(entry_id: str | bytes) -> StreamId:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def format_id(entry_id: StreamId) -> str:
    return f"{entry_id[0]}-{entry_id[1]}"


def successor(entry_id: StreamId) -> StreamId:
    """The smallest id greater than `entry_id`."""
    return entry_id[0], entry_id[1] + 1


def text(entry_id: str | bytes) -> str:
    return entry_id.decode() if isinstance(entry_id, bytes) else entry_id
