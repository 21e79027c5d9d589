"""The pages of rounds: taking part, facilitating, results."""
