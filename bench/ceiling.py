"""The ceiling: a bare aiohttp JSON handler in one process, nothing else (no middleware, no access
log, no database). Every read endpoint is compared with it, measured the same way in the same run.

    python -m bench.ceiling --port 8099
"""

import argparse

from aiohttp import web

PATH = "/stats/health"


async def ok(request: web.Request) -> web.Response:
    return web.json_response({"status": "OK"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = web.Application()
    app.router.add_get(PATH, ok)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
