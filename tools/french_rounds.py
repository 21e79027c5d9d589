"""French translations of rounds and voting."""

ROUNDS: dict[str, str] = {
    "Choose the candidate among the members of the electorate.":
        "Choisissez le ou la candidate parmi les membres du corps électoral.",
    "Choose whom you nominate.": "Choisissez la personne que vous proposez.",
    "Nobody is in the electorate of this proposal.":
        "Personne n'est dans le corps électoral de cette proposition.",
    "Only an open round can be cancelled.": "Seul un tour ouvert peut être annulé.",
    "Only an open round can be closed.": "Seul un tour ouvert peut être clôturé.",
    "Only an open round can be extended.": "Seul un tour ouvert peut être prolongé.",
    "Please give a reason for this position.": "Merci de motiver cette position.",
    "The deadline must be in the future.": "L'échéance doit être dans le futur.",
    "The new deadline must be later than the current one.":
        "La nouvelle échéance doit être plus tardive que l'actuelle.",
    "This position is not possible in this round.":
        "Cette position n'est pas possible dans ce tour.",
    "This round cannot be opened now.": "Ce tour ne peut pas être ouvert maintenant.",
    "This round does not exist.": "Ce tour n'existe pas.",
    "This round is closed: its deadline has passed.":
        "Ce tour est clos : son échéance est passée.",
    "This round is not open yet.": "Ce tour n'est pas encore ouvert.",
    "You are not in the electorate of this round.":
        "Vous ne faites pas partie du corps électoral de ce tour.",
}
