"""What the concept editor says of an edit's problems, in French or English.

The planners speak English by default (the JSON API, the journal, the review queue's
records); the forms ask for the interface's language. The French messages are sentences a
documentalist reads next to a field; the English ones stay the short phrases the API has
always answered. The shapes' own messages are in shapes/skos.ttl, in both languages
(concept_validate picks one).
"""

from __future__ import annotations

# fmt: off
MESSAGES: dict[str, tuple[str, str]] = {
    # --- which concept, which scheme
    "not_concept": ("<{iri}> n’est pas un concept du vocabulaire.",
                    "<{iri}> is not a concept of the vocabulary"),
    "not_concept_iri": ("« {value} » n’est pas l’adresse (IRI) d’un concept.",
                        "« {value} » is not a concept IRI"),
    "choose_scheme": ("Choisissez le vocabulaire du nouveau concept.",
                      "choose the concept scheme of the new concept"),
    "scheme_not_ours": ("<{iri}> n’est pas un vocabulaire géré ici.",
                        "<{iri}> is not a concept scheme curated here"),
    "scheme_unknown": ("<{iri}> n’est pas un vocabulaire (schéma de concepts) connu.",
                       "<{iri}> is not a concept scheme of the vocabulary"),
    "scheme_no_graph": ("Le vocabulaire <{iri}> n’est rangé dans aucun graphe nommé.",
                        "<{iri}> lives in no named graph"),
    "iri_prefix": ("Dans ce vocabulaire, l’adresse d’un concept commence par <{scheme}/>.",
                   "a concept of this scheme has an IRI starting with <{scheme}/>"),
    "iri_in_use": ("L’adresse <{iri}> est déjà utilisée.", "<{iri}> is already in use"),
    "not_named": ("Le concept à modifier n’est pas indiqué.", "the concept to change is not named"),
    "stale": ("« {label} » a été modifié depuis l’ouverture de ce formulaire : rechargez-le.",
              "« {label} » was changed since this form was opened: reload it"),
    "scheme_fixed": ("Un concept ne change pas de vocabulaire ici : créez-en un dans l’autre "
                     "vocabulaire.",
                     "a concept cannot change scheme here (create one in the other scheme)"),
    "not_curated": ("Ce concept appartient à un vocabulaire qui n’est pas géré ici.",
                    "this concept is in a vocabulary that is not curated here"),
    "named_not_curated": ("{name} n’appartient pas à un vocabulaire géré ici.",
                          "{name} is not in a vocabulary curated here"),
    "deprecated_out": ("Un concept obsolète reste hors de la hiérarchie.",
                       "a deprecated concept stays out of the hierarchy"),
    "unknown_kind": ("Type de modification inconnu : {kind}.", "unknown kind of change: {kind}"),
    # --- the draft's checks (concept_checks)
    "french_label_required": ("Un libellé préféré en français est obligatoire.",
                              "a preferred label in French is required"),
    "linked_to_itself": ("Un concept ne peut pas être lié à lui-même.",
                         "a concept cannot be linked to itself"),
    "deprecated": ("{name} est obsolète.", "{name} is deprecated"),
    "deprecated_use": ("{name} est obsolète : utilisez plutôt {instead}.",
                       "{name} is deprecated: use {instead} instead"),
    "other_scheme": ("{name} appartient à un autre vocabulaire.",
                     "{name} is in another concept scheme"),
    "mapped_to_itself": ("Un concept ne peut pas être aligné sur lui-même.",
                         "a concept cannot be mapped to itself"),
    "label_taken": ("Ce libellé préféré est déjà celui du concept « {label} » dans ce "
                    "vocabulaire.",
                    "« {text} » is already the preferred label of « {label} » <{concept}>"),
    "label_of_deprecated": ("« {text} » est aussi le libellé du concept obsolète « {label} ».",
                            "« {text} » is also the label of the deprecated concept « {label} »"),
    # --- deprecation and merge (concept_retire)
    "deprecated_already": ("{name} est déjà obsolète.", "{name} is deprecated already"),
    "merged_into_itself": ("Un concept ne peut pas être fusionné avec lui-même.",
                           "a concept cannot be merged into itself"),
    "blank_nodes_left": ("{count} déclarations de nœuds anonymes désignent encore le concept "
                         "fusionné.",
                         "{count} statements of blank nodes still point at the loser"),
    "broader_not_moved": ("Le concept générique {name} n’est pas repris : il créerait un cycle.",
                          "broader {name} not moved: it would make a cycle"),
    "narrower_not_moved": ("Le concept spécifique {name} n’est pas repris : il créerait un "
                           "cycle.",
                           "narrower {name} not moved: it would make a cycle"),
    "related_not_moved": ("Le concept associé {name} n’est pas repris : il est déjà générique "
                          "ou spécifique du concept conservé.",
                          "related {name} not moved: it is on the winner's broader chain"),
    # --- the shapes' report (concept_validate)
    "this_concept": ("ce concept", "this concept"),
    "already_before": (" (c’était déjà le cas avant cette modification)",
                       " (already so before this edit)"),
    # --- reading a draft (concept_draft)
    "expected_object": ("Un objet JSON est attendu.", "expected a JSON object"),
    "unknown_field": ("Ce champ est inconnu.", "unknown field"),
    "uri_mismatch": ("Cette adresse ne correspond pas à celle du concept <{iri}>.",
                     "does not match the concept's address <{iri}>"),
    "one_value": ("Ce champ ne prend qu’une valeur.", "takes one value only"),
    "expected_iri_text": ("Une IRI est attendue, sous forme de texte.", "expected an IRI as text"),
    "bad_iri": ("« {value} » n’est pas une adresse (IRI) valide.",
                "« {value} » is not a valid IRI"),
    "expected_iris": ("Une liste d’IRI est attendue.", "expected a list of IRIs"),
    "too_many_values": ("Ce champ a plus de {count} valeurs.", "holds more than {count} values"),
    "expected_text": ("Un texte est attendu.", "expected a text"),
    "notation_too_long": ("La notation dépasse {count} caractères.",
                          "is longer than {count} characters"),
    "notation_one_line": ("La notation tient sur une ligne, en caractères imprimables.",
                          "holds one line of printable characters only"),
    "expected_by_language": ("Un objet de textes par langue est attendu.",
                             "expected an object of texts by language"),
    "too_many_languages": ("Ce champ a plus de {count} langues.",
                           "holds more than {count} languages"),
    "bad_language_tag": ("Ce n’est pas une étiquette de langue (fr, en, pt-br…).",
                         "is not a language tag (fr, en, pt-br...)"),
    "language_twice": ("Cette langue est donnée deux fois (la casse des étiquettes de langue "
                       "ne compte pas).",
                       "is given twice (language tags ignore case)"),
    "expected_one_text": ("Un seul texte est attendu.", "expected one text"),
    "expected_texts": ("Une liste de textes est attendue.", "expected a list of texts"),
    "label_one_line": ("Un libellé tient sur une ligne.", "a label holds one line"),
    "too_long": ("« {start}… » dépasse {count} caractères.",
                 "« {start}… » is longer than {count} characters"),
    "control_characters": ("« {start} » contient des caractères de contrôle.",
                           "« {start} » holds control characters"),
}
# fmt: on


def message(key: str, lang: str = "en", **values: object) -> str:
    """The message `key` in French ("fr") or English (anything else), values filled in."""
    french, english = MESSAGES[key]
    return (french if lang == "fr" else english).format(**values)


def count(number: int, lang: str = "en") -> str:
    """A count as the language writes it: 10000 in the English messages, 10 000 in French."""
    return f"{number:,}".replace(",", "\u202f") if lang == "fr" else str(number)


def sentence(text: str, lang: str = "en") -> str:
    """A French message made a sentence (capital, final full stop); English ones are left as
    the API has always given them (short lower-case phrases)."""
    if lang != "fr" or not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."
