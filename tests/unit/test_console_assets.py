"""The web console's files: the committed charting library is the one package-lock.json names,
byte for byte as MANIFEST.json records it, and no page loads anything from another host."""

import gzip
import hashlib
import json
import re
from pathlib import Path

from entrypoints.http.ui import STATIC_DIR
from entrypoints.http.ui.pages import TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
VENDOR = STATIC_DIR / "vendor"
LOCK = ROOT / "scripts" / "console-assets" / "package-lock.json"


def test_each_vendored_file_is_the_locked_version_with_its_gzip_copy_and_licence() -> None:
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text())
    locked = json.loads(LOCK.read_text())["packages"]
    assert {entry["package"] for entry in manifest.values()} == {
        "chart.js", "@sgratzl/chartjs-chart-boxplot"
    }
    for name, entry in manifest.items():
        data = (VENDOR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert locked[f"node_modules/{entry['package']}"]["version"] == entry["version"], name
        assert gzip.decompress((VENDOR / f"{name}.gz").read_bytes()) == data, name
        assert (VENDOR / name.replace(".min.js", ".LICENSE.txt")).is_file(), name


def test_pages_and_scripts_load_nothing_from_another_host() -> None:
    files = [*TEMPLATES.glob("*.html"), *STATIC_DIR.glob("*.js"), *STATIC_DIR.glob("*.css")]
    assert len(files) >= 4
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path
        assert not re.search(r"""(fetch|import)\s*\(?\s*["'`](https?:)?//""", text), path
        assert "@import" not in text and "url(http" not in text, path
