"""What the resource editor says of a draft's problems, in French or English.

The planners speak English by default (the JSON API, the journal, the review queue); the forms
ask for the interface's language. The shapes' own messages stay as shapes/resources.ttl
writes them.
"""

from __future__ import annotations

# fmt: off
MESSAGES: dict[str, tuple[str, str]] = {
    "bad_iri": ("« {value} » n’est pas une IRI valide", "“{value}” is not a valid IRI"),
    "ambiguous": ("« {value} » est le libellé de {count} concepts : choisissez-en un dans la "
                  "liste ou donnez son IRI ({some})",
                  "“{value}” is the label of {count} concepts: pick one from the list or give "
                  "its IRI ({some})"),
    "no_label": ("aucun concept n’a pour libellé « {value} » : donnez son IRI",
                 "no concept is labelled “{value}”: give its IRI"),
    "not_concept": ("<{value}> n’est pas un concept du vocabulaire",
                    "<{value}> is not a concept of the vocabulary"),
    "not_in_scheme": ("<{value}> n’est pas un concept du schéma {vocab}",
                      "<{value}> is not a concept of the {vocab} scheme"),
    "title_required": ("un titre est obligatoire", "a title is required"),
    "bad_lang_tag": ("« {value} » n’est pas une étiquette de langue",
                     "“{value}” is not a language tag"),
    "date_required": ("la date de publication est obligatoire",
                      "the date of publication is required"),
    "bad_date": ("« {value} » n’est pas une date : écrivez-la aaaa-mm-jj (2023-05-30)",
                 "“{value}” is not a date: write it yyyy-mm-dd (2023-05-30)"),
    "bad_url": ("« {value} » n’est pas une adresse http ou https",
                "“{value}” is not an http or https address"),
    "type_required": ("choisissez le type de la ressource", "choose the type of the resource"),
    "subject_required": ("indexez la ressource avec un sujet ou une thématique",
                         "index the resource with a subject or a theme"),
    "bad_language": ("« {value} » n’est pas un code de langue",
                     "“{value}” is not a language code"),
    "stale": ("cette ressource a été modifiée par quelqu’un d’autre depuis l’ouverture du "
              "formulaire : rechargez-le pour voir ces changements, puis refaites les vôtres",
              "this resource was changed by someone else since the form was opened: reload it "
              "to see the changes, then make yours again"),
    "taken": ("<{value}> existe déjà : rechargez le formulaire pour la créer à nouveau",
              "<{value}> exists already: reload the form to create it anew"),
    "not_resource": ("<{value}> n’est pas une ressource",
                     "<{value}> is not a resource of the store"),
}
# fmt: on


def message(key: str, lang: str = "en", **values: object) -> str:
    """The message `key` in French ("fr") or English (anything else), values filled in."""
    french, english = MESSAGES[key]
    return (french if lang == "fr" else english).format(**values)
