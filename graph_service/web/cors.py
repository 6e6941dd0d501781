"""CORS in one place: which answers scripts of any site may read, and the preflight answers.

The data are public, and writes are guarded by the update token rather than by the origin:
reads are open to every origin, credentials are never asked for.
"""

from __future__ import annotations

from flask import Blueprint, Response

ALLOW_ORIGIN = "Access-Control-Allow-Origin"
#: The header of an answer any origin may read, for the WSGI layers that build headers alone.
ANY_ORIGIN = (ALLOW_ORIGIN, "*")
#: How long a browser may keep a preflight answer, in seconds.
PREFLIGHT_MAX_AGE = "86400"


def allow_any_origin(response: Response) -> Response:
    """Let scripts of any site read this answer."""
    response.headers[ALLOW_ORIGIN] = "*"
    return response


def allow_preflight(response: Response, methods: str, headers: str) -> Response:
    """Answer a preflight (OPTIONS) request: any origin, these methods and request headers."""
    response.headers.update(
        {
            ALLOW_ORIGIN: "*",
            "Access-Control-Allow-Methods": methods,
            "Access-Control-Allow-Headers": headers,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
    )
    return response


def open_to_any_origin(blueprint: Blueprint) -> None:
    """Every answer of a blueprint readable by scripts of any site."""
    blueprint.after_request(allow_any_origin)
