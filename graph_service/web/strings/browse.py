"""Interface strings of the browsing pages: the resource list and its facets, the site-wide
search box, the hierarchy sidebar, licences, property names and territory wording."""

# fmt: off
STRINGS: dict[str, tuple[str, str]] = {
    # header and footer
    "browse.nav_resources": ("Ressources", "Resources"),
    "browse.site_search": ("Rechercher dans le site", "Search the site"),
    "browse.site_search_placeholder": ("Concept, ressource…", "Concept, resource…"),
    "browse.footer_data": ("Données sous licence", "Data under the licence"),
    "browse.footer_licence": ("données sous licence", "data under the licence"),
    # the resource list
    "browse.resources_title": ("Ressources", "Resources"),
    "browse.resources_lead": ("Actualités, guides, rapports et autres documents indexés avec "
                              "le vocabulaire, les plus récents d’abord.",
                              "News, guides, reports and other documents indexed with the "
                              "vocabulary, newest first."),
    "browse.facets": ("Filtrer les ressources", "Filter the resources"),
    "browse.filters": ("Filtres choisis", "Chosen filters"),
    "browse.filter_label": ("{name} :", "{name}:"),
    "browse.remove": ("retirer", "remove"),
    "browse.remove_all": ("Retirer tous les filtres", "Remove every filter"),
    "browse.facet_type": ("Type", "Type"),
    "browse.facet_theme": ("Thématique", "Theme"),
    "browse.facet_territory": ("Territoire", "Territory"),
    "browse.facet_year": ("Année", "Year"),
    "browse.all_resources": ("Toutes les ressources", "All resources"),
    "browse.type_resources": ("Ressources de ce type", "Resources of this type"),
    "browse.all_of_type": ("Parcourir ces ressources avec des filtres",
                           "Browse these resources with filters"),
    # where a concept sits (the sidebar of concept pages)
    "place.title": ("Place dans la hiérarchie", "Place in the hierarchy"),
    "place.siblings": ("{count} autres au même niveau", "{count} others at the same level"),
    "place.more_siblings": ("et {count} autres", "and {count} more"),
    "place.more_children": ("et {count} autres", "and {count} more"),
}
