"""French translations of rounds."""

ROUNDS: dict[str, str] = {
}
