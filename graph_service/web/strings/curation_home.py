"""Interface strings of the curation home page (/curation/)."""

# fmt: off
STRINGS: dict[str, tuple[str, str]] = {
    "curation_home.title": ("Curation", "Curation"),
    "curation_home.edit": ("Modifier le vocabulaire", "Edit the vocabulary"),
    "curation_home.tools": ("Outils", "Tools"),
    "curation_home.new_concept_help": ("dans un vocabulaire du service.", "in one of the service's vocabularies."),
    "curation_home.review_help": ("modifications des contributeurs et messages des visiteurs.", "contributors' changes and visitors' messages."),
    "curation_home.sign_in_help": ("avec un compte de bibliothécaire pour modifier le vocabulaire et les ressources.", "with a librarian's account to edit the vocabulary and the resources."),
    "curation_home.quality": ("Rapport de qualité", "Quality report"),
    "curation_home.quality_help": ("les contrôles qSKOS sur le vocabulaire servi", "the qSKOS checks on the vocabulary served"),
    "curation_home.import": ("Importer un vocabulaire", "Import a vocabulary"),
    "curation_home.import_help": ("fichier ou URL, nettoyage skosify, validation (administrateurs, ou jeton de mise à jour).", "file or URL, skosify clean-up, validation (admins, or the update token)."),
    "curation_home.suggest": ("Suggérer des concepts", "Suggest concepts"),
    "curation_home.suggest_help": ("pour indexer un texte.", "to index a text."),
    "curation_home.reconcile": ("Service de réconciliation OpenRefine", "OpenRefine reconciliation service"),
    "curation_home.reconcile_help": ("à ajouter dans OpenRefine avec l’adresse", "to add in OpenRefine with the address"),
    "curation_home.cli": ("En ligne de commande :", "On the command line:"),
}
# fmt: on
