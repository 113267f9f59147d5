import pytest
from memory_service import Service, build_service


@pytest.fixture
def service() -> Service:
    return build_service()
