"""French translations of proposals."""

PROPOSALS: dict[str, str] = {
    "Proposals": "Propositions",
    "A decided or withdrawn proposal cannot be amended.":
        "Une proposition décidée ou retirée ne peut plus être amendée.",
    "Choose at least one member who decides.": "Choisissez au moins un membre qui décide.",
    "Choose the circle that decides.": "Choisissez le cercle qui décide.",
    "Close the open round before publishing a new version.":
        "Clôturez le tour ouvert avant de publier une nouvelle version.",
    "Only a proposal not yet decided can be withdrawn.":
        "Seule une proposition pas encore décidée peut être retirée.",
    "Say what changed in this version.": "Dites ce qui a changé dans cette version.",
    "The outcome is recorded once the proposal is decided.":
        "Le relevé de décision s'écrit une fois la proposition décidée.",
    "Unknown decision rule.": "Règle de décision inconnue.",
}
