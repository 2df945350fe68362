"""The error a command raises for a user mistake: printed as one line, exit status 2."""


class CommandError(Exception):
    """A mistake the person at the keyboard can fix; the message says how."""
