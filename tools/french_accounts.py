"""French translations of accounts: invitations, profile, password reset."""

ACCOUNTS: dict[str, str] = {
}
