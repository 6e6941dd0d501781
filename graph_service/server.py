"""Production serving: gunicorn with one process and a pool of threads around the app."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class GraphServiceServer(BaseApplication):
    """Gunicorn with one worker process: it alone opens the store read-write (one-writer rule)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        # The app (and so the store) is created in the worker, after the fork: RocksDB handles
        # must not cross a fork.
        from . import create_app

        return create_app()


def serve(host: str, port: int, threads: int, timeout: float) -> None:
    """Serve the app on host:port until interrupted; HUP reloads onto the latest build."""
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        # A worker silent for this long is restarted; queries have their own, shorter timeout.
        "timeout": max(30, int(timeout * 3)),
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
    }
    GraphServiceServer(options).run()
