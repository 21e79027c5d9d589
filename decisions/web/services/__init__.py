"""Use cases: one function, one transaction; views, API, CLI and scheduler call them."""
