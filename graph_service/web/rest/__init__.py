"""The Skosmos-compatible REST API at /rest/v1."""
