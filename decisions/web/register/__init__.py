"""The register of decisions, its public face, a proposal's whole history, and the results
of a round as CSV."""
