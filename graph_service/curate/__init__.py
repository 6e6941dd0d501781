"""Curation of the vocabulary: validation, quality reports, import/export and history."""
