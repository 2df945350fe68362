"""The one error content loading raises."""
from __future__ import annotations


class ContentError(ValueError):
    """A content or credential file breaks a rule.

    The message names the file, the item (module or credential) and the rule, so an
    instructional designer can fix it without reading code.
    """

    def __init__(self, file: str, item: str, rule: str) -> None:
        self.file, self.item, self.rule = file, item, rule
        super().__init__(f"{file}: {item}: {rule}")


class ContentErrors(ContentError):
    """Several files or items break rules: all of them, found in one pass (``errors``, in file order).

    Its own file, item and rule are the first error's, so it is handled like one ContentError; its message
    lists every error, one a line.
    """

    def __init__(self, errors: list[ContentError]) -> None:
        first = errors[0]
        super().__init__(first.file, first.item, first.rule)
        self.errors = list(errors)
        self.args = ("\n".join(str(e) for e in self.errors),)

    def __str__(self) -> str:
        return self.args[0]
