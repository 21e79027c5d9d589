"""French translations of scheduler."""

SCHEDULER: dict[str, str] = {
}
