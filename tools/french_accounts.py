"""French translations of accounts: invitations, profile, password reset."""

ACCOUNTS: dict[str, str] = {
    # Passwords and profile
    "Choose a password of at least %(count)d characters.":
        "Choisissez un mot de passe d'au moins %(count)d caractères.",
    "Choose one of the languages offered.": "Choisissez l'une des langues proposées.",
    "Enter your current password to change your e-mail address.":
        "Saisissez votre mot de passe actuel pour changer de courriel.",
    "This is not your current password.": "Ce n'est pas votre mot de passe actuel.",
    "Your name": "Votre nom",
    "Your profile is saved.": "Votre profil est enregistré.",
    "Your password is changed. Other devices must sign in again.":
        "Votre mot de passe est changé. Vos autres appareils devront se reconnecter.",
    "The language of my browser": "La langue de mon navigateur",
    "Language": "Langue",
    "Current password (only to change the e-mail address)":
        "Mot de passe actuel (seulement pour changer de courriel)",
    "Current password": "Mot de passe actuel",
    "New password": "Nouveau mot de passe",
    "New password, again": "Nouveau mot de passe (confirmation)",
    "Password, again": "Mot de passe (confirmation)",
    "The two passwords differ.": "Les deux mots de passe diffèrent.",
    "My profile": "Mon profil",
    "Name, e-mail and language": "Nom, courriel et langue",
    "Save": "Enregistrer",
    "At least %(count)d characters. Changing it signs you out of your other devices.":
        "Au moins %(count)d caractères. Le changer vous déconnecte de vos autres appareils.",
    "Change the password": "Changer le mot de passe",
    # Password reset
    "This link has expired. Ask for a new one.": "Ce lien a expiré. Demandez-en un nouveau.",
    "This link is not valid. Check that it was copied whole, or ask for a new one.":
        "Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier, ou demandez-en un"
        " nouveau.",
    "This link was already used: the password has changed since it was sent. Ask for a new"
    " one if you need it.":
        "Ce lien a déjà servi : le mot de passe a changé depuis son envoi. Demandez-en un"
        " nouveau si besoin.",
    "Set a new password for decisions": "Choisir un nouveau mot de passe pour decisions",
    "Hello %(name)s,\n\nSomeone, probably you, asked to set a new password for your account"
    " on decisions. To choose it, open this link within %(lifetime)s:\n\n%(link)s\n\nThe link"
    " works once. If you did not ask for it, ignore this e-mail: your password stays as it"
    " is.":
        "Bonjour %(name)s,\n\nQuelqu'un, sans doute vous, a demandé un nouveau mot de passe"
        " pour votre compte sur decisions. Pour le choisir, ouvrez ce lien dans les"
        " %(lifetime)s :\n\n%(link)s\n\nLe lien ne sert qu'une fois. Si vous n'avez rien"
        " demandé, ignorez ce courriel : votre mot de passe reste inchangé.",
    "Password reset link not valid": "Lien de réinitialisation non valide",
    "If an account has this address, an e-mail with a link to set a new password is on its"
    " way. The link works for %(lifetime)s.":
        "Si un compte a cette adresse, un courriel avec un lien pour choisir un nouveau mot"
        " de passe est en route. Le lien est valable %(lifetime)s.",
    "Your password is changed. Sign in with it.":
        "Votre mot de passe est changé. Connectez-vous avec.",
    "Ask for a new link": "Demander un nouveau lien",
    "Back to the home page": "Retour à l'accueil",
    "Set a new password": "Choisir un nouveau mot de passe",
    "For the account %(email)s.": "Pour le compte %(email)s.",
    "Set the new password": "Enregistrer le nouveau mot de passe",
    "Forgotten password": "Mot de passe oublié",
    "Give the e-mail address of your account: we will send it a link to set a new password.":
        "Indiquez le courriel de votre compte : nous y enverrons un lien pour choisir un"
        " nouveau mot de passe.",
    "Send the link": "Envoyer le lien",
    "Back to signing in": "Retour à la connexion",
    # Invitations
    "%(email)s is already a member of this organisation.":
        "%(email)s est déjà membre de cette organisation.",
    "An invitation to this address is still pending. Revoke it first to send a new one.":
        "Une invitation à cette adresse est encore en attente. Révoquez-la d'abord pour en"
        " envoyer une nouvelle.",
    "Choose one of the organisation's colleges.": "Choisissez l'un des collèges de"
                                                  " l'organisation.",
    "Invitation to join %(organisation)s on decisions":
        "Invitation à rejoindre %(organisation)s sur decisions",
    "Hello,\n\n%(inviter)s invites you to join %(organisation)s as %(role)s on decisions,"
    " where its members take decisions together.\n\nTo accept, open this link:\n\n%(link)s"
    "\n\nThe link works once, until %(expiry)s. If you did not expect this invitation,"
    " ignore this e-mail.":
        "Bonjour,\n\n%(inviter)s vous invite à rejoindre %(organisation)s comme %(role)s sur"
        " decisions, où ses membres prennent leurs décisions ensemble.\n\nPour accepter,"
        " ouvrez ce lien :\n\n%(link)s\n\nLe lien ne sert qu'une fois, jusqu'au"
        " %(expiry)s. Si vous n'attendiez pas cette invitation, ignorez ce courriel.",
    "There is no such invitation.": "Cette invitation n'existe pas.",
    "Only a pending invitation can be revoked.":
        "Seule une invitation en attente peut être révoquée.",
    "This invitation link is not valid: the invitation was revoked, or the link was not"
    " copied whole. Ask an admin of the organisation for a new invitation.":
        "Ce lien d'invitation n'est pas valide : l'invitation a été révoquée, ou le lien n'a"
        " pas été copié en entier. Demandez une nouvelle invitation à un·e"
        " administrateur·rice de l'organisation.",
    "This invitation has already been used. If you accepted it, sign in to reach the"
    " organisation.":
        "Cette invitation a déjà servi. Si vous l'avez acceptée, connectez-vous pour"
        " retrouver l'organisation.",
    "This invitation has expired. Ask an admin of the organisation for a new one.":
        "Cette invitation a expiré. Demandez-en une nouvelle à un·e administrateur·rice de"
        " l'organisation.",
    "This invitation is for another e-mail address.":
        "Cette invitation est destinée à un autre courriel.",
    "You are already a member of this organisation.":
        "Vous êtes déjà membre de cette organisation.",
    "This invitation has already been used.": "Cette invitation a déjà servi.",
    "Invitation not valid": "Invitation non valide",
    "Welcome to %(organisation)s.": "Bienvenue dans %(organisation)s.",
    "pending": "en attente",
    "accepted": "acceptée",
    "expired": "expirée",
    "Invitation sent to %(email)s.": "Invitation envoyée à %(email)s.",
    "The invitation to %(email)s is revoked: its link no longer works.":
        "L'invitation à %(email)s est révoquée : son lien ne fonctionne plus.",
    "Role": "Rôle",
    "College": "Collège",
    "No college": "Aucun collège",
    "Invitation to %(organisation)s": "Invitation à %(organisation)s",
    "You are invited to join %(organisation)s as %(role)s.":
        "Vous êtes invité·e à rejoindre %(organisation)s comme %(role)s.",
    "College: %(college)s.": "Collège : %(college)s.",
    "Create your account to accept. You will sign in with the address %(email)s.":
        "Créez votre compte pour accepter. Vous vous connecterez avec le courriel %(email)s.",
    "Create my account and join": "Créer mon compte et rejoindre",
    "An account with the address %(email)s already exists. Sign in with it, then accept the"
    " invitation.":
        "Un compte existe déjà avec le courriel %(email)s. Connectez-vous avec, puis acceptez"
        " l'invitation.",
    "Sign in to accept": "Se connecter pour accepter",
    "This invitation is for %(email)s, but you are signed in as %(current)s. Sign out, then"
    " open the invitation link again.":
        "Cette invitation est destinée à %(email)s, mais vous êtes connecté·e comme"
        " %(current)s. Déconnectez-vous, puis rouvrez le lien de l'invitation.",
    "Go to %(organisation)s": "Aller à %(organisation)s",
    "Join %(organisation)s": "Rejoindre %(organisation)s",
    "Invite someone": "Inviter quelqu'un",
    "The person receives an e-mail with a link that works once, for %(lifetime)s.":
        "La personne reçoit un courriel avec un lien qui ne sert qu'une fois, pendant"
        " %(lifetime)s.",
    "Send the invitation": "Envoyer l'invitation",
    "Invitations sent": "Invitations envoyées",
    "Status": "État",
    "Sent": "Envoyée",
    "Action": "Action",
    "until %(date)s": "jusqu'au %(date)s",
    "by %(name)s": "par %(name)s",
    "Revoke the invitation to %(email)s": "Révoquer l'invitation à %(email)s",
    "Revoke": "Révoquer",
    "No invitation yet.": "Aucune invitation pour l'instant.",
}
