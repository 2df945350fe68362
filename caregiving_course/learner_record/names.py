"""What the record accepts as a person's name and as a cohort's name.

A person's name is shown to instructors and written to CSV files: it is NFC-normalised and loses the
characters that change how the text around it reads without being seen (bidirectional overrides and
isolates, zero-width characters, the byte order mark) and every other control character, NUL included.
A cohort's name appears in URLs, file names and the instructor dashboard's script: a slug (letters,
digits, ``-`` and ``_``) of at most 80 characters.
"""
from __future__ import annotations

import re
import unicodedata

from caregiving_course.learner_record.errors import RecordError

# U+061C, U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+2066-U+2069, U+FEFF
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_COHORT = re.compile(r"[A-Za-z0-9_-]{1,80}")


def clean_person_name(name: str, max_length: int = 200) -> str:
    """``name`` normalised (NFC), without invisible direction/zero-width marks or control characters."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", str(name or "")))
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(text.split())[:max_length]


def check_cohort_name(name: str) -> str:
    """``name`` if it is a valid cohort name; :class:`RecordError` saying what is allowed otherwise."""
    if not isinstance(name, str) or not _COHORT.fullmatch(name):
        raise RecordError(f"a cohort name is 1 to 80 letters, digits, '-' or '_' (got {str(name)[:100]!r})")
    return name
