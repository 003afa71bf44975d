"""Browser libraries installed by npm (package.json + lockfile), served from node_modules by name."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory
from flask.typing import ResponseReturnValue

from web.access import public

bp = Blueprint("vendor", __name__)

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"

#: The files pages may load, by the short name templates use.
FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "twilio.min.js": "@twilio/voice-sdk/dist/twilio.min.js",
    "slugify.js": "slugify/slugify.js",
    "d3-array.min.js": "d3-array/dist/d3-array.min.js",
    "d3-geo.min.js": "d3-geo/dist/d3-geo.min.js",
    "topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
    #: Natural Earth's land at 1:50m (public domain), as TopoJSON: the marginals map's coastline.
    "land-50m.json": "world-atlas/land-50m.json",
}


@bp.get("/vendor/<name>")
@public
def asset(name: str) -> ResponseReturnValue:
    relative = FILES.get(name)
    if relative is None:
        abort(404)
    return send_from_directory(NODE_MODULES, relative, max_age=86_400)
