"""French translations of the protections: rate limits, CSRF refusals."""

SECURITY: dict[str, str] = {
    "Too many sign-in attempts. Please wait a few minutes, then try again.":
        "Trop de tentatives de connexion. Attendez quelques minutes, puis réessayez.",
    "Too many attempts": "Trop de tentatives",
    "Too many requests came from you in a short time. Please wait a few minutes,"
    " then try again.":
        "Trop de requêtes sont venues de vous en peu de temps. Attendez quelques minutes,"
        " puis réessayez.",
    "The form had expired or did not come from this site. Go back, reload the page and"
    " try again.":
        "Le formulaire avait expiré ou ne venait pas de ce site. Revenez en arrière,"
        " rechargez la page et réessayez.",
}
