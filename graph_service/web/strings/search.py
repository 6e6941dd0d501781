"""Interface strings of site search: resources among concepts, old terms, corrections."""

# fmt: off
STRINGS: dict[str, tuple[str, str]] = {
    "search.facet_kind": ("Nature", "Kind"),
    "search.kind_concept": ("Concepts", "Concepts"),
    "search.kind_resource": ("Ressources", "Resources"),
    "search.resource": ("Ressource", "Resource"),
    "search.untagged": ("Sans langue", "No language"),
    "search.none_at_all": ("Aucun concept ni aucune ressource ne correspond.",
                           "No concept and no resource matches."),
    "search.replaced_by": ("remplacé par", "replaced by"),
    "search.obsolete": ("concept obsolète", "deprecated concept"),
    "search.corrected": ("Résultats pour « {q} »", "Results for “{q}”"),
    "search.instead_of": ("Aucun résultat pour « {q} ».", "No result for “{q}”."),
    "search.search_instead": ("Rechercher « {q} »", "Search for “{q}”"),
    "search.correction": ("orthographe corrigée", "spelling corrected"),
}
