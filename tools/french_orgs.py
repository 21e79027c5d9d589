"""French translations of organisation administration: members, circles, colleges."""

ORGS: dict[str, str] = {
    # Shared with other parts (kept here too so that this part stands on its own).
    "Role": "Rôle",
    "College": "Collège",
    "No college": "Aucun collège",
    "Save": "Enregistrer",
    # Menu, settings
    "Settings": "Paramètres",
    "Settings saved.": "Paramètres enregistrés.",
    "Time zone": "Fuseau horaire",
    "Deadlines are shown in this time zone, for example Europe/Paris.":
        "Les échéances sont affichées dans ce fuseau horaire, par exemple Europe/Paris.",
    "Unknown time zone: choose one from the list, such as Europe/Paris.":
        "Fuseau horaire inconnu : choisissez-en un dans la liste, par exemple Europe/Paris.",
    "Give the organisation a name.": "Donnez un nom à l'organisation.",
    "A SCIC has 3 to 10 colleges, each weighing from 10 %% to 50 %%.":
        "Une SCIC a de 3 à 10 collèges, chacun pesant de 10 %% à 50 %%.",
    "The colleges cannot be used for a vote yet: %(problem)s":
        "Les collèges ne peuvent pas encore servir à un vote : %(problem)s",
    # Members
    "Members of %(organisation)s": "Membres de %(organisation)s",
    "Vote weight": "Poids de vote",
    "Votes of one member count this many times (usually 1).":
        "Le vote de ce membre compte autant de fois (en général 1).",
    "Give a vote weight.": "Indiquez un poids de vote.",
    "The vote weight is a whole number from 1 to 1000000.":
        "Le poids de vote est un nombre entier de 1 à 1000000.",
    "Actions": "Actions",
    "Edit": "Modifier",
    "you": "vous",
    "Back to the members": "Retour aux membres",
    "%(name)s's membership is saved.": "L'adhésion de %(name)s est enregistrée.",
    "Remove from the organisation": "Retirer de l'organisation",
    "%(name)s will no longer be a member of %(organisation)s nor of its circles.":
        "%(name)s ne sera plus membre de %(organisation)s ni de ses cercles.",
    "Remove %(name)s": "Retirer %(name)s",
    "%(name)s is no longer a member.": "%(name)s n'est plus membre.",
    "You have left %(organisation)s.": "Vous avez quitté %(organisation)s.",
    "An organisation must keep at least one admin: make another member admin first.":
        "Une organisation garde au moins un·e administrateur·rice : nommez d'abord un·e autre"
        " membre administrateur·rice.",
    "An organisation must keep at least one admin: make another member admin before"
    " removing this one.":
        "Une organisation garde au moins un·e administrateur·rice : nommez un·e autre membre"
        " administrateur·rice avant de retirer celui-ci ou celle-ci.",
    # Colleges
    "Colleges of %(organisation)s": "Collèges de %(organisation)s",
    "This organisation has no colleges: in its votes, each member's vote counts by their"
    " vote weight alone.":
        "Cette organisation n'a pas de collèges : dans ses votes, le vote de chaque membre"
        " compte selon son seul poids de vote.",
    "The colleges cannot be used for a vote yet.":
        "Les collèges ne peuvent pas encore servir à un vote.",
    "Add or delete colleges, or set the weights below, until the configuration is complete.":
        "Ajoutez ou supprimez des collèges, ou fixez les poids ci-dessous, jusqu'à ce que la"
        " configuration soit complète.",
    "Statutory weight": "Poids statutaire",
    "Share of the votes": "Part des voix",
    "equal": "égal",
    "Rename or delete": "Renommer ou supprimer",
    "The share of the votes is what each college's weight counts for in a vote, as the"
    " decision engine computes it.":
        "La part des voix est ce que pèse chaque collège dans un vote, telle que la calcule le"
        " moteur de décision.",
    "Weights": "Poids",
    "Weight of each college, in percent": "Poids de chaque collège, en pourcentage",
    "Give every college a weight (together 100), or leave them all blank for equal weights.":
        "Donnez un poids à chaque collège (100 au total), ou laissez-les tous vides pour des"
        " poids égaux.",
    "Save the weights": "Enregistrer les poids",
    "Weights saved.": "Poids enregistrés.",
    "Out of bounds.": "Hors des bornes.",
    "Write a percentage such as 40 or 33.5, or leave it blank.":
        "Écrivez un pourcentage comme 40 ou 33,5, ou laissez vide.",
    "Add a college": "Ajouter un collège",
    "Name of the college": "Nom du collège",
    "Add": "Ajouter",
    "College %(name)s added.": "Collège %(name)s ajouté.",
    "College %(name)s": "Collège %(name)s",
    "College renamed.": "Collège renommé.",
    "Back to the colleges": "Retour aux collèges",
    "Rename": "Renommer",
    "Delete this college": "Supprimer ce collège",
    "Members of this college: %(count)d. They stay in the organisation, without a college.":
        "Membres de ce collège : %(count)d. Ils et elles restent dans l'organisation, sans"
        " collège.",
    "Check the weights of the other colleges afterwards.":
        "Vérifiez ensuite les poids des autres collèges.",
    "Delete %(name)s": "Supprimer %(name)s",
    "College %(name)s deleted.": "Collège %(name)s supprimé.",
    "Give the college a name.": "Donnez un nom au collège.",
    "There is already a college of this name.": "Il existe déjà un collège de ce nom.",
    "The colleges changed meanwhile: check the weights and save again.":
        "Les collèges ont changé entre-temps : vérifiez les poids et enregistrez à nouveau.",
    "A SCIC needs at least 3 colleges. Colleges now: %(colleges)s.":
        "Une SCIC a besoin d'au moins 3 collèges. Collèges actuels : %(colleges)s.",
    "A weighted vote needs at least 2 colleges. Colleges now: %(colleges)s.":
        "Un vote pondéré a besoin d'au moins 2 collèges. Collèges actuels : %(colleges)s.",
    "The weights must add up to 100 %%, or all be left blank for equal weights. Colleges"
    " concerned: %(colleges)s.":
        "Les poids doivent faire 100 %% au total, ou rester tous vides pour des poids égaux."
        " Collèges concernés : %(colleges)s.",
    "In a SCIC each college weighs from 10 %% to 50 %%. Out of bounds: %(colleges)s.":
        "Dans une SCIC, chaque collège pèse de 10 %% à 50 %%. Hors des bornes : %(colleges)s.",
    "Each college must weigh more than 0 %%. Out of bounds: %(colleges)s.":
        "Chaque collège doit peser plus de 0 %%. Hors des bornes : %(colleges)s.",
    # Circles
    "Steering committee": "Comité de pilotage",
    "This organisation has no circles yet.": "Cette organisation n'a pas encore de cercles.",
    "Create a circle": "Créer un cercle",
    "Back to the circles": "Retour aux cercles",
    "Back to the circle": "Retour au cercle",
    "Inside the circle": "Dans le cercle",
    "A top-level circle.": "Un cercle de premier niveau.",
    "Sub-circles": "Sous-cercles",
    "This circle has no members yet.": "Ce cercle n'a pas encore de membres.",
    "Edit this circle": "Modifier ce cercle",
    "Edit the circle %(name)s": "Modifier le cercle %(name)s",
    "Domain and purpose": "Domaine et raison d'être",
    "None (a top-level circle)": "Aucun (un cercle de premier niveau)",
    "This circle is the steering committee": "Ce cercle est le comité de pilotage",
    "Members of the circle": "Membres du cercle",
    "The organisation has no members to choose from.":
        "L'organisation n'a pas de membres parmi lesquels choisir.",
    "Delete this circle": "Supprimer ce cercle",
    "Its sub-circles move up one level; its members stay in the organisation.":
        "Ses sous-cercles remontent d'un niveau ; ses membres restent dans l'organisation.",
    "Circle %(name)s created.": "Cercle %(name)s créé.",
    "Circle %(name)s saved.": "Cercle %(name)s enregistré.",
    "Circle %(name)s deleted.": "Cercle %(name)s supprimé.",
    "Give the circle a name.": "Donnez un nom au cercle.",
    "There is already a circle of this name.": "Il existe déjà un cercle de ce nom.",
    "Choose a circle of this organisation.": "Choisissez un cercle de cette organisation.",
    "Choose members of this organisation.": "Choisissez des membres de cette organisation.",
    "A circle cannot be placed inside itself or inside one of its own sub-circles.":
        "Un cercle ne peut pas être placé dans lui-même ni dans l'un de ses sous-cercles.",
    "%(circle)s is already the steering committee: there is only one.":
        "%(circle)s est déjà le comité de pilotage : il n'y en a qu'un.",
}
