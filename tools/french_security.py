"""French translations of the protections: rate limits, CSRF refusals, a database that
cannot take a write now."""

SECURITY: dict[str, str] = {
    "Too many sign-in attempts. Please wait a few minutes, then try again.":
        "Trop de tentatives de connexion. Attendez quelques minutes, puis réessayez.",
    "Too many requests for a new password. Please wait an hour, then try again.":
        "Trop de demandes de nouveau mot de passe. Attendez une heure, puis réessayez.",
    "Too many attempts": "Trop de tentatives",
    "Too many requests came from you in a short time. Please wait a few minutes,"
    " then try again.":
        "Trop de requêtes sont venues de vous en peu de temps. Attendez quelques minutes,"
        " puis réessayez.",
    "Busy": "Occupé",
    "The site is busy saving other changes. Nothing was changed; please try again in a few"
    " seconds.":
        "Le site est occupé à enregistrer d'autres modifications. Rien n'a été modifié ;"
        " réessayez dans quelques secondes.",
    "Read only for now": "En lecture seule pour l'instant",
    "The site is in read-only mode, for maintenance: pages can be read, but nothing can be"
    " changed. Nothing was changed; please try again in a few minutes.":
        "Le site est en lecture seule, pour maintenance : les pages se lisent, mais rien ne"
        " peut être modifié. Rien n'a été modifié ; réessayez dans quelques minutes.",
    "The form had expired or did not come from this site. Go back, reload the page and"
    " try again.":
        "Le formulaire avait expiré ou ne venait pas de ce site. Revenez en arrière,"
        " rechargez la page et réessayez.",
}
