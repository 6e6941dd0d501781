"""HTML pages for people: the home page (more pages come with the browsing UI)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from .backend import get_store
from .skos import list_schemes

bp = Blueprint("ui", __name__)

UI_LANGUAGES = ("fr", "en")


def ui_language() -> str:
    """The interface language: ?lang= if supported, else French."""
    lang = request.args.get("lang", "fr")
    return lang if lang in UI_LANGUAGES else "fr"


@bp.get("/")
def home() -> ResponseReturnValue:
    """The schemes of the service with their concept counts."""
    lang = ui_language()
    schemes = list_schemes(get_store(), lang)
    return render_template("home.html", schemes=schemes, lang=lang)
