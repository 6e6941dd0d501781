"""One Config for the whole service, read from GRAPH_SERVICE_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from graph_service.namespaces import BASE

#: The repository root when running from a checkout (vocab/ and shapes/ live there).
PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: The package's own files: templates and static assets (embed.js, style.css).
PACKAGE_DIR = Path(__file__).resolve().parent

ENV_PREFIX = "GRAPH_SERVICE_"
#: Real queries and documents nest a dozen levels; the engine's parsers crash past thousands.
DEFAULT_MAX_NESTING = 200


@dataclass
class Config:
    """Settings of one service instance; every field maps to GRAPH_SERVICE_<NAME>."""

    #: Where persistent stores are built and the `current` pointer lives.
    data_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    #: The Turtle sources of truth.
    vocab_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "vocab")
    #: SHACL shapes that the vocabulary must satisfy.
    shapes_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "shapes")
    #: The IRI namespace of the vocabulary.
    namespace: str = BASE
    #: Public base URL the service is reached at ("" = relative links only). When it equals
    #: the namespace, the vocabulary IRIs themselves dereference.
    public_base: str = ""
    #: Bearer token that enables writes; writes are refused while it is empty.
    update_token: str = ""
    #: Key signing the sign-in session cookie; empty = one generated in DATA_DIR/secret_key.
    secret_key: str = ""
    #: Seconds a SPARQL query may run before it is stopped.
    query_timeout: float = 10.0
    #: Longest accepted query or update text, in characters.
    max_query_length: int = 100_000
    #: Largest request body, in bytes, of forms and JSON APIs (and of /sparql, with room for
    #: MAX_QUERY_LENGTH characters): a larger one is refused with 413 before it is read.
    max_body_bytes: int = 1_000_000
    #: Largest upload, in bytes: Graph Store PUT and POST bodies, files sent to /curation/import.
    max_upload_bytes: int = 50 * 1024 * 1024
    #: Most rows a SELECT answer may hold.
    max_result_rows: int = 100_000
    #: Deepest nesting accepted in a query or update (brackets), an RDF document (brackets,
    #: JSON-LD objects, RDF/XML elements) or a JSON body: deeper input crashed the parsers.
    max_nesting: int = DEFAULT_MAX_NESTING
    #: Worker processes that run /sparql queries (each can be killed at the time limit).
    query_workers: int = 2
    #: /sparql queries one client address may run at once (0: one less than QUERY_WORKERS,
    #: at least 1); more are answered 429 with Retry-After.
    queries_per_client: int = 0
    #: Seconds (wall clock) a reconciliation batch or a suggestion may compute in the serving
    #: process (0: no limit).
    compute_time_limit: float = 5.0
    #: Most queries in one reconciliation batch.
    reconcile_max_queries: int = 100
    #: Reconciliation requests (a query or a batch) one client address may have computing at
    #: once (0: no limit); more are answered 429 with Retry-After.
    reconcile_per_client: int = 2
    #: Most quads one change made through HTTP (update, Graph Store, form) may add and remove
    #: together; more is refused with 413 (0: no limit). The command line has none.
    max_change_quads: int = 500_000
    #: Seconds a write through HTTP may wait for the write lock; past it, 503 (0: no limit).
    write_lock_wait: float = 30.0
    #: Remote SPARQL 1.1 query endpoint; empty = embedded pyoxigraph store.
    sparql_endpoint: str = ""
    #: Remote SPARQL 1.1 update endpoint (defaults to the query endpoint).
    sparql_update_endpoint: str = ""
    #: Basic-auth credentials for the remote endpoint, "user:password".
    sparql_credentials: str = ""
    #: The remote server's dialect: "" for any SPARQL 1.1 server (Oxigraph, Fuseki), or
    #: "virtuoso" (update endpoint /sparql-auth with digest authentication by default).
    sparql_dialect: str = ""
    #: Bytes of memory for whole GET responses, reused until the next write (0 = off).
    response_cache_bytes: int = 128 * 1024 * 1024
    #: Threads of the production server.
    threads: int = 8
    #: Reader processes answering reads (pages, REST, SPARQL queries) on read-only handles of
    #: the embedded store, beside the one process that writes (0: one process serves all).
    #: Several processes use several cores; each keeps its own caches (see "Serving").
    readers: int = 0
    #: One line per request on stdout from the production server (method, path, status, ms).
    access_log: bool = True
    #: Allow fetching URLs on private and loopback addresses (imports, ingest).
    allow_private_urls: bool = False
    #: SPARQL endpoints that SERVICE may call, separated by spaces or commas ("" = none:
    #: federation is off and a query or update with SERVICE is refused).
    federation_allow: str = ""
    #: Reverse proxies in front of the service whose X-Forwarded-For/-Proto/-Host headers are
    #: believed (0 = none: those headers are ignored, the client address is the TCP peer's).
    trusted_proxies: int = 0
    #: The site's name in the header, titles and footer of the pages (French interface).
    site_name: str = "Glossaire de la politique de la ville"
    #: The site's name in the English interface ("" = SITE_NAME).
    site_name_en: str = "Urban policy glossary"
    #: Logo shown before the site's name in the header ("" = none): a path on this site
    #: (/static/logo.svg) or a data: URL, the images the pages' Content-Security-Policy allows.
    site_logo: str = ""
    #: Compute the expensive per-version answers (counts, statistics, groups, search index) in a
    #: background thread after a start and after every write, before visitors ask for them.
    warm_up: bool = True
    #: Render every scheme and concept page of each data version ahead, in a background thread
    #: of the process that owns the embedded store, into a file of DATA_DIR that every serving
    #: process answers those pages from (web/prerender). Needs PUBLIC_BASE when the server
    #: listens on 0.0.0.0 (the pages' links name the host they are served on).
    prerender_pages: bool = True

    def __post_init__(self) -> None:
        check_update_token(self.update_token)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """Build a Config from GRAPH_SERVICE_* variables, ignoring unset ones."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}  # each converted to its field's type by _convert
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, raw, cls.__dataclass_fields__[f.name].type)
        return cls(**values)

    def as_flask_config(self) -> dict[str, object]:
        """Return the settings as upper-case Flask config keys."""
        return {f.name.upper(): getattr(self, f.name) for f in fields(self)}


def check_update_token(token: str) -> None:
    """Refuse a whitespace-only update token: it would enable writes for anyone typing a space."""
    if token and not token.strip():
        raise ValueError(
            f"{ENV_PREFIX}UPDATE_TOKEN is only whitespace: set a long random token to allow "
            "writes, or leave it unset to refuse them"
        )


def _convert(name: str, raw: str, type_name: object) -> object:
    """Convert one environment string to the field's type, with a readable error."""
    kind = str(type_name)
    try:
        if kind == "Path":
            return Path(raw).expanduser().resolve()
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            return raw.strip().lower() in {"1", "true", "yes", "on"}
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind}") from exc
    return raw
