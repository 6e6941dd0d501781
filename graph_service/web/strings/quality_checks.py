"""The quality report's check titles and descriptions in French and English (the checks name
themselves in English in curate/quality*.py, for the command line and the JSON report)."""

# fmt: off
_CHECKS: dict[str, tuple[str, str, str, str]] = {
    # id: (French title, French description, English title, English description)
    "omitted-or-invalid-language-tags": (
        "Étiquettes de langue absentes ou invalides",
        "Les libellés et notes des concepts, schémas et collections doivent porter une étiquette de langue.",
        "Omitted or invalid language tags",
        "Labels and notes of concepts, schemes and collections should carry a language tag."),
    "undocumented-concepts": (
        "Concepts non documentés",
        "Concepts sans définition, note d’application ni autre note.",
        "Undocumented concepts", "Concepts without any definition, scope note or other note."),
    "orphan-concepts": (
        "Concepts orphelins",
        "Concepts sans aucune relation hiérarchique ou associative.",
        "Orphan concepts", "Concepts with no hierarchical or associative relation at all."),
    "valueless-associative-relations": (
        "Relations associatives sans apport",
        "Des concepts frères (même générique) aussi liés par skos:related : le lien n’apprend rien.",
        "Valueless associative relations",
        "Siblings (same broader concept) also linked by skos:related add no information."),
    "solely-transitively-related": (
        "Concepts liés seulement transitivement",
        "broaderTransitive/narrowerTransitive déclarés sans le broader/narrower direct.",
        "Solely transitively related concepts",
        "broaderTransitive/narrowerTransitive stated without the direct broader/narrower."),
    "unidirectionally-related": (
        "Relations déclarées dans un seul sens",
        "broader sans le narrower inverse (ou l’inverse), related déclaré dans un seul sens.",
        "Unidirectionally related concepts",
        "broader without the inverse narrower (or the reverse), related stated one way only."),
    "reflexively-related": (
        "Concepts liés à eux-mêmes",
        "Un concept qui est son propre générique, spécifique ou associé.",
        "Reflexively related concepts",
        "A concept that is its own broader, narrower or related concept."),
    "hierarchical-redundancy": (
        "Redondance hiérarchique",
        "Un lien générique déjà impliqué par un chemin plus long dans la hiérarchie.",
        "Hierarchical redundancy",
        "A broader link already implied by a longer path through the hierarchy."),
    "missing-labels": (
        "Libellés manquants",
        "Concepts et schémas sans libellé préféré (un schéma peut utiliser dct:title ou rdfs:label).",
        "Missing labels",
        "Concepts and schemes without a preferred label (schemes may use dct:title or rdfs:label)."),
    "inconsistent-preferred-labels": (
        "Libellés préférés incohérents",
        "Plus d’un skos:prefLabel dans la même langue.",
        "Inconsistent preferred labels", "More than one skos:prefLabel in the same language."),
    "disjoint-labels-violation": (
        "Libellés non disjoints",
        "Le même texte sert de libellé préféré, alternatif ou caché d’un même concept.",
        "Disjoint labels violation",
        "The same text is used as preferred, alternative or hidden label of one concept."),
    "ambiguous-notations": (
        "Notations ambiguës",
        "Deux concepts d’un schéma partagent une notation, ou un concept a plusieurs notations.",
        "Ambiguous notations",
        "Two concepts of one scheme sharing a notation, or a concept with several notations."),
    "mapping-relations-misuse": (
        "Alignements mal employés",
        "Des alignements (exactMatch, closeMatch…) entre concepts d’un même schéma.",
        "Mapping relations misuse",
        "Mapping relations (exactMatch, closeMatch...) between concepts of the same scheme."),
    "omitted-top-concepts": (
        "Concepts de tête absents",
        "Schémas de concepts sans aucun concept de tête.",
        "Omitted top concepts", "Concept schemes without any top concept."),
    "top-concepts-having-broader-concepts": (
        "Concepts de tête ayant un générique",
        "Un concept de tête d’un schéma qui a aussi un générique dans ce schéma.",
        "Top concepts having broader concepts",
        "A top concept of a scheme that also has a broader concept in that scheme."),
    "relation-clashes": (
        "Conflit entre relations associatives et hiérarchiques",
        "skos:related entre des concepts liés hiérarchiquement (SKOS S27).",
        "Associative vs. hierarchical relation clashes",
        "skos:related between concepts that are hierarchically related (SKOS S27)."),
    "mapping-clashes": (
        "Conflit entre alignements exacts et associatifs ou hiérarchiques",
        "exactMatch avec broadMatch, narrowMatch ou relatedMatch vers un même concept (SKOS S46).",
        "Exact vs. associative and hierarchical mapping clashes",
        "exactMatch together with broadMatch, narrowMatch or relatedMatch to one concept (SKOS S46)."),
    "undefined-skos-resources": (
        "Termes SKOS non définis",
        "Des termes de l’espace de noms SKOS que SKOS ne définit pas (fautes de frappe, brouillons).",
        "Undefined SKOS resources",
        "Terms of the SKOS namespace that SKOS does not define (misspellings, SKOS drafts)."),
    "http-uri-scheme-violation": (
        "IRI hors du schéma HTTP",
        "Les concepts et schémas doivent être identifiés par des IRI http(s).",
        "HTTP URI scheme violation", "Concepts and schemes should be identified by http(s) IRIs."),
    "cyclic-hierarchical-relations": (
        "Cycles hiérarchiques",
        "Des concepts qui sont leurs propres ancêtres par broader/narrower.",
        "Cyclic hierarchical relations",
        "Concepts that are their own ancestors through broader/narrower."),
    "disconnected-concept-clusters": (
        "Groupes de concepts déconnectés",
        "Des groupes de concepts liés entre eux mais coupés du reste de leur schéma.",
        "Disconnected concept clusters",
        "Groups of related concepts cut off from the main body of their scheme."),
    "overlapping-labels": (
        "Libellés en double",
        "Deux concepts d’un schéma avec le même libellé (casse et accents ignorés).",
        "Overlapping labels",
        "Two concepts of one scheme with the same label (case and accents ignored)."),
    "empty-labels": (
        "Libellés vides", "Des libellés vides ou faits seulement d’espaces.",
        "Empty labels", "Labels that are empty or only spaces."),
    "unprintable-characters-in-labels": (
        "Caractères invisibles dans les libellés",
        "Des caractères de contrôle ou invisibles dans des libellés.",
        "Unprintable characters in labels", "Control or invisible characters inside labels."),
    "extra-whitespace-in-labels": (
        "Espaces superflues dans les libellés",
        "Des espaces en tête, en fin ou doublées dans des libellés (contrôle de Skosify).",
        "Extra whitespace in labels",
        "Leading, trailing or doubled spaces in labels (Skosify's check)."),
    "invalid-language-tags": (
        "Étiquettes de langue mal formées",
        "Des étiquettes de langue qui ne sont pas du BCP 47 bien formé.",
        "Invalid language tags", "Language tags that are not well-formed BCP 47."),
    "incomplete-language-coverage": (
        "Couverture linguistique incomplète",
        "Des concepts sans libellé préféré dans une langue que le vocabulaire emploie.",
        "Incomplete language coverage",
        "Concepts without a preferred label in some language used by the vocabulary."),
    "no-common-languages": (
        "Aucune langue commune",
        "Aucune langue dans laquelle chaque concept a un libellé préféré.",
        "No common languages",
        "No language in which every concept has a preferred label."),
}

STRINGS: dict[str, tuple[str, str]] = {
    **{f"quality.check.{key}": (fr, en) for key, (fr, _, en, __) in _CHECKS.items()},
    **{f"quality.check_desc.{key}": (fr, en) for key, (_, fr, __, en) in _CHECKS.items()},
    "quality.severity.error": ("erreur", "error"),
    "quality.severity.warning": ("avertissement", "warning"),
    "quality.severity.info": ("remarque", "note"),
}
