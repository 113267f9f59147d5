"""The students of the worked examples, with ids a reader can tell apart at a glance."""

import uuid

ANA = uuid.UUID("00000000-0000-4000-8000-00000000000a")
BEN = uuid.UUID("00000000-0000-4000-8000-00000000000b")
CAL = uuid.UUID("00000000-0000-4000-8000-00000000000c")
DEE = uuid.UUID("00000000-0000-4000-8000-00000000000d")
