"""What an edit made in a form or through the JSON API would do: its patch, its problems.

The editors (concepts, resources) each turn a draft into an EditPlan computed on the store as
it is; the web shows the plan as a preview, refuses it with its problems next to the fields,
or commits its patch. A plan carries the state token (`base`) of the resource it was made
from, so that a form saved after someone else changed that resource is refused (409).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import URIRef
from rdflib.term import Node

from graph_service.store import Store
from graph_service.store.patches import Patch

#: The form field a problem about the whole edit is filed under.
WHOLE_FORM = ""


@dataclass(frozen=True)
class FieldProblem:
    """One reason an edit is refused (error) or worth a second look (warning), filed under the
    form field it is about: "prefLabel.fr", "altLabel.en", "broader", "related", ... or ""."""

    field: str
    message: str
    severity: str = "error"

    def as_dict(self) -> dict[str, str]:
        """The problem as JSON (the API's 422 answer lists these)."""
        return {"field": self.field, "message": self.message, "severity": self.severity}


@dataclass(frozen=True)
class EditPlan:
    """An edit computed on the store: what it would write, and why it may not.

    `kind` names the operation ("concept.create", "concept.update", "concept.deprecate",
    "concept.merge", "resource.create", "resource.update"); `target` the IRI created or
    changed; `base` the target's state token when the plan was made ("" for a creation);
    `message` the journal message a commit of it records.
    """

    kind: str
    target: str
    patch: Patch
    base: str = ""
    message: str = ""
    problems: tuple[FieldProblem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """Whether nothing stops the edit (warnings do not)."""
        return not any(p.severity == "error" for p in self.problems)

    def problems_of(self, field_name: str) -> list[FieldProblem]:
        """The problems filed under one form field."""
        return [p for p in self.problems if p.field == field_name]


_ABOUT = """
SELECT ?p ?o ?g WHERE { { $s ?p ?o } UNION { GRAPH ?g { $s ?p ?o } } }
"""


def state_token(store: Store, iri: str) -> str:
    """A digest of every quad whose subject is `iri` (in any graph): it changes whenever the
    resource does, so a form keeps it to detect that it was edited meanwhile (an ETag)."""
    rows = store.select(_ABOUT, {"s": URIRef(iri)}, union=False)
    # A remote store's default graph is the union of its graphs: its echo of a named graph's
    # statement is left out, so that a token is the same whoever read the statements.
    named = {(row["p"], row["o"]) for row in rows if row.get("g") is not None}
    return token_of(
        (row["p"], row["o"], row.get("g"))
        for row in rows
        if row.get("g") is not None or (row["p"], row["o"]) not in named
    )


def token_of(statements: Iterable[tuple[Node, Node, Node | None]]) -> str:
    """The state token of a resource from its (predicate, object, graph or None) statements, for
    code that has read them already: a draft and its token then come from one and the same read."""
    rows = sorted(f"{p.n3()} {o.n3()} {g.n3() if g is not None else ''}" for p, o, g in statements)
    digest = hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()
    return digest[:32]


class Planner(Protocol):
    """Plans an action dict on the store, its problems said in `lang` ("fr" or English)."""

    def __call__(
        self, store: Store, action: Mapping[str, object], *, lang: str = "en"
    ) -> EditPlan: ...
