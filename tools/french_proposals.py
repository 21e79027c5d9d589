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
    "This text is too costly to format: it will be shown as plain text. Simplify its"
    " Markdown (brackets, emphasis, quotes) to have it formatted.":
        "Ce texte est trop coûteux à mettre en forme : il sera affiché en texte brut."
        " Simplifiez son Markdown (crochets, emphase, citations) pour qu'il soit mis en forme.",
    # Settings of the organisation.
    "Members may put forward proposals": "Les membres peuvent déposer des propositions",
    "Facilitators and admins always can. Members' proposals start as drafts that"
    " facilitators take to a decision.":
        "Les animateur·rices et administrateur·rices le peuvent toujours. Les propositions des"
        " membres commencent comme brouillons, que les animateur·rices mènent à la décision.",
    # Times and dates.
    "%(date)s at %(time)s (%(zone)s)": "%(date)s à %(time)s (%(zone)s)",
    # Messages after an action.
    "Draft saved. A facilitator opens its first round when it is ready.":
        "Brouillon enregistré. Un·e animateur·rice ouvre son premier tour quand il est prêt.",
    "Version %(number)d published.": "Version %(number)d publiée.",
    "The proposal is withdrawn.": "La proposition est retirée.",
    "Choose a review date after the decision.":
        "Choisissez une date de révision postérieure à la décision.",
    "Outcome statement saved.": "Relevé de décision enregistré.",
    # The form of a new proposal.
    "As the preset says": "Comme le prévoit le préréglage",
    "No quorum": "Pas de quorum",
    "A fraction of the members (below)": "Une fraction des membres (ci-dessous)",
    "Title": "Titre",
    "Text of the proposal": "Texte de la proposition",
    "Written in Markdown: **bold**, *italics*, lists starting with -, links as"
    " [text](https://example.org). Preview shows the result.":
        "Écrit en Markdown : **gras**, *italique*, listes commençant par -, liens sous la forme"
        " [texte](https://example.org). L'aperçu montre le résultat.",
    "Preview": "Aperçu",
    "Decision rule": "Règle de décision",
    "Preset": "Préréglage",
    "A bundle of threshold, base and quorum from the law or common practice. The fields"
    " below override it where you fill them.":
        "Un ensemble de seuil, de base et de quorum tiré de la loi ou de l'usage. Les champs"
        " ci-dessous le remplacent là où vous les remplissez.",
    "Threshold": "Seuil",
    "How many votes for are needed. Simple: more for than against. Absolute: more than half"
    " of the base.":
        "Combien de voix pour sont nécessaires. Simple : plus de pour que de contre. Absolue :"
        " plus de la moitié de la base.",
    "Fraction: numerator": "Fraction : numérateur",
    "Fraction: denominator": "Fraction : dénominateur",
    "Strictly more than this fraction (exactly the fraction is not enough)":
        "Strictement plus que cette fraction (atteindre exactement la fraction ne suffit pas)",
    "Base": "Base",
    "What the threshold is a fraction of. The votes expressed leave abstentions out; the"
    " members present count those who do not vote.":
        "Ce dont le seuil est une fraction. Les voix exprimées laissent de côté les"
        " abstentions ; les membres présents comptent aussi ceux qui ne votent pas.",
    "Quorum": "Quorum",
    "The least share of the members who must take part for the vote to count: 1 and 5 for"
    " one fifth.":
        "La part minimale des membres qui doivent participer pour que le vote compte : 1 et 5"
        " pour un cinquième.",
    "Quorum: numerator": "Quorum : numérateur",
    "Quorum: denominator": "Quorum : dénominateur",
    "Consents needed": "Consentements nécessaires",
    "How many members must consent explicitly for the proposal to pass. Left blank: one."
    " Zero lets it pass on silence alone.":
        "Combien de membres doivent consentir explicitement pour que la proposition passe."
        " Laissé vide : un. Zéro la laisse passer sur le seul silence.",
    "Members who do not answer": "Les membres qui ne répondent pas",
    "count as consenting: the proposal passes unless someone objects":
        "comptent comme consentant·es : la proposition passe sauf objection",
    "stop the decision: everyone must answer":
        "empêchent la décision : tout le monde doit répondre",
    "Silence is consent by default; requiring every answer suits small groups.":
        "Qui ne dit mot consent, par défaut ; exiger toutes les réponses convient aux petits"
        " groupes.",
    "Consent rounds at most": "Nombre maximal de tours de consentement",
    "After this many consent rounds with objections remaining, the proposal is blocked or"
    " passed to the escalation circle. Left blank: three.":
        "Après ce nombre de tours de consentement avec des objections restantes, la"
        " proposition est bloquée ou transmise au cercle de recours. Laissé vide : trois.",
    "Escalation circle": "Cercle de recours",
    "The broader circle that takes the decision when the rounds run out; without one, the"
    " proposal is blocked.":
        "Le cercle plus large qui prend la décision quand les tours sont épuisés ; sans lui,"
        " la proposition est bloquée.",
    "The role to fill, for example: treasurer, delegate to the network.":
        "Le rôle à pourvoir, par exemple : trésorier·ère, délégué·e auprès du réseau.",
    "Term in months": "Mandat en mois",
    "How long the elected person holds the role.":
        "Combien de temps la personne élue tient le rôle.",
    "Who decides": "Qui décide",
    "Electorate": "Corps électoral",
    "The whole organisation": "Toute l'organisation",
    "One circle": "Un cercle",
    "A chosen list of members": "Une liste choisie de membres",
    "The members who decide are fixed when each round opens.":
        "Les membres qui décident sont arrêtés à l'ouverture de chaque tour.",
    "Circle": "Cercle",
    "Members who decide": "Membres qui décident",
    "Hide the results until the round closes": "Masquer les résultats jusqu'à la clôture du tour",
    "Members see the counts only after the deadline, so that early answers do not sway"
    " later ones.":
        "Les membres ne voient les décomptes qu'après l'échéance, pour que les premières"
        " réponses n'influencent pas les suivantes.",
    "Positions that require a reason": "Positions qui doivent être motivées",
    "A member taking one of these positions must say why.":
        "Un membre qui prend l'une de ces positions doit dire pourquoi.",
    "Who may see the list of voters": "Qui peut voir la liste des votant·es",
    "Create the draft": "Créer le brouillon",
    "No preset: I set the threshold and the base below":
        "Pas de préréglage : je fixe le seuil et la base ci-dessous",
    "None: the proposal is blocked": "Aucun : la proposition est bloquée",
    "Choose a circle": "Choisissez un cercle",
    "Give both numbers of the fraction.": "Donnez les deux nombres de la fraction.",
    "The decision engine refuses this: %(problem)s":
        "Le moteur de décision refuse ceci : %(problem)s",
    # Amending, the outcome, comparing versions.
    "What changed": "Ce qui a changé",
    "Members read this summary first: which objection or question the new version answers,"
    " and how.":
        "Les membres lisent ce résumé en premier : à quelle objection ou question répond la"
        " nouvelle version, et comment.",
    "Publish the new version": "Publier la nouvelle version",
    "Outcome statement": "Relevé de décision",
    "Write the outcome statement.": "Écrivez le relevé de décision.",
    "What was decided, in Markdown, as it goes into the minutes: the result, the concerns"
    " heard, who does what.":
        "Ce qui a été décidé, en Markdown, tel qu'il figure au procès-verbal : le résultat,"
        " les réserves entendues, qui fait quoi.",
    "Review date": "Date de révision",
    "When the organisation looks at this decision again (every agreement deserves one).":
        "Quand l'organisation réexamine cette décision (tout accord en mérite une).",
    "From version": "De la version",
    "To version": "À la version",
    "Version %(number)d": "Version %(number)d",
    # Families of rules.
    "Consent": "Consentement",
    "Sociocratic consent": "Consentement sociocratique",
    "Sociocratic election": "Élection sociocratique",
    "Majority vote": "Vote à la majorité",
    "SCIC multi-college vote": "Vote par collèges de SCIC",
    "Members consent, abstain or object with a reason before the deadline; the proposal"
    " passes unless someone objects.":
        "Les membres consentent, s'abstiennent ou objectent en le motivant avant l'échéance ;"
        " la proposition passe sauf objection.",
    "Consent rounds in a circle: each reasoned objection is integrated into a new version,"
    " until nobody objects.":
        "Des tours de consentement dans un cercle : chaque objection motivée est intégrée dans"
        " une nouvelle version, jusqu'à ce que personne n'objecte.",
    "Choosing someone for a role: nominations with reasons, then a consent round on the"
    " proposed candidate.":
        "Choisir quelqu'un pour un rôle : des nominations motivées, puis un tour de"
        " consentement sur la personne proposée.",
    "One member, one vote: yes, no, abstain or blank, counted under a threshold, a base and"
    " a quorum.":
        "Un membre, une voix : pour, contre, abstention ou blanc, décomptés selon un seuil,"
        " une base et un quorum.",
    "As a majority vote, but the result of each college weighs by its share of the voting"
    " rights (SCIC general assemblies).":
        "Comme un vote à la majorité, mais le résultat de chaque collège pèse selon sa part"
        " des droits de vote (assemblées générales de SCIC).",
    # Presets (RULES.md section 7).
    "SA ordinary general assembly": "Assemblée générale ordinaire de SA",
    "SA extraordinary general assembly": "Assemblée générale extraordinaire de SA",
    "SA extraordinary general assembly, rules before 2019":
        "Assemblée générale extraordinaire de SA, règles d'avant 2019",
    "SAS ordinary general assembly, as in an SA unless the statutes differ":
        "Assemblée générale ordinaire de SAS, comme en SA sauf statuts contraires",
    "SAS extraordinary general assembly, as in an SA unless the statutes differ":
        "Assemblée générale extraordinaire de SAS, comme en SA sauf statuts contraires",
    "SARL ordinary decision": "Décision ordinaire de SARL",
    "SARL change of the statutes": "Modification des statuts de SARL",
    "Association, as the statutes decide": "Association, selon ses statuts",
    # Statuses and outcomes.
    "Draft": "Brouillon",
    "Under decision": "En cours de décision",
    "Decided": "Décidée",
    "Withdrawn": "Retirée",
    "Reviewed": "Révisée",
    "not decided yet": "pas encore décidée",
    "adopted": "adoptée",
    "rejected": "rejetée",
    "no quorum": "quorum non atteint",
    "blocked by an objection": "bloquée par une objection",
    "objections to integrate": "objections à intégrer",
    "passed to the broader circle": "transmise au cercle plus large",
    "rule not applicable (invalid configuration)":
        "règle inapplicable (configuration invalide)",
    "notice period not respected": "délai de convocation non respecté",
    # Rounds and positions.
    "Clarifying questions": "Questions de clarification",
    "Reactions": "Réactions",
    "Nominations": "Nominations",
    "Changes of nomination": "Changements de nomination",
    "Consent round": "Tour de consentement",
    "Vote": "Vote",
    "scheduled": "programmé",
    "open": "ouvert",
    "closed": "clos",
    "cancelled": "annulé",
    "Yes": "Pour",
    "No": "Contre",
    "Abstention": "Abstention",
    "Blank": "Blanc",
    "Concern": "Réserve",
    "Objection": "Objection",
    "Nomination": "Nomination",
    "Everyone in the organisation": "Tout le monde dans l'organisation",
    "Facilitators and admins only": "Les animateur·rices et administrateur·rices seulement",
    "Nobody": "Personne",
    # Thresholds, bases, fractions.
    "Simple majority: more votes for than against":
        "Majorité simple : plus de voix pour que contre",
    "Absolute majority: more than half of the base":
        "Majorité absolue : plus de la moitié de la base",
    "Two thirds of the base or more": "Deux tiers de la base ou plus",
    "Three quarters of the base or more": "Trois quarts de la base ou plus",
    "Another fraction of the base (below)": "Une autre fraction de la base (ci-dessous)",
    "Votes expressed: for and against (abstentions left out)":
        "Voix exprimées : pour et contre (abstentions exclues)",
    "For, against and abstentions": "Pour, contre et abstentions",
    "Valid ballots: for, against, abstentions and blank":
        "Bulletins valables : pour, contre, abstentions et blancs",
    "All ballots cast, spoiled ones included": "Tous les bulletins, nuls compris",
    "Members present or represented, voting or not":
        "Membres présents ou représentés, qu'ils votent ou non",
    "All members entitled to vote": "Tous les membres ayant le droit de vote",
    "of the votes expressed": "des voix exprimées",
    "of the votes for, against and abstentions": "des voix pour, contre et des abstentions",
    "of the valid ballots, blank ones included": "des bulletins valables, blancs compris",
    "of all ballots cast, blank and spoiled ones included":
        "de tous les bulletins, blancs et nuls compris",
    "of the members present or represented": "des membres présents ou représentés",
    "of all members entitled to vote": "de tous les membres ayant le droit de vote",
    "half": "la moitié",
    "one third": "un tiers",
    "two thirds": "deux tiers",
    "one quarter": "un quart",
    "three quarters": "trois quarts",
    "one fifth": "un cinquième",
    "one tenth": "un dixième",
    # A rule in plain words.
    "more votes for than against": "plus de voix pour que contre",
    "more than half %(base)s": "plus de la moitié %(base)s",
    "at least two thirds %(base)s": "au moins les deux tiers %(base)s",
    "at least three quarters %(base)s": "au moins les trois quarts %(base)s",
    "at least %(fraction)s %(base)s": "au moins %(fraction)s %(base)s",
    "more than %(fraction)s %(base)s": "plus de %(fraction)s %(base)s",
    "a threshold still to be set": "un seuil encore à fixer",
    "none": "aucun",
    "%(first)s on first convocation, %(second)s on second":
        "%(first)s sur première convocation, %(second)s sur seconde",
    "quorum %(fraction)s": "quorum %(fraction)s",
    "quorum %(first)s on first convocation, %(second)s on second":
        "quorum %(first)s sur première convocation, %(second)s sur seconde",
    "%(decision)s; %(quorum)s": "%(decision)s ; %(quorum)s",
    "%(name)s: %(rule)s": "%(name)s : %(rule)s",
    "If objections remain after a single consent round, the proposal passes to the circle"
    " %(circle)s.":
        "Si des objections subsistent après un seul tour de consentement, la proposition"
        " passe au cercle %(circle)s.",
    "If objections remain after a single consent round, the proposal is blocked.":
        "Si des objections subsistent après un seul tour de consentement, la proposition est"
        " bloquée.",
    "If objections remain after %(count)d consent rounds, the proposal passes to the circle"
    " %(circle)s.":
        "Si des objections subsistent après %(count)d tours de consentement, la proposition"
        " passe au cercle %(circle)s.",
    "If objections remain after %(count)d consent rounds, the proposal is blocked.":
        "Si des objections subsistent après %(count)d tours de consentement, la proposition"
        " est bloquée.",
    "Election for the role %(role)s, for one month.":
        "Élection au rôle %(role)s, pour un mois.",
    "Election for the role %(role)s, for %(count)d months.":
        "Élection au rôle %(role)s, pour %(count)d mois.",
    "Election for the role %(role)s.": "Élection au rôle %(role)s.",
    "Election for a role, for one month.": "Élection à un rôle, pour un mois.",
    "Election for a role, for %(count)d months.": "Élection à un rôle, pour %(count)d mois.",
    "Election for a role.": "Élection à un rôle.",
    "Adopted with %(rule)s.": "Adoptée avec %(rule)s.",
    "Preset: %(name)s.": "Préréglage : %(name)s.",
    "Each college's result weighs by its share of the voting rights.":
        "Le résultat de chaque collège pèse selon sa part des droits de vote.",
    "Adopted at the deadline unless someone objects; an objection blocks the proposal until"
    " it is withdrawn or qualified otherwise.":
        "Adoptée à l'échéance sauf objection ; une objection bloque la proposition jusqu'à ce"
        " qu'elle soit retirée ou qualifiée autrement.",
    "Everyone must answer: without every answer there is no quorum.":
        "Tout le monde doit répondre : sans toutes les réponses, le quorum n'est pas atteint.",
    "Members who do not answer are counted as consenting.":
        "Les membres qui ne répondent pas sont comptés comme consentant·es.",
    "No explicit consent is needed.": "Aucun consentement explicite n'est nécessaire.",
    "At least one member must consent explicitly.":
        "Au moins un membre doit consentir explicitement.",
    "At least %(count)d members must consent explicitly.":
        "Au moins %(count)d membres doivent consentir explicitement.",
    "Members nominate someone with a reason; the facilitator proposes a candidate; then a"
    " consent round on that candidate, who answers last.":
        "Les membres nomment quelqu'un en motivant leur choix ; l'animateur·rice propose une"
        " personne ; puis un tour de consentement sur elle, qui répond en dernier.",
    "Consent rounds: each reasoned objection is integrated into a new version of the"
    " proposal, then a new round is held.":
        "Des tours de consentement : chaque objection motivée est intégrée dans une nouvelle"
        " version de la proposition, puis un nouveau tour a lieu.",
    # Pages.
    "Outcome": "Résultat",
    "Back to the proposal": "Retour à la proposition",
    "Outcome of “%(title)s”": "Résultat de « %(title)s »",
    "Decided on %(time)s: %(outcome)s.": "Décidée le %(time)s : %(outcome)s.",
    "Save the outcome": "Enregistrer le résultat",
    "New proposal": "Nouvelle proposition",
    "Back to the proposals": "Retour aux propositions",
    "The proposal is saved as a draft: members see it once a facilitator opens its first"
    " round.":
        "La proposition est enregistrée comme brouillon : les membres la voient quand un·e"
        " animateur·rice ouvre son premier tour.",
    "Only the options of the rule chosen count: the others are left as they are.":
        "Seules les options de la règle choisie comptent : les autres restent telles quelles.",
    "Options of: %(rules)s": "Options de : %(rules)s",
    "Some fields need correcting": "Certains champs sont à corriger",
    "First convocation": "Première convocation",
    "Leave a field on “As the preset says” to keep the preset's value.":
        "Laissez un champ sur « Comme le prévoit le préréglage » pour garder la valeur du"
        " préréglage.",
    "Second convocation": "Seconde convocation",
    "A second vote on the same text, held when the first had no quorum. A blank field"
    " follows the preset, or without a preset the first convocation.":
        "Un second vote sur le même texte, tenu quand le premier n'a pas atteint le quorum."
        " Un champ vide suit le préréglage, ou sans préréglage la première convocation.",
    "The organisation's colleges and their weights apply; only members with a college take"
    " part.":
        "Les collèges de l'organisation et leurs poids s'appliquent ; seuls les membres"
        " rattachés à un collège participent.",
    "See the colleges": "Voir les collèges",
    "Only when one circle decides.": "Seulement quand un cercle décide.",
    "The organisation has no circles yet.": "L'organisation n'a pas encore de cercles.",
    "Only when a chosen list of members decides.":
        "Seulement quand une liste choisie de membres décide.",
    "Options": "Options",
    "Versions": "Versions",
    "Versions of “%(title)s”": "Versions de « %(title)s »",
    "History": "Historique",
    "published on %(time)s by %(name)s": "publiée le %(time)s par %(name)s",
    "a former member": "un ancien membre",
    "First version.": "Première version.",
    "Differences": "Différences",
    "Compare": "Comparer",
    "Choose two different versions to see what changed.":
        "Choisissez deux versions différentes pour voir ce qui a changé.",
    "Title:": "Titre :",
    "removed:": "retiré :",
    "added:": "ajouté :",
    "Changes to the text from version %(a)d to version %(b)d (Markdown source). Removed lines"
    " are struck through, added lines underlined.":
        "Modifications du texte de la version %(a)d à la version %(b)d (source Markdown). Les"
        " lignes retirées sont barrées, les lignes ajoutées soulignées.",
    "Line in version %(number)d": "Ligne dans la version %(number)d",
    "Text": "Texte",
    "The text is the same in both versions.": "Le texte est le même dans les deux versions.",
    "There is only one version so far.": "Il n'y a encore qu'une version.",
    "Drafts": "Brouillons",
    "Decided proposals": "Propositions décidées",
    "Withdrawn proposals": "Propositions retirées",
    "No proposal is under decision.": "Aucune proposition n'est en cours de décision.",
    "No draft.": "Aucun brouillon.",
    "No proposal decided yet.": "Aucune proposition décidée pour l'instant.",
    "No proposal withdrawn.": "Aucune proposition retirée.",
    "Created on %(time)s": "Créée le %(time)s",
    "Version %(number)d, published on %(time)s by %(name)s.":
        "Version %(number)d, publiée le %(time)s par %(name)s.",
    "History of the versions": "Historique des versions",
    "The facilitator has not written the outcome statement yet.":
        "L'animateur·rice n'a pas encore écrit le relevé de décision.",
    "Review date: %(date)s.": "Date de révision : %(date)s.",
    "Write the outcome statement": "Écrire le relevé de décision",
    "How it is decided": "Comment c'est décidé",
    "The circle": "Le cercle",
    "These members: %(names)s": "Ces membres : %(names)s",
    "Results": "Résultats",
    "Hidden until the round closes.": "Masqués jusqu'à la clôture du tour.",
    "Shown while the round is open.": "Affichés pendant que le tour est ouvert.",
    "Reasons": "Motifs",
    "Required for: %(positions)s.": "Obligatoires pour : %(positions)s.",
    "No position requires a reason.": "Aucune position ne doit être motivée.",
    "List of voters": "Liste des votant·es",
    "Visible to: %(who)s.": "Visible par : %(who)s.",
    "Put forward by": "Déposée par",
    "Rounds": "Tours",
    "Rounds of this proposal": "Tours de cette proposition",
    "Round": "Tour",
    "Opens": "Ouverture",
    "Closes": "Clôture",
    "%(number)d. %(kind)s": "%(number)d. %(kind)s",
    "second convocation": "seconde convocation",
    "version %(number)d": "version %(number)d",
    "No round yet.": "Aucun tour pour l'instant.",
    "Open the next round": "Ouvrir le tour suivant",
    "Publish a new version": "Publier une nouvelle version",
    "Withdraw this proposal": "Retirer cette proposition",
    "A withdrawn proposal is not decided; its open round, if any, is cancelled. This cannot"
    " be undone.":
        "Une proposition retirée n'est pas décidée ; son tour ouvert, s'il y en a un, est"
        " annulé. C'est irréversible.",
    "Withdraw the proposal": "Retirer la proposition",
    "New version": "Nouvelle version",
    "New version of “%(title)s”": "Nouvelle version de « %(title)s »",
    "The current text is version %(number)d. Members are told what changed.":
        "Le texte actuel est la version %(number)d. Les membres sont informés de ce qui a"
        " changé.",
}
