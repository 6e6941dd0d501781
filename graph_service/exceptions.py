"""Errors that carry a message fit for users; each is also a ClickException for the CLI."""

from __future__ import annotations

import click


class GraphServiceError(click.ClickException):
    """Base of the errors this service reports to people (CLI exit code 1, HTTP 4xx)."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class NotFound(GraphServiceError):
    """The asked-for IRI, vocabulary or graph is not in the store."""

    status = 404


class Forbidden(GraphServiceError):
    """A write without the right update token."""

    status = 403


class Conflict(GraphServiceError):
    """A write based on a state of the data that has changed since (a stale form)."""

    status = 409


class ServedByWriter(GraphServiceError):
    """A reader process was asked for something only the writing process keeps (the search
    index): the reader hands the request over to the writer instead of answering."""

    status = 503
