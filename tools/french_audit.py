"""French translations of the audit log."""

AUDIT: dict[str, str] = {
    "Audit log": "Journal d'audit",
    "Round opened": "Tour ouvert",
    "Round extended": "Tour prolongé",
    "Round closed": "Tour clos",
    "Round cancelled": "Tour annulé",
    "Ballot cast": "Vote exprimé",
    "Ballot changed": "Vote modifié",
    "Objection qualified": "Objection qualifiée",
    "Objection withdrawn": "Objection retirée",
    "Version published": "Version publiée",
    "Proposal withdrawn": "Proposition retirée",
    "Outcome written": "Issue rédigée",
    "Membership changed": "Adhésion modifiée",
    "Member removed": "Membre retiré·e",
    "College weights changed": "Poids des collèges modifiés",
    "Every event that matters, newest first. Each entry carries the hash of the one before"
    " it, so that no past entry can be changed unseen. Secret ballots show only their round"
    " and count.":
        "Chaque événement qui compte, du plus récent au plus ancien. Chaque entrée porte"
        " l'empreinte de la précédente : aucune entrée passée ne peut être modifiée sans que"
        " cela se voie. Les votes secrets ne montrent que leur tour et leur nombre.",
    "When": "Quand",
    "Event": "Événement",
    "Details": "Détails",
    "Hash": "Empreinte",
    "Nothing has been recorded yet.": "Rien n'a encore été enregistré.",
    # Pages, people, times and fields of the log
    "%(when)s (%(zone)s)": "%(when)s (%(zone)s)",
    "By": "Par",
    "Pages of the audit log": "Pages du journal d'audit",
    "Page %(number)d of %(pages)d": "Page %(number)d sur %(pages)d",
    "Newest": "Plus récentes",
    "Newer": "Plus récentes",
    "Older": "Plus anciennes",
    "Oldest": "Plus anciennes",
    "former member": "ancien·ne membre",
    "deleted account": "compte supprimé",
    "Proposal": "Proposition",
    "Round number": "Numéro du tour",
    "Version": "Version",
    "Summary of changes": "Résumé des changements",
    "Previous deadline": "Échéance précédente",
    "Electors": "Électeur·rices",
    "Ballots": "Bulletins",
    "Ballot": "Bulletin",
    "Person": "Personne",
    "Fingerprint": "Empreinte du bulletin",
    "Hash of the case": "Empreinte du dossier",
    "Hash of the result": "Empreinte du résultat",
    "Decision": "Décision",
    "Note": "Note",
    "Statement": "Déclaration",
    "Rounds cancelled": "Tours annulés",
    # The head of the chain and its signed checkpoints
    "Head of the log": "Tête du journal",
    "Now:": "Maintenant :",
    "Last signed checkpoint:": "Dernier point de contrôle signé :",
    "Checkpoints are signed with this Ed25519 public key:":
        "Les points de contrôle sont signés avec cette clé publique Ed25519 :",
    "Keep a copy of the head: with it, anyone can check that the log was not cut short or"
    " rewritten since (decisions audit verify --head).":
        "Gardez une copie de la tête : elle permet à chacun·e de vérifier que le journal n'a"
        " été ni tronqué ni réécrit depuis (decisions audit verify --head).",
    "Audit log head published at this close:":
        "Tête du journal d'audit publiée à cette clôture :",
    "Audit log head now (no checkpoint was published at this close):":
        "Tête actuelle du journal d'audit (aucun point de contrôle publié à cette clôture) :",
}
