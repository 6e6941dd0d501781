"""Interface strings of the admins' pages: accounts (/curation/accounts) and the import form."""

# fmt: off
STRINGS: dict[str, tuple[str, str]] = {
    # /curation/ (the link) and the accounts page
    "admin.link": ("Comptes", "Accounts"),
    "admin.link_help": ("ajouter, changer le rôle ou le mot de passe, supprimer.",
                        "add, change a role or a password, remove."),
    "admin.title": ("Comptes", "Accounts"),
    "admin.lead": ("Les comptes des bibliothécaires. Un contributeur propose des modifications, "
                   "un éditeur les publie et relit celles des autres, un administrateur gère "
                   "aussi les comptes et les imports.",
                   "The librarians’ accounts. A contributor proposes changes, an editor "
                   "publishes them and reviews the others’, an admin also manages accounts "
                   "and imports."),
    "admin.list": ("Comptes existants", "Existing accounts"),
    "admin.none": ("Aucun compte.", "No account."),
    "admin.name": ("Nom", "Name"),
    "admin.name_hint": ("1 à 64 lettres sans accent, chiffres, « . », « - » ou « _ ».",
                        "1 to 64 unaccented letters, digits, “.”, “-” or “_”."),
    "admin.role": ("Rôle", "Role"),
    "admin.role.contributor": ("contributeur", "contributor"),
    "admin.role.editor": ("éditeur", "editor"),
    "admin.role.admin": ("administrateur", "admin"),
    "admin.created": ("Créé le", "Created"),
    "admin.you": ("(vous)", "(you)"),
    "admin.password": ("Mot de passe", "Password"),
    "admin.new_password": ("Nouveau mot de passe", "New password"),
    "admin.password_again": ("Le même, une seconde fois", "The same again"),
    "admin.password_hint": ("De {min} à {max} caractères.", "{min} to {max} characters."),
    "admin.generate": ("Générer un mot de passe (affiché une seule fois)",
                       "Generate a password (shown once)"),
    "admin.add": ("Ajouter un compte", "Add an account"),
    "admin.add_submit": ("Ajouter", "Add"),
    "admin.change_role": ("Changer le rôle", "Change the role"),
    "admin.role_of": ("Rôle de {name}", "Role of {name}"),
    "admin.set_password": ("Changer le mot de passe", "Change the password"),
    "admin.set_password_hint": ("Ferme les sessions ouvertes avec l’ancien.",
                                "Ends the sessions opened with the old one."),
    "admin.remove": ("Supprimer…", "Remove…"),
    "admin.remove_title": ("Supprimer le compte {name} ?", "Remove the account {name}?"),
    "admin.remove_lead": ("Le compte ne pourra plus se connecter. Ses modifications restent dans "
                          "l’historique, sous son nom.",
                          "The account will no longer sign in. Its changes stay in the "
                          "history, under its name."),
    "admin.remove_self": ("C’est votre propre compte : vous serez déconnecté.",
                          "This is your own account: you will be signed out."),
    "admin.remove_confirm": ("Supprimer {name}", "Remove {name}"),
    "admin.cancel": ("Annuler", "Cancel"),
    "admin.back": ("Retour aux comptes", "Back to the accounts"),
    "admin.problems": ("Rien n’a été changé :", "Nothing was changed:"),
    # what was done (a notice on the next page)
    "admin.added": ("Compte {name} créé ({role}).", "Account {name} created ({role})."),
    "admin.role_set": ("{name} est maintenant {role}.", "{name} is now {role}."),
    "admin.password_set": ("Mot de passe de {name} changé ; ses autres sessions sont fermées.",
                           "Password of {name} changed; its other sessions are ended."),
    "admin.removed": ("Compte {name} supprimé.", "Account {name} removed."),
    # the page showing a generated password
    "admin.generated_title": ("Mot de passe de {name}", "Password of {name}"),
    "admin.generated_lead": ("Voici le mot de passe généré. Il n’est affiché qu’ici, une seule "
                             "fois, et n’est conservé que sous forme d’empreinte : "
                             "transmettez-le à {name} par un moyen sûr.",
                             "Here is the generated password. It is shown here only, once, and "
                             "kept only as a hash: give it to {name} by a safe means."),
    # refusals (AccountError reasons, in the interface language)
    "admin.error.name": ("Nom invalide : 1 à 64 lettres sans accent, chiffres, « . », « - » "
                         "ou « _ ».",
                         "Invalid name: 1 to 64 unaccented letters, digits, “.”, “-” or “_”."),
    "admin.error.exists": ("Un compte porte déjà ce nom.", "An account with this name exists."),
    "admin.error.role": ("Choisissez un rôle de la liste.", "Choose a role from the list."),
    "admin.error.password": ("Un mot de passe compte de {min} à {max} caractères.",
                             "A password has {min} to {max} characters."),
    "admin.error.mismatch": ("Les deux mots de passe diffèrent.", "The two passwords differ."),
    "admin.error.unknown": ("Aucun compte ne porte ce nom.", "No account has this name."),
    "admin.error.last_admin": ("C’est le dernier administrateur : nommez-en un autre d’abord, "
                               "pour qu’il en reste un.",
                               "This is the last admin: make another account admin first, so "
                               "that one remains."),
    # the import form (/curation/import)
    "import.title": ("Importer un vocabulaire", "Import a vocabulary"),
    "import.refused": ("Import refusé, rien n’a été chargé.", "Import refused, nothing was loaded."),
    "import.lead": ("L’import se poursuit en tâche de fond : une page montre son avancement "
                    "(étape, pourcentage) puis son résultat.",
                    "The import goes on in the background: a page shows its progress (step, "
                    "percentage), then its result."),
    "import.file": ("Fichier (Turtle, RDF/XML, JSON-LD, N-Triples, TriG)",
                    "File (Turtle, RDF/XML, JSON-LD, N-Triples, TriG)"),
    "import.url": ("ou URL", "or URL"),
    "import.vocab_id": ("Identifiant du vocabulaire (facultatif)",
                        "Vocabulary identifier (optional)"),
    "import.skosify": ("Nettoyer avec skosify", "Clean up with skosify"),
    "import.token": ("Jeton de mise à jour", "Update token"),
    "import.as_admin": ("Connecté comme administrateur ({name}) : pas besoin de jeton ; "
                        "l’historique nommera ce compte.",
                        "Signed in as an admin ({name}): no token needed; the history will "
                        "name this account."),
    "import.submit": ("Importer", "Import"),
    "import.needs_admin": ("Importer demande le rôle administrateur ({name} est {role}), ou le "
                           "jeton de mise à jour.",
                           "Importing needs the admin role ({name} is {role}), or the update "
                           "token."),
}
# fmt: on
