"""Curation pages, suggestions for indexing and the OpenRefine reconciliation service."""
