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
    '%(count)d of %(total)d took part (%(share)s).':
        '%(count)d sur %(total)d ont participé (%(share)s).',
    '%(name)s withdrew their objection.': '%(name)s a retiré son objection.',
    '%(present)d of %(members)d': '%(present)d sur %(members)d',
    'A clarifying question about the text, or your reaction to it.':
        'Une question de clarification sur le texte, ou votre réaction.',
    'A comment has at most 5000 characters.': 'Un commentaire fait au plus 5000 caractères.',
    'A concern, not an objection': 'Une préoccupation, pas une objection',
    "A date and time in the organisation's time zone (%(zone)s). Ballots are accepted until "
    'that instant, not at it.':
        "Une date et une heure dans le fuseau horaire de l'organisation (%(zone)s). Les bulletins"
        " sont acceptés jusqu'à cet instant, pas à cet instant.",
    'A reason is required for: %(positions)s.': 'Un motif est obligatoire pour : %(positions)s.',
    'A valid objection': 'Une objection valable',
    'About version %(number)d of the text': 'Sur la version %(number)d du texte',
    'Abstain': 'Abstention',
    'Against': 'Contre',
    'Anyone can recount it: python -m decisions.engine evaluate CASE.json':
        'Chacun peut le recompter : python -m decisions.engine evaluate CASE.json',
    'Back to the round': 'Retour au tour',
    'By college': 'Par collège',
    'Cancel the round': 'Annuler le tour',
    'Candidate': 'Candidat·e',
    'Candidate: %(name)s': 'Candidat·e : %(name)s',
    'Change my position': 'Changer ma position',
    'Choose a member': 'Choisissez un membre',
    'Choose a position.': 'Choisissez une position.',
    'Choose the candidate': 'Choisissez le ou la candidate',
    'Choose what the objection is.': "Choisissez ce qu'est l'objection.",
    'Choose who decided: the objector or the circle.':
        "Choisissez qui a décidé : l'auteur·rice de l'objection ou le cercle.",
    'Close or cancel': 'Clôturer ou annuler',
    'Close the round now': 'Clôturer le tour maintenant',
    'Closed on %(when)s': 'Clos le %(when)s',
    'Closing now counts the round as it stands; cancelling it decides nothing.':
        "Clôturer maintenant décompte le tour en l'état ; l'annuler ne décide rien.",
    'Comments': 'Commentaires',
    'Concern:': 'Préoccupation :',
    'Count': 'Nombre',
    'Counts': 'Décompte',
    'Counts by college': 'Décompte par collège',
    'Counts cannot be negative.': 'Un nombre ne peut pas être négatif.',
    'Counts from the room are entered for votes only.':
        "Les décomptes de la salle ne s'entrent que pour les votes.",
    'Counts of the room': 'Décompte de la salle',
    'Deadline': 'Échéance',
    'Deadline: %(when)s': 'Échéance : %(when)s',
    'Decided by': 'Décidé par',
    'Decisions about objections': 'Décisions sur les objections',
    'Download the case (JSON)': 'Télécharger le cas (JSON)',
    'Download the case (JSON) to recount it': 'Télécharger le cas (JSON) pour le recompter',
    'Enter a date and a time.': 'Indiquez une date et une heure.',
    'Extend': 'Prolonger',
    'Extend the deadline': "Prolonger l'échéance",
    'Facilitation': 'Animation',
    'For': 'Pour',
    'For a consent round: the candidate the facilitator proposes, from the reasons heard.':
        "Pour un tour de consentement : la personne que l'animateur·rice propose, d'après les "
        'motifs entendus.',
    'For a withdrawal, the objector.': "Pour un retrait, l'auteur·rice de l'objection.",
    'For an in-person or hybrid assembly: the people present in the room and how they voted, '
    'beside the ballots cast online. Count by vote weight. Entering the counts again replaces '
    'them.':
        'Pour une assemblée en présentiel ou hybride : les personnes présentes dans la salle et '
        'leurs votes, en plus des bulletins déposés en ligne. Comptez selon le poids de vote. '
        'Saisir de nouveau les nombres remplace les précédents.',
    'For, within the college': 'Pour, au sein du collège',
    'Give a number, 0 if none.': "Indiquez un nombre, 0 s'il n'y en a pas.",
    'Give a whole number, 0 or more.': 'Indiquez un nombre entier, 0 ou plus.',
    'In the time of the organisation (%(zone)s).': "À l'heure de l'organisation (%(zone)s).",
    'Kind of round': 'Type de tour',
    'Latest position of each member': 'Dernière position de chaque membre',
    'Member': 'Membre',
    'Member nominated': 'Membre proposé·e',
    'Members nominated, most nominated first': "Membres proposé·es, les plus proposé·es d'abord",
    'More ballots than people present.': 'Plus de bulletins que de personnes présentes.',
    'More people present than in the electorate (%(count)d).':
        'Plus de personnes présentes que dans le corps électoral (%(count)d).',
    'New deadline': 'Nouvelle échéance',
    'No comment yet.': "Aucun commentaire pour l'instant.",
    'No round can be opened on this proposal now: a round is still open, or the proposal is '
    'decided or withdrawn.':
        'Aucun tour ne peut être ouvert sur cette proposition maintenant : un tour est encore '
        'ouvert, ou la proposition est décidée ou retirée.',
    'Nobody has taken a position yet.': "Personne n'a encore pris position.",
    'Nobody is nominated yet.': "Personne n'est encore proposé.",
    'Not a valid objection': 'Pas une objection valable',
    'Not reached yet.': 'Pas encore atteint.',
    'Not reached.': 'Non atteint.',
    'Nothing was recorded.': "Rien n'a été enregistré.",
    'Objection of': 'Objection de',
    'Objection of %(name)s: %(what)s, decided by %(who)s.':
        'Objection de %(name)s : %(what)s, décidé par %(who)s.',
    'Objections are recorded in consent rounds only.':
        "Les objections ne s'enregistrent que dans les tours de consentement.",
    'Open a round': 'Ouvrir un tour',
    'Open the round': 'Ouvrir le tour',
    'Opened on %(when)s': 'Ouvert le %(when)s',
    'Outcome: %(outcome)s': 'Résultat : %(outcome)s',
    'Participation': 'Participation',
    'Position': 'Position',
    'Positions taken': 'Positions prises',
    'Post the comment': 'Publier le commentaire',
    'Present': 'Présents',
    'Present or represented in the room': 'Présents ou représentés dans la salle',
    'Quorum: at least %(share)s of the electorate, that is %(count)d.':
        'Quorum : au moins %(share)s du corps électoral, soit %(count)d.',
    'Rationale': 'Motivation',
    'Reached.': 'Atteint.',
    'Reason': 'Motif',
    'Reason or concern': 'Motif ou préoccupation',
    'Reason:': 'Motif :',
    'Record': 'Enregistrer',
    'Record a decision about an objection': 'Enregistrer une décision sur une objection',
    'Record my position': 'Enregistrer ma position',
    'Recorded: %(what)s.': 'Enregistré : %(what)s.',
    'Required: why this person suits the role.':
        'Obligatoire : pourquoi cette personne convient au rôle.',
    'Results of this round': 'Résultats de ce tour',
    'Round %(number)d': 'Tour %(number)d',
    'Save the counts': 'Enregistrer le décompte',
    'Spoiled': 'Nul',
    'The circle, by consent': 'Le cercle, par consentement',
    'The counts are shown when the round closes: only participation is shown until then.':
        "Le décompte est affiché à la clôture du tour : seule la participation est affichée d'ici"
        ' là.',
    'The counts of the room are saved.': 'Le décompte de la salle est enregistré.',
    'The deadline has passed: the round is being closed.':
        "L'échéance est passée : le tour est en cours de clôture.",
    'The deadline is now %(deadline)s.': "L'échéance est désormais le %(deadline)s.",
    'The objection is': "L'objection est",
    'The objector': "L'auteur·rice de l'objection",
    'The objector or the circle decides, never the facilitator alone; record who did and why, '
    'before the deadline.':
        "L'auteur·rice de l'objection ou le cercle décide, jamais l'animateur·rice seul·e ; "
        "enregistrez qui a décidé et pourquoi, avant l'échéance.",
    'The proposal does not show who took which position to you.':
        'La proposition ne vous montre pas qui a pris quelle position.',
    'The room': 'La salle',
    'The round is cancelled: it decides nothing.': 'Le tour est annulé : il ne décide rien.',
    'The round is closed.': 'Le tour est clos.',
    'The round is open until %(deadline)s.': "Le tour est ouvert jusqu'au %(deadline)s.",
    'The round is open: these figures are provisional, the outcome is known when it closes.':
        'Le tour est ouvert : ces chiffres sont provisoires, le résultat sera connu à la clôture.',
    'The round opens now, on the current version of the text, with the members who decide at '
    'this moment as its electorate.':
        "Le tour s'ouvre maintenant, sur la version actuelle du texte, avec pour corps électoral "
        'les membres qui décident à cet instant.',
    'The text, version %(number)d': 'Le texte, version %(number)d',
    'This is a secret ballot.': "C'est un vote à bulletin secret.",
    'This member has no objection standing in this round.':
        "Ce membre n'a pas d'objection en cours dans ce tour.",
    'This round does not take comments.': 'Ce tour ne reçoit pas de commentaires.',
    'This round is closed.': 'Ce tour est clos.',
    'This round was cancelled: it decides nothing.': 'Ce tour a été annulé : il ne décide rien.',
    'This time does not exist in %(zone)s: the clocks change.':
        "Cette heure n'existe pas dans le fuseau %(zone)s : c'est le changement d'heure.",
    'Time left: %(duration)s': 'Temps restant : %(duration)s',
    'Unknown college.': 'Collège inconnu.',
    "Votes count by each member's vote weight, and include the counts of the room.":
        'Les voix comptent selon le poids de vote de chaque membre et incluent le décompte de la '
        'salle.',
    'Who took which position': 'Qui a pris quelle position',
    'Whom you nominate': 'La personne que vous proposez',
    'Why this was decided; for a withdrawal, an optional note.':
        'Pourquoi cela a été décidé ; pour un retrait, une note facultative.',
    'Why you change your nomination, if you do.':
        'Pourquoi vous changez de proposition, le cas échéant.',
    'With a consent, you may note a concern: it does not block the proposal.':
        'Avec un consentement, vous pouvez noter une préoccupation : elle ne bloque pas la '
        'proposition.',
    'Withdrawn by its author': 'Retirée par son auteur·rice',
    'Write the rationale of this decision.': 'Écrivez la motivation de cette décision.',
    'Write your comment.': 'Écrivez votre commentaire.',
    'You have not taken a position yet.': "Vous n'avez pas encore pris position.",
    'You may change your position until the deadline; the latest one counts.':
        "Vous pouvez changer de position jusqu'à l'échéance ; la dernière compte.",
    'Your comment': 'Votre commentaire',
    'Your comment is posted.': 'Votre commentaire est publié.',
    'Your concern (optional)': 'Votre préoccupation (facultative)',
    'Your current position:': 'Votre position actuelle :',
    'Your earlier positions in this round (they no longer count)':
        'Vos positions précédentes dans ce tour (elles ne comptent plus)',
    'Your nomination is recorded.': 'Votre proposition est enregistrée.',
    'Your position': 'Votre position',
    'Your position is recorded: %(position)s.': 'Votre position est enregistrée : %(position)s.',
    'Your reaction to the proposal.': 'Votre réaction à la proposition.',
    'a member': 'un membre',
    'less than a minute': "moins d'une minute",
    # History kept, failed rounds and who did what (issue 8)
    "Deadline: %(when)s (closed early on %(closed)s)":
        "Échéance : %(when)s (clos plus tôt, le %(closed)s)",
    "Closed by %(name)s": "Clos par %(name)s",
    "Cancelled by %(name)s": "Annulé par %(name)s",
    "This round could not be counted: it decides nothing.":
        "Ce tour n'a pas pu être dépouillé : il ne décide rien.",
    "A facilitator may open a new round.": "Un·e facilitateur·rice peut ouvrir un nouveau tour.",
    "Reason given by the counting:": "Raison donnée par le dépouillement :",
    "could not be counted": "non dépouillé",
    "The round could not be counted: it decides nothing (%(reason)s).":
        "Le tour n'a pas pu être dépouillé : il ne décide rien (%(reason)s).",
    "Close the round now?": "Clôturer le tour maintenant ?",
    "Members who have not answered: %(count)d of %(total)d.":
        "Membres qui n'ont pas répondu : %(count)d sur %(total)d.",
    "The quorum is not reached: %(count)d took part, %(needed)d are needed.":
        "Le quorum n'est pas atteint : %(count)d ont participé, il en faut %(needed)d.",
    "Closing now counts the round as it stands, and nobody can answer any more. The deadline"
    " set stays on the round.":
        "Clôturer maintenant dépouille le tour tel qu'il est, et plus personne ne pourra"
        " répondre. L'échéance fixée reste inscrite sur le tour.",
    "Close the round now anyway": "Clôturer le tour maintenant malgré tout",
    "Keep the round open": "Laisser le tour ouvert",
    "Its round has just closed: see its result before withdrawing the proposal.":
        "Son tour vient d'être clos : consultez son résultat avant de retirer la proposition.",
    "Membership ended": "Adhésion terminée",
    "Round could not be counted": "Tour non dépouillé",
    # The rule a proposal shows is the rule applied (issue 9)
    "Ballot refused: change not allowed. This rule counts each member's first ballot only.":
        "Bulletin refusé : changement non admis. Cette règle ne compte que le premier bulletin"
        " de chaque membre.",
    "The rule counts an objection without a reason (it does not require one): untick"
    " Objection, or choose a rule that requires a reason.":
        "La règle compte une objection sans motif (elle n'en exige pas) : décochez Objection,"
        " ou choisissez une règle qui exige un motif.",
}
