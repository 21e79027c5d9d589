"""Answering a round from its message: single-use answer links."""
