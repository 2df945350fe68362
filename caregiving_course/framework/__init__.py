"""The credential framework: course content and credential definitions, loaded and checked.

``load_course(path)`` returns a validated :class:`Course`; any rule broken raises
:class:`ContentError` naming the file, the item and the rule.
"""
from caregiving_course.framework.errors import ContentError
from caregiving_course.framework.loader import default_course, load_course
from caregiving_course.framework.model import Choice, Component, Course, Credential, Module, Question, Section

__all__ = [
    "Choice", "Component", "ContentError", "Course", "Credential", "Module", "Question", "Section",
    "default_course", "load_course",
]
