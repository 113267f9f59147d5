"""Every setting is documented: each environment variable a Settings field is read from appears
in the README's Configuration table."""

from pathlib import Path

from entrypoints.cli.preconditions import environment_names
from entrypoints.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_configuration_table() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("| `"))
    undocumented = [
        name
        for field in Settings.model_fields
        for name in environment_names(field)
        if f"`{name}`" not in table
    ]
    assert undocumented == []
