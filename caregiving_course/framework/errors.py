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
