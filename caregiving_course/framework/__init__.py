"""The credential framework: course content and credential definitions, loaded and checked.

``catalogue()`` is every course the installation serves, as one :class:`Catalogue`; ``load_course(path)`` returns
one validated :class:`Course`; any rule broken raises
:class:`ContentError` naming the file, the item and the rule.
"""
from caregiving_course.framework.catalogue import (
    ARCHIVED_MARK,
    catalogue,
    catalogue_folders,
    course_id_of,
    forget_catalogue,
)
from caregiving_course.framework.errors import ContentError
from caregiving_course.framework.loader import load_catalogue, load_course
from caregiving_course.framework.model import (
    Catalogue,
    Choice,
    Component,
    Course,
    Credential,
    Module,
    Question,
    Section,
)

__all__ = [
    "ARCHIVED_MARK", "Catalogue", "Choice", "Component", "ContentError", "Course", "Credential", "Module",
    "Question", "Section", "catalogue", "catalogue_folders", "course_id_of", "forget_catalogue", "load_catalogue",
    "load_course",
]
