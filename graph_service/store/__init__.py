"""The engine boundary: the Store protocol, its embedded and remote implementations, builds."""

from graph_service.store.base import QueryAnswer, Store, StoreError
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.remote import RemoteStore, RemoteUnavailable

__all__ = [
    "EmbeddedStore",
    "QueryAnswer",
    "RemoteStore",
    "RemoteUnavailable",
    "Store",
    "StoreError",
]
