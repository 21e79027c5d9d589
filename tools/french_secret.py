"""French translations of secret ballots."""

SECRET: dict[str, str] = {
    "Only votes can be secret: objections and consent must be named.":
        "Seuls les votes peuvent être secrets : les objections et le consentement sont "
        "nominatifs.",
    "A secret ballot cannot ask for reasons.":
        "Un vote à bulletin secret ne peut pas demander de justification.",
    "You have already voted: a secret ballot cannot be changed.":
        "Vous avez déjà voté : un bulletin secret ne peut pas être modifié.",
    "You have voted. Your ballot is secret: it is kept apart from your name and cannot be "
    "changed.":
        "Vous avez voté. Votre bulletin est secret : il est conservé séparément de votre nom "
        "et ne peut pas être modifié.",
    "This ballot is secret: once recorded, it cannot be changed.":
        "Ce vote est à bulletin secret : une fois enregistré, il ne peut pas être modifié.",
    "Secret ballot": "Vote à bulletin secret",
    "Who took part and what was voted are stored apart and can never be joined; results stay"
    " hidden until the round closes; a secret ballot cannot be changed. For votes only.":
        "Qui a participé et ce qui a été voté sont enregistrés à part et ne peuvent jamais être"
        " rapprochés ; les résultats restent cachés jusqu'à la clôture du tour ; un bulletin"
        " secret ne peut pas être modifié. Pour les votes seulement.",
}
