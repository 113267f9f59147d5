"""The interactive API docs: Swagger UI, its assets served from the `swagger-ui-py` package
(the service may run where no CDN is reachable), reading /stats/openapi.json."""

import importlib.util
from html import escape
from pathlib import Path

from aiohttp import web

ASSETS_URL = "/stats/docs/assets"
SPEC_URL = "/stats/openapi.json"
_ASSETS = ("swagger-ui.css", "index.css", "swagger-ui-bundle.js",
           "swagger-ui-standalone-preset.js", "favicon-32x32.png")


def assets_dir() -> Path:
    """swagger_ui/static of the installed package, found without importing it (its __init__
    pulls in framework glue we do not use)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    static = Path(next(iter(spec.submodule_search_locations))) / "static"
    missing = [name for name in _ASSETS if not (static / name).is_file()]
    if missing:
        raise RuntimeError(f"swagger-ui-py ships no {', '.join(missing)} under {static}")
    return static


def add_assets(app: web.Application) -> None:
    app.router.add_static(ASSETS_URL, assets_dir(), name="docs-assets")


def page(title: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escape(title)}</title>
  <link rel="icon" type="image/png" href="{ASSETS_URL}/favicon-32x32.png">
  <link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">
  <link rel="stylesheet" href="{ASSETS_URL}/index.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>
  <script src="{ASSETS_URL}/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{SPEC_URL}",
      dom_id: "#swagger-ui",
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout",
      validatorUrl: null,
      deepLinking: true
    }});
  </script>
</body>
</html>
"""
