"""The model: SKOS and resource questions asked of a store, answered with frozen dataclasses."""
