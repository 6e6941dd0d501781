"""Headings of the groups of a territory's children (a département: its EPCI, its communes)."""

STRINGS: dict[str, tuple[str, str]] = {
    "territory.group.Region": ("Régions", "Regions"),
    "territory.group.Departement": ("Départements", "Départements"),
    "territory.group.EPCI": ("Intercommunalités (EPCI)", "Inter-municipal bodies (EPCI)"),
    "territory.group.Commune": ("Communes", "Communes"),
    "territory.group.QuartierPrioritaire": ("Quartiers prioritaires", "Priority neighbourhoods"),
    "territory.group.ContratDeVille": ("Contrats de ville", "City contracts"),
}
