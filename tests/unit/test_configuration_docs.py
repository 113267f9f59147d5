"""docs/configuration.md documents exactly the settings there are: every environment variable a
Settings field is read from appears in its table, and the table names no variable that is read
by no field."""

import re
from pathlib import Path

from entrypoints.settings import settings_fields, variables

CONFIGURATION = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def documented_variables(text: str) -> set[str]:
    """The variable names in the first column of the table's rows."""
    rows = (line for line in text.splitlines() if line.startswith("| `"))
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def read_variables() -> set[str]:
    return {name for _, _, field in settings_fields() for name in variables(field)}


def test_every_setting_is_documented() -> None:
    assert (
        read_variables() - documented_variables(CONFIGURATION.read_text(encoding="utf-8")) == set()
    )


def test_every_documented_variable_is_a_setting() -> None:
    assert (
        documented_variables(CONFIGURATION.read_text(encoding="utf-8")) - read_variables() == set()
    )


def test_the_check_sees_both_directions() -> None:
    table = "| `STATS_PORT`, `STATS_NO_SUCH` | `1` | x |\n| `STATS_HOST` (`STATS_OTHER`) | | |"
    assert documented_variables(table) == {
        "STATS_PORT",
        "STATS_NO_SUCH",
        "STATS_HOST",
        "STATS_OTHER",
    }
