"""The single-grade routes write their 202 body directly; it must stay what ACCEPTED renders."""

import json
import uuid

from entrypoints.http.routes.grades import ACCEPTED, Accepted, accepted_response


def test_the_direct_202_is_the_documented_reply() -> None:
    event_id = uuid.uuid4()
    direct = accepted_response(event_id)
    rendered = ACCEPTED.render(Accepted(202, "queued", event_id))
    assert direct.status == rendered.status == 202
    assert direct.content_type == rendered.content_type
    assert isinstance(direct.body, bytes) and isinstance(rendered.body, bytes)
    assert json.loads(direct.body) == json.loads(rendered.body)
    assert json.loads(direct.body)["event_id"] == str(event_id)
