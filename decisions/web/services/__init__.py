"""Use cases: one function, one transaction; views, API, CLI and scheduler call them."""


class ServiceError(ValueError):
    """A change that cannot be made, with a message for the person; ``field`` names the
    argument (and form field) the message is about."""

    def __init__(self, message: object, field: str = "email") -> None:
        super().__init__(message)
        self.field = field
