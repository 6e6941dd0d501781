"""Interface strings of the pages in French (the default) and English: a dict-based catalogue.

`translate(key, lang, **values)` fills `{name}` placeholders; a key missing from a language
falls back to French, then to the key itself (tests check that both languages have them all).
Content (labels, definitions) is not translated here: it comes from the data, in the content
language chosen with ?clang=.
"""

from __future__ import annotations

import importlib
import pkgutil

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
#: Language names written in their own language (for the selectors and facets).
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "de": "Deutsch", "es": "Español",
                  "it": "Italiano", "nl": "Nederlands", "pt": "Português"}  # fmt: skip

# fmt: off
CATALOGUE: dict[str, tuple[str, str]] = {
    # navigation and layout
    "nav.skip": ("Aller au contenu", "Skip to content"),
    "nav.main": ("Navigation principale", "Main navigation"),
    "nav.home": ("Accueil", "Home"),
    "nav.vocabularies": ("Vocabulaires", "Vocabularies"),
    "nav.search": ("Recherche", "Search"),
    "nav.ui_language": ("Langue de l’interface", "Interface language"),
    "nav.content_language": ("Langue des contenus", "Content language"),
    "nav.apply": ("Appliquer", "Apply"),
    # sign-in (accounts/login.html and the header)
    "login.title": ("Connexion", "Sign in"),
    "login.name": ("Nom", "Name"),
    "login.password": ("Mot de passe", "Password"),
    "login.submit": ("Se connecter", "Sign in"),
    "login.signed_in": ("Connecté : {name}", "Signed in: {name}"),
    "login.sign_out": ("Se déconnecter", "Sign out"),
    "login.wrong": ("Nom ou mot de passe incorrect.", "Wrong name or password."),
    "login.locked": ("Trop d’échecs de connexion : réessayez après {when} (dans {minutes} min).",
                     "Too many failed sign-ins: try again after {when} (in {minutes} min)."),
    "footer.licence": ("Vocabulaire de la politique de la ville — données sous Licence Ouverte",
                       "French urban policy vocabulary — data under the Licence Ouverte"),
    "footer.api": ("API REST", "REST API"),
    # home
    "home.title": ("Glossaire de la politique de la ville", "Urban policy glossary"),
    "home.lead": ("Un vocabulaire partagé de la participation citoyenne et de la politique de la "
                  "ville, et les ressources indexées avec lui.",
                  "A shared vocabulary of citizen participation and French urban policy, and the "
                  "resources indexed with it."),
    "home.vocabularies": ("Vocabulaires", "Vocabularies"),
    "home.concepts": ("concepts", "concepts"),
    "home.no_vocabulary": ("Aucun vocabulaire chargé.", "No vocabulary loaded."),
    "home.recent": ("Concepts récemment modifiés", "Recently changed concepts"),
    "home.no_recent": ("Aucun concept daté.", "No dated concept."),
    "home.latest": ("Dernières ressources", "Latest resources"),
    "home.no_resources": ("Aucune ressource.", "No resource."),
    # search
    "search.label": ("Rechercher", "Search"),
    "search.placeholder": ("ex. démocratie participative", "e.g. participatory democracy"),
    "search.submit": ("Rechercher", "Search"),
    "search.results_for": ("Résultats pour « {q} »", "Results for “{q}”"),
    "search.count": ("{count} résultat(s)", "{count} result(s)"),
    "search.count_capped": ("Plus de {count} résultats", "More than {count} results"),
    "search.did_you_mean": ("Vouliez-vous dire :", "Did you mean:"),
    "search.none": ("Aucun concept ne correspond.", "No concept matches."),
    "search.help": ("Les accents et les majuscules sont ignorés ; « * » remplace des lettres "
                    "(« partici* »).",
                    "Accents and case are ignored; “*” stands for letters (“partici*”)."),
    "search.matched_pref": ("libellé :", "label:"),
    "search.matched_alt": ("autre libellé :", "alternative label:"),
    "search.matched_hidden": ("libellé caché :", "hidden label:"),
    "search.facets": ("Affiner la recherche", "Refine the search"),
    "search.facet_vocab": ("Vocabulaire", "Vocabulary"),
    "search.facet_lang": ("Langue du libellé", "Label language"),
    "search.facet_type": ("Type", "Type"),
    "search.facet_all": ("Tous", "All"),
    # paging
    "pager.label": ("Pages", "Pages"),
    "pager.previous": ("← Précédent", "← Previous"),
    "pager.next": ("Suivant →", "Next →"),
    "pager.page": ("Page {page}", "Page {page}"),
    "pager.page_of": ("Page {page} sur {pages}", "Page {page} of {pages}"),
    # concept
    "concept.hierarchy": ("Fil d’Ariane", "Breadcrumbs"),
    "concept.fallback": ("Pas de libellé dans la langue choisie : affiché en {lang}.",
                         "No label in the chosen language: shown in {lang}."),
    "concept.deprecated": ("Concept obsolète.", "Deprecated concept."),
    "concept.replaced_by": ("Remplacé par", "Replaced by"),
    "concept.definition": ("Définition", "Definition"),
    "concept.pref_labels": ("Libellés préférés", "Preferred labels"),
    "concept.alt_labels": ("Autres libellés", "Alternative labels"),
    "concept.notation": ("Notation", "Notation"),
    "concept.scope_note": ("Note d’application", "Scope note"),
    "concept.example": ("Exemple", "Example"),
    "concept.note": ("Note", "Note"),
    "concept.history_note": ("Historique", "History note"),
    "concept.change_note": ("Modifications", "Change note"),
    "concept.broader": ("Concepts génériques", "Broader concepts"),
    "concept.narrower": ("Concepts spécifiques", "Narrower concepts"),
    "concept.related": ("Concepts associés", "Related concepts"),
    "concept.mappings": ("Alignements", "Mappings"),
    "concept.collections": ("Collections", "Collections"),
    "concept.see_also": ("Voir aussi", "See also"),
    "concept.scheme": ("Vocabulaire", "Vocabulary"),
    "concept.types": ("Type", "Type"),
    "concept.created": ("Créé le", "Created"),
    "concept.modified": ("Modifié le", "Modified"),
    "mapping.exactMatch": ("Équivalent exact", "Exact match"),
    "mapping.closeMatch": ("Équivalent proche", "Close match"),
    "mapping.broadMatch": ("Équivalent plus large", "Broader match"),
    "mapping.narrowMatch": ("Équivalent plus précis", "Narrower match"),
    "mapping.relatedMatch": ("Équivalent associé", "Related match"),
    # neighbourhood picture
    "picture.aside": ("Voisinage du concept", "Concept neighbourhood"),
    "picture.title": ("Voisinage de « {label} »", "Neighbourhood of “{label}”"),
    "picture.desc": ("{broader} générique(s), {narrower} spécifique(s), {related} associé(s)",
                     "{broader} broader, {narrower} narrower, {related} related"),
    "picture.caption": ("Génériques au-dessus, spécifiques en dessous, associés en pointillés.",
                        "Broader above, narrower below, related dashed."),
    "picture.broader": ("générique", "broader"),
    "picture.narrower": ("spécifique", "narrower"),
    "picture.related": ("associé", "related"),
    "picture.more": ("+ {count} autres", "+ {count} more"),
    # resources
    "resources.indexed": ("Ressources indexées", "Indexed resources"),
    "resources.scope": ("Étendue", "Scope"),
    "resources.only_this": ("Ce concept seulement", "This concept only"),
    "resources.with_narrower": ("Avec les concepts spécifiques", "With narrower concepts"),
    "resources.territories": ("Territoires", "Territories"),
    "resources.sample": ("Comptés sur les {count} premières ressources.",
                         "Counted over the first {count} resources."),
    "resources.filtered": ("Filtré sur « {name} ».", "Filtered on “{name}”."),
    "resources.remove_filter": ("Retirer le filtre", "Remove the filter"),
    "resources.none": ("Aucune ressource.", "No resource."),
    # territory
    "territory.children": ("Sous-territoires", "Sub-territories"),
    "territory.contrats": ("Contrats de ville", "City contracts"),
    "territory.pilot": ("piloté par", "led by"),
    "territory.via_epci": ("contrat de l’EPCI", "the EPCI’s contract"),
    "territory.resources": ("Ressources sur ce territoire et ses sous-territoires",
                            "Resources about this territory and its sub-territories"),
    # scheme and index
    "scheme.count": ("{count} concepts", "{count} concepts"),
    "scheme.languages": ("langues :", "languages:"),
    "scheme.tree": ("Hiérarchie", "Hierarchy"),
    "scheme.no_tops": ("Ce vocabulaire n’a pas de concept de tête.",
                       "This vocabulary has no top concept."),
    "scheme.more_tops": ("… et {count} autres concepts de tête : voir l’index alphabétique.",
                         "… and {count} more top concepts: see the alphabetical index."),
    "scheme.groups": ("Collections", "Collections"),
    "tree.toggle": ("Déplier ou replier « {label} »", "Expand or collapse “{label}”"),
    "index.title": ("Index alphabétique", "Alphabetical index"),
    "index.letters": ("Lettres de l’index", "Index letters"),
    "index.heading": ("Index alphabétique : {letter}", "Alphabetical index: {letter}"),
    "index.empty": ("Aucun libellé.", "No label."),
    # resource and other pages
    "resource.part_of": ("Fait partie de", "Part of"),
    "resource.description": ("Résumé", "Summary"),
    "resource.issued": ("Publié le", "Issued"),
    "resource.publisher": ("Éditeur", "Publisher"),
    "resource.creator": ("Auteur", "Creator"),
    "resource.language": ("Langue", "Language"),
    "resource.format": ("Format", "Format"),
    "resource.size": ("Taille", "Size"),
    "resource.subjects": ("Sujets", "Subjects"),
    "resource.territories": ("Territoires", "Territories"),
    "resource.source": ("Source", "Source"),
    "resource.download": ("Téléchargement", "Download"),
    "resource.download_file": ("Télécharger", "Download"),
    "resource.references": ("Références", "References"),
    "resource.toc": ("Sommaire", "Table of contents"),
    "resource.parts": ("Pièces jointes", "Attachments"),
    # history of changes (the journal) and the changes page of a vocabulary
    "history.title": ("Historique des modifications", "Change history"),
    "history.title_of": ("Historique de « {label} »", "History of “{label}”"),
    "history.latest": ("Dernières modifications", "Latest changes"),
    "history.none": ("Aucune modification enregistrée.", "No recorded change."),
    "history.link": ("Historique des modifications", "Change history"),
    "history.modified_on": ("Modifié le", "Modified on"),
    "history.by": ("par", "by"),
    "history.at": ("à", "at"),
    "history.change": ("Modification {id}", "Change {id}"),
    "history.added": ("Ajouté", "Added"),
    "history.removed": ("Retiré", "Removed"),
    "history.more": ("… et {count} autres triplets.", "… and {count} more triples."),
    "history.in_graph": ("dans le graphe", "in graph"),
    "history.feed": ("Flux Atom des modifications", "Atom feed of changes"),
    "history.feed_title": ("Modifications des données", "Changes to the data"),
    "history.feed_title_of": ("Modifications de « {title} »", "Changes to “{title}”"),
    "history.all": ("Toutes les modifications", "All changes"),
    "changes.title": ("Nouveautés et modifications", "New and modified concepts"),
    "changes.title_of": ("Nouveautés et modifications : {title}",
                         "New and modified concepts: {title}"),
    "changes.new": ("nouveau", "new"),
    "changes.modified": ("modifié", "modified"),
    "changes.deprecated": ("obsolète", "deprecated"),
    "changes.none": ("Aucun concept daté dans ce vocabulaire.",
                     "No dated concept in this vocabulary."),
    "collection.members": ("Membres", "Members"),
    "data.formats": ("Formats de données", "Data formats"),
    "data.download": ("Données :", "Data:"),
    # background jobs (curation/job.html)
    "jobs.kind.import": ("Import d’un vocabulaire", "Vocabulary import"),
    "jobs.job": ("Tâche", "Job"),
    "jobs.state": ("État", "State"),
    "jobs.step": ("Étape", "Step"),
    "jobs.progress": ("Avancement", "Progress"),
    "jobs.started": ("Commencée", "Started"),
    "jobs.finished": ("Terminée", "Finished"),
    "jobs.refresh": ("Cette page se met à jour toute seule jusqu’à la fin de la tâche.",
                     "This page refreshes itself until the job is over."),
    "jobs.state.queued": ("en attente", "queued"),
    "jobs.state.running": ("en cours", "running"),
    "jobs.state.done": ("terminée", "done"),
    "jobs.state.failed": ("échouée", "failed"),
    "jobs.step.queued": ("en attente", "queued"),
    "jobs.step.starting": ("démarrage", "starting"),
    "jobs.step.fetching": ("téléchargement", "fetching"),
    "jobs.step.reading": ("lecture", "reading"),
    "jobs.step.parsing": ("analyse du RDF", "parsing"),
    "jobs.step.cleaning": ("nettoyage (skosify)", "cleaning (skosify)"),
    "jobs.step.validating": ("validation", "validating"),
    "jobs.step.loading": ("chargement et journal", "loading and journalling"),
    "jobs.step.indexing": ("index de recherche", "search index"),
    "jobs.step.done": ("terminé", "done"),
    "jobs.failed": ("L’import a échoué, rien n’a été chargé.",
                    "The import failed, nothing was loaded."),
    "jobs.done": ("Vocabulaire {vocab_id} chargé : {triples} triplets dans {graph}.",
                  "Vocabulary {vocab_id} loaded: {triples} triples into {graph}."),
    "jobs.skosify": ("skosify : {added} triplets ajoutés, {removed} retirés.",
                     "skosify: {added} triples added, {removed} removed."),
    "jobs.warnings": ("Avertissements ({count}) :", "Warnings ({count}):"),
    "jobs.another": ("Importer un autre vocabulaire", "Import another vocabulary"),
    "jobs.json": ("État en JSON", "Status as JSON"),
}
# fmt: on


def _merge_feature_strings() -> None:
    """Add every web/strings/<feature>.py's STRINGS to the catalogue (a key defined twice is a
    mistake that would silently change a page: refused at import)."""
    from graph_service.web import strings

    for module_info in sorted(pkgutil.iter_modules(strings.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{strings.__name__}.{module_info.name}")
        entries: dict[str, tuple[str, str]] = module.STRINGS
        twice = sorted(set(entries) & set(CATALOGUE))
        if twice:
            raise RuntimeError(f"interface strings defined twice: {twice}")
        CATALOGUE.update(entries)


_merge_feature_strings()


def translate(key: str, lang: str, /, **values: object) -> str:
    """The interface string `key` in `lang` (French if missing), placeholders filled."""
    pair = CATALOGUE.get(key)
    if pair is None:
        return key
    text = pair[LANGUAGES.index(lang)] if lang in LANGUAGES else pair[0]
    return text.format(**values) if values else text


def language_name(code: str) -> str:
    """A language's own name ("Français", "English"), else its code."""
    return LANGUAGE_NAMES.get(code.lower(), code) if code else "—"
