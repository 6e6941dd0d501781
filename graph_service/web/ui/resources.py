"""The list of resources (/resources): facets by type, theme, territory and year, paged.

Filters are query parameters (`type`, `theme`, `territory`: IRIs; `year`: four digits; `page`),
so that every filtered list has its own URL, cached and shared like any page.
"""

from __future__ import annotations

import re

from flask import render_template, request
from flask.typing import ResponseReturnValue

from graph_service.model.resource_list import ResourceFilters, list_resources
from graph_service.model.vocab import licence_of
from graph_service.web.backend import get_store
from graph_service.web.params import BadParameter, int_arg, iri_arg
from graph_service.web.ui.links import MAX_PAGE, content_language, ui_language
from graph_service.web.ui.views import bp

#: Resources per page of the list.
PER_PAGE = 20
_YEAR = re.compile(r"[0-9]{4}")


def _year_arg() -> str | None:
    """The `year` parameter: four digits, or None; 400 for anything else."""
    raw = (request.args.get("year") or "").strip()
    if not raw:
        return None
    if not _YEAR.fullmatch(raw):
        raise BadParameter(f"invalid year parameter {raw!r}: use four digits, such as 2023")
    return raw


@bp.get("/resources")
def resources() -> ResponseReturnValue:
    """Every resource, newest first, narrowed by the facets chosen."""
    store = get_store()
    clang = content_language()
    filters = ResourceFilters(
        type=iri_arg("type"), theme=iri_arg("theme"), territory=iri_arg("territory"),
        year=_year_arg(),
    )  # fmt: skip
    page = int_arg("page", 1, minimum=1, maximum=MAX_PAGE)
    listing = list_resources(store, filters, clang, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template(
        "ui/resources.html",
        listing=listing,
        filters=filters,
        page=page,
        lang=ui_language(),
        licence=licence_of(store, None, clang),
    )
