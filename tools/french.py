"""French translations of the interface, reviewed as plain text (see translations.py).

Each part of the application keeps its own mapping in ``french_<part>.py`` beside this file.
"""

from french_accounts import ACCOUNTS
from french_audit import AUDIT
from french_inputs import INPUTS
from french_orgs import ORGS
from french_proposals import PROPOSALS
from french_rounds import ROUNDS
from french_scheduler import SCHEDULER
from french_secret import SECRET
from french_security import SECURITY

CORE: dict[str, str] = {
    "member": "membre",
    "facilitator": "animateur·rice",
    "admin": "administrateur·rice",
    "Members": "Membres",
    "Circles": "Cercles",
    "Colleges": "Collèges",
    "Invitations": "Invitations",
    "Please sign in to see this page.": "Connectez-vous pour voir cette page.",
    "E-mail": "Courriel",
    "Password": "Mot de passe",
    "Remember me on this device": "Rester connecté·e sur cet appareil",
    "Wrong e-mail or password.": "Courriel ou mot de passe incorrect.",
    "Welcome, %(name)s.": "Bienvenue, %(name)s.",
    "You are signed out.": "Vous êtes déconnecté·e.",
    "Name": "Nom",
    "Short name (in addresses)": "Nom court (dans les adresses)",
    "Lower-case letters, digits and dashes only.":
        "Lettres minuscules, chiffres et tirets uniquement.",
    "This organisation is a SCIC (colleges follow the law of 1947)":
        "Cette organisation est une SCIC (les collèges suivent la loi de 1947)",
    "Organisation created. You are its admin.":
        "Organisation créée. Vous en êtes administrateur·rice.",
    "An account with this e-mail address already exists.":
        "Un compte existe déjà avec ce courriel.",
    "This short name is already taken.": "Ce nom court est déjà pris.",
    "Skip to content": "Aller au contenu",
    "Main": "Principal",
    "My organisations": "Mes organisations",
    "Sign out": "Se déconnecter",
    "Sign in": "Se connecter",
    "decisions: free software for democratic decisions in cooperatives.":
        "decisions : logiciel libre pour des décisions démocratiques en coopérative.",
    "Forgotten password?": "Mot de passe oublié ?",
    "Bad request": "Requête incorrecte",
    "The request could not be understood. Please check what you sent and try again.":
        "La requête n'a pas pu être comprise. Vérifiez ce que vous avez envoyé et réessayez.",
    "Back to my organisations": "Retour à mes organisations",
    "Not allowed": "Accès refusé",
    "You do not have the right to see this page. If you think you should, ask an admin of"
    " the organisation.":
        "Vous n'avez pas le droit de voir cette page. Si vous pensez le devoir, demandez à un·e"
        " administrateur·rice de l'organisation.",
    "Page not found": "Page introuvable",
    "There is no page at this address.": "Il n'y a pas de page à cette adresse.",
    "Method not allowed": "Méthode non autorisée",
    "This page cannot be used this way.": "Cette page ne s'utilise pas ainsi.",
    "Too large": "Trop volumineux",
    "What you sent is too large.": "Ce que vous avez envoyé est trop volumineux.",
    "Something went wrong": "Une erreur est survenue",
    "An error happened on our side. Nothing was changed; please try again later.":
        "Une erreur s'est produite de notre côté. Rien n'a été modifié ; réessayez plus tard.",
    "Error": "Erreur",
    "The request could not be completed.": "La requête n'a pas pu aboutir.",
    "You do not belong to any organisation yet.":
        "Vous n'appartenez encore à aucune organisation.",
    "Create an organisation": "Créer une organisation",
    "All my organisations": "Toutes mes organisations",
    "Create": "Créer",
    "You are %(role)s of this organisation.": "Vous êtes %(role)s de cette organisation.",
}

FRENCH: dict[str, str] = {**CORE, **ACCOUNTS, **AUDIT, **INPUTS, **ORGS, **PROPOSALS, **ROUNDS,
                           **SCHEDULER, **SECRET, **SECURITY}
