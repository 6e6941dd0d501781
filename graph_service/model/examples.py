"""The example queries of the SPARQL query page: SPARQL the service ships, titled in French
and English."""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.namespaces import sparql_prefixes


@dataclass(frozen=True)
class Example:
    """An example query of the page, titled in both languages."""

    title_fr: str
    title_en: str
    query: str


EXAMPLES: tuple[Example, ...] = (
    Example(
        "Les concepts d’une thématique",
        "The concepts of a theme",
        sparql_prefixes("skos", "dct", "pdv", "thematiques")
        + """
# The theme, its sub-themes, and the glossary notions under the notion it matches
SELECT DISTINCT ?concept ?label WHERE {
  { ?concept skos:broader* thematiques:participation-citoyenne }
  UNION
  { thematiques:participation-citoyenne skos:closeMatch ?notion .
    ?concept skos:broader* ?notion }
  ?concept skos:prefLabel ?label .
  FILTER(lang(?label) = "fr")
}
ORDER BY ?label""",
    ),
    Example(
        "Les ressources sur une notion dans un territoire et ses sous-territoires",
        "Resources about a concept in a territory and its sub-territories",
        sparql_prefixes("skos", "dct", "pdv", "notions", "departement")
        + """
# Resources indexed with a notion whose place lies in the Nord département
SELECT DISTINCT ?resource ?title ?placeLabel WHERE {
  ?resource dct:subject notions:democratie-participative ;
            dct:title ?title ;
            dct:spatial ?place .
  ?place skos:broader* departement:59 ;
         skos:prefLabel ?placeLabel .
  FILTER(lang(?placeLabel) = "fr")
}""",
    ),
    Example(
        "Les libellés dans les deux langues",
        "Labels in both languages",
        sparql_prefixes("skos", "dct", "pdv")
        + """
SELECT ?concept ?fr ?en WHERE {
  ?concept skos:inScheme pdv:notions .
  OPTIONAL { ?concept skos:prefLabel ?fr FILTER(lang(?fr) = "fr") }
  OPTIONAL { ?concept skos:prefLabel ?en FILTER(lang(?en) = "en") }
}
ORDER BY ?fr""",
    ),
    Example(
        "Les concepts sans libellé anglais",
        "Concepts without an English label",
        sparql_prefixes("skos", "dct", "pdv")
        + """
SELECT ?concept ?fr WHERE {
  ?concept a skos:Concept ;
           skos:prefLabel ?fr .
  FILTER(lang(?fr) = "fr")
  FILTER NOT EXISTS {
    ?concept skos:prefLabel ?en .
    FILTER(langMatches(lang(?en), "en"))
  }
}
ORDER BY ?fr
LIMIT 100""",
    ),
    Example(
        "Le nombre de concepts par vocabulaire",
        "Concepts per vocabulary",
        sparql_prefixes("skos", "dct", "pdv")
        + """
SELECT ?scheme (COUNT(?concept) AS ?concepts) WHERE {
  ?concept skos:inScheme ?scheme .
}
GROUP BY ?scheme
ORDER BY DESC(?concepts)""",
    ),
    Example(
        "Un extrait du glossaire en RDF (CONSTRUCT)",
        "Part of the glossary as RDF (CONSTRUCT)",
        sparql_prefixes("skos", "dct", "pdv")
        + """
CONSTRUCT {
  ?concept skos:prefLabel ?label ;
           skos:broader ?broader .
} WHERE {
  ?concept skos:inScheme pdv:notions ;
           skos:prefLabel ?label .
  OPTIONAL { ?concept skos:broader ?broader }
}""",
    ),
)
