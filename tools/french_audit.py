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
    "Only the latest %(count)s entries are shown.":
        "Seules les %(count)s dernières entrées sont affichées.",
    "Nothing has been recorded yet.": "Rien n'a encore été enregistré.",
}
