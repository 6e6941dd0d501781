"""Query parameters, each kind parsed by one rule: whole numbers, language tags, IRIs, JSONP
callbacks, and JSON (in a parameter or the body).

A malformed value raises BadParameter, a GraphServiceError (400): each blueprint's error
handler words the answer its own way (plain text for the REST API, a page for people, JSON for
the cards' API), but the rule that accepts or refuses a value is the same everywhere.
"""

from __future__ import annotations

import json
import re
from typing import overload

from flask import current_app, request

from graph_service.config import DEFAULT_MAX_NESTING
from graph_service.exceptions import GraphServiceError
from graph_service.namespaces import valid_iri
from graph_service.store.nesting import TooDeep, check_json

#: A language tag as RFC 5646 shapes it: letters, then subtags of letters and digits.
_LANG_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
#: A whole number in ASCII digits; fifteen of them are more than any page, limit or offset,
#: and stay far below the 64-bit integers of SQLite (the search index) and the engine.
_WHOLE = re.compile(r"[0-9]{1,15}")
#: A JSONP callback: a dotted JavaScript identifier in ASCII (nothing a script could abuse).
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*", re.ASCII)
MAX_CALLBACK = 128
#: What is trimmed around a value: spaces and tabs, which a hand-typed URL may carry (and
#: which /openapi.json's patterns allow); other white space makes a value malformed.
BLANKS = " \t"


class BadParameter(GraphServiceError):
    """A query parameter that cannot be used (400); the message names it and says why."""


def language_tag(value: str | None) -> str | None:
    """A well-formed language tag, lower-cased; None for a missing, blank or malformed one."""
    value = (value or "").strip()
    return value.lower() if _LANG_TAG.fullmatch(value) else None


def jsonp_callback(name: str) -> bool:
    """Whether a JSONP callback name is acceptable: a dotted identifier, not too long."""
    return len(name) <= MAX_CALLBACK and _CALLBACK.fullmatch(name) is not None


def lang_arg(name: str = "lang", *, required: bool = False) -> str | None:
    """A language tag parameter (lower-cased), or None when absent; 400 when malformed, or
    when missing and required."""
    raw = (request.args.get(name) or "").strip(BLANKS)
    if not raw:
        if required:
            raise BadParameter(f"{name} parameter missing")
        return None
    tag = language_tag(raw)
    if tag is None:
        raise BadParameter(f"invalid {name} parameter {raw!r}: use a language tag such as fr or en")
    return tag


def iri_arg(name: str = "uri", *, required: bool = False, blank: bool = True) -> str | None:
    """An absolute IRI parameter (checked before it is bound in a query), or None when absent;
    400 when malformed, or when missing and required, or when given empty and not `blank`
    (the REST API declares its IRIs as URIs, which an empty value is not)."""
    raw = request.args.get(name)
    value = (raw or "").strip(BLANKS)
    if not value:
        if required:
            raise BadParameter(f"{name} parameter missing")
        if raw is not None and not blank:
            raise BadParameter(f"{name} parameter is empty: give an IRI, or leave it out")
        return None
    if not valid_iri(value):
        raise BadParameter(f"{name} parameter is not a valid IRI: {value!r}")
    return value


@overload
def int_arg(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int: ...


@overload
def int_arg(
    name: str, default: None, *, minimum: int = 0, maximum: int | None = None
) -> int | None: ...


def int_arg(
    name: str, default: int | None, *, minimum: int = 0, maximum: int | None = None
) -> int | None:
    """A whole-number parameter, `default` when absent; 400 when malformed or below `minimum`.
    A value above `maximum` is taken as the maximum (clients asking for more get the most)."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    if not _WHOLE.fullmatch(raw) or int(raw) < minimum:
        raise BadParameter(f"{name} must be a whole number of at least {minimum}, not {raw!r}")
    value = int(raw)
    return value if maximum is None else min(value, maximum)


def max_nesting() -> int:
    """The deepest nesting this service accepts in queries and documents (MAX_NESTING)."""
    return int(current_app.config.get("MAX_NESTING", DEFAULT_MAX_NESTING))


def json_value(text: str | bytes, what: str) -> object:
    """JSON sent by a client, parsed under the nesting limit (Python's parser recurses: a few
    thousand `[` overflowed it); BadParameter (400) naming `what` when malformed or too deep."""
    try:
        check_json(text, max_nesting(), what)
        return json.loads(text)
    except TooDeep as exc:
        raise BadParameter(exc.message) from None
    except json.JSONDecodeError as exc:
        raise BadParameter(f"{what} is not valid JSON: {exc.msg}") from None
    except (ValueError, RecursionError):  # undecodable bytes; nesting was refused above
        raise BadParameter(f"{what} is not valid JSON") from None


def json_body(what: str = "the body") -> object | None:
    """The request's JSON body parsed under the nesting limit; None when it is not declared as
    JSON; BadParameter (400) when it is malformed or too deep."""
    if not request.is_json:
        return None
    return json_value(request.get_data(cache=True), what)
