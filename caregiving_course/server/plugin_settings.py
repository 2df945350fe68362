"""Settings of the pages' shared layout and sign-in cache, set when loaded as an Open edX plugin app.

In a host the app gives our pages (badges, LTI embeds, module pages) their layout (``caregiving/base.html``),
its stylesheet and its catalogues; the host keeps its own home, sign-up and sign-in pages.
"""
from caregiving_course.plugin import PACKAGE_DIR


def plugin_settings(settings) -> None:
    """The catalogues of the shared layout, and how long a signed-in user's row is cached (our backend)."""
    locale = str(PACKAGE_DIR / "locale")
    paths = [str(p) for p in getattr(settings, "LOCALE_PATHS", [])]
    if locale not in paths:
        settings.LOCALE_PATHS = [*getattr(settings, "LOCALE_PATHS", []), locale]
    if not hasattr(settings, "USER_CACHE_SECONDS"):
        settings.USER_CACHE_SECONDS = 60
