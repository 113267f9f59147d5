"""The benchmark loads its dataset with several processes, each generating a share of the
courses: together the shares must be exactly the dataset, and generating it faster must not
have changed it (the read targets are regenerated from the same flags)."""

import hashlib
import random
import uuid

from bench.dataset import Dataset, _uuid, scaled_shape

SHAPE = scaled_shape(12_000, seed=7)

# sha256 over the repr of every event of Dataset(scaled_shape(12_000, seed=7)).events(), as the
# generator made them before it was sped up.
EVENTS_DIGEST = "090a77a62dfdfcedd36416dbef5665f3f196ec8609112a27cef34d02eace88bc"


def test_shares_of_courses_together_are_the_whole_dataset() -> None:
    dataset = Dataset(SHAPE)
    whole = list(dataset.events())
    courses = SHAPE.courses
    shares = [range(courses * w // 3, courses * (w + 1) // 3) for w in range(3)]
    assert [e for share in shares for e in Dataset(SHAPE).events(share)] == whole
    assert list(dataset.events(range(courses))) == whole


def test_the_events_are_those_the_generator_always_made() -> None:
    digest = hashlib.sha256()
    for event in Dataset(SHAPE).events():
        digest.update(repr(event).encode())
    assert digest.hexdigest() == EVENTS_DIGEST


def test_the_fast_uuid_is_a_version_4_uuid_of_the_same_random_bits() -> None:
    fast, checked = random.Random(3), random.Random(3)
    for _ in range(1_000):
        made = _uuid(fast)
        expected = uuid.UUID(int=checked.getrandbits(128), version=4)
        assert made == expected
        assert (made.version, made.variant, str(made)) == (4, uuid.RFC_4122, str(expected))
        assert hash(made) == hash(expected)
