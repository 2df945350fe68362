"""Errors the learner record API raises for requests it refuses. Each message is for a person."""


class RecordError(ValueError):
    """The request is invalid (unknown learner or module, absurd hours...); nothing was changed."""


class NotAllowed(PermissionError):
    """The acting user may not see or change this learner's record."""
