"""French translations of proposals."""

PROPOSALS: dict[str, str] = {
    "Proposals": "Propositions",
}
