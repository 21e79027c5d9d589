"""French translations of the refusals of hostile or absurd input (issue 9)."""

INPUTS: dict[str, str] = {
    "The deadline cannot be more than %(days)d days away.":
        "L'échéance ne peut pas être à plus de %(days)d jours.",
    "A quorum of 0 is no quorum: choose “No quorum”, or give at least 1.":
        "Un quorum de 0 n'est pas un quorum : choisissez « Pas de quorum », ou donnez au"
        " moins 1.",
    "a quorum of 0 is no quorum (null), give at least 1":
        "un quorum de 0 n'est pas un quorum (null), donnez au moins 1",
    "Remove the line breaks, tabs and other control characters.":
        "Retirez les retours à la ligne, tabulations et autres caractères de contrôle.",
    "Remove the invisible characters that reverse the direction of the text.":
        "Retirez les caractères invisibles qui inversent le sens du texte.",
}
