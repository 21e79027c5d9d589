"""French translations of organisation administration: members, circles, colleges."""

ORGS: dict[str, str] = {
}
