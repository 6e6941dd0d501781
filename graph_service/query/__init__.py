"""Running /sparql queries under time and row limits, in killable worker processes."""
