"""The single-grade routes write their 200 body directly; it must stay what QUEUED renders."""

import json
import uuid

from entrypoints.http.routes.grades import QUEUED, Queued, queued_response


def test_the_direct_200_is_the_documented_reply() -> None:
    event_id = uuid.uuid4()
    direct = queued_response(event_id)
    rendered = QUEUED.render(Queued(200, "queued", event_id))
    assert direct.status == rendered.status == 200
    assert direct.content_type == rendered.content_type
    assert isinstance(direct.body, bytes) and isinstance(rendered.body, bytes)
    assert json.loads(direct.body) == json.loads(rendered.body)
    assert json.loads(direct.body)["event_id"] == str(event_id)
