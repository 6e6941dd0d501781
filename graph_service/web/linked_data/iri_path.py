"""The path converter of the IRI catch-all route: any path except those other routes own."""

from __future__ import annotations

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, MapAdapter, PathConverter, ValidationError


class IriPathConverter(PathConverter):
    """A path, refused when a route that does not answer GET owns it (POST /reconcile/match).

    Werkzeug takes the first rule that matches both path and method; a rule matching the path
    only adds its methods to the 405's list. So a GET on a POST-only path would reach the
    catch-all and be taken for an IRI (a 404). Refused here, the catch-all does not match, and
    Werkzeug answers 405 itself, with Allow from the rules of the path in the URL map.
    """

    #: The routes without GET, copied into a map of their own on first use (by the first
    #: request, Flask has every route and refuses new ones), and the first segments of their
    #: paths (None when one starts with a variable).
    _owned: tuple[MapAdapter, frozenset[str] | None] | None = None

    def to_python(self, value: str) -> str:
        """The path as it is, unless another route owns it."""
        if self._is_owned(value):
            raise ValidationError()
        return value

    def _is_owned(self, value: str) -> bool:
        if self._owned is None:
            # Only these can be shadowed: a route answering GET on the path matches before
            # the catch-all, which Werkzeug tries after every static part.
            rules = [
                rule.empty()
                for rule in self.map.iter_rules()
                if rule.methods is not None and "GET" not in rule.methods
            ]
            segments = {rule.rule.split("/", 2)[1] for rule in rules}
            self._owned = (
                Map(rules, converters=self.map.converters).bind("localhost"),
                None if any("<" in segment for segment in segments) else frozenset(segments),
            )
        owned, firsts = self._owned
        if firsts is not None and value.split("/", 1)[0] not in firsts:
            return False  # an IRI page's usual path (/notions/...): no match to run
        try:
            owned.match("/" + value, method="GET")
        except MethodNotAllowed:
            return True  # the path is a route's, for other methods
        except HTTPException:  # no route has it (or only with another slash): an IRI path
            return False
        return True  # not reached: none of these routes answers GET
