"""Interface strings of the visitors' feedback form (/feedback) and its link on concept pages."""

# fmt: off
STRINGS: dict[str, tuple[str, str]] = {
    "feedback.link": ("Suggérer une correction", "Suggest a correction"),
    "feedback.title": ("Suggérer une correction", "Suggest a correction"),
    "feedback.about": ("À propos du concept", "About the concept"),
    "feedback.lead": ("Une erreur, un oubli, un libellé à ajouter ? Votre message est transmis "
                      "aux éditeurs du vocabulaire ; il n’est pas publié.",
                      "A mistake, something missing, a label to add? Your message goes to the "
                      "vocabulary’s editors; it is not published."),
    "feedback.message": ("Votre message", "Your message"),
    "feedback.message_hint": ("{max} caractères au plus.", "At most {max} characters."),
    "feedback.name": ("Votre nom (facultatif)", "Your name (optional)"),
    "feedback.email": ("Votre adresse électronique (facultative)",
                       "Your e-mail address (optional)"),
    "feedback.email_hint": ("Seulement pour vous répondre ; elle n’est ni publiée ni partagée.",
                            "Only to answer you; it is neither published nor shared."),
    "feedback.trap": ("Ne pas remplir ce champ", "Leave this field empty"),
    "feedback.submit": ("Envoyer", "Send"),
    "feedback.problems": ("Le message n’a pas été envoyé :", "The message was not sent:"),
    "feedback.message_missing": ("Écrivez votre message.", "Write your message."),
    "feedback.message_too_long": ("Le message dépasse {max} caractères ({count}).",
                                  "The message is longer than {max} characters ({count})."),
    "feedback.name_too_long": ("Le nom dépasse {max} caractères.",
                               "The name is longer than {max} characters."),
    "feedback.email_invalid": ("Cette adresse électronique n’est pas valide.",
                               "This e-mail address is not valid."),
    "feedback.too_many": ("Vous avez envoyé beaucoup de messages : réessayez après {when} "
                          "(dans {minutes} min).",
                          "You have sent many messages: try again after {when} "
                          "(in {minutes} min)."),
    "feedback.sent_title": ("Merci !", "Thank you!"),
    "feedback.sent": ("Votre message a été transmis aux éditeurs du vocabulaire.",
                      "Your message was passed on to the vocabulary’s editors."),
    "feedback.back": ("Retour au concept « {label} »", "Back to the concept “{label}”"),
}
# fmt: on
