"""Root pytest configuration: a fresh home folder per run and Django set up before test modules import models."""
import os
import tempfile


def pytest_configure(config) -> None:
    os.environ.setdefault("CAREGIVING_HOME", tempfile.mkdtemp(prefix="caregiving-test-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caregiving_course.settings")
    os.environ.setdefault("CAREGIVING_WORKBENCH", "1")  # the block tests render workbench scenarios
    import django

    django.setup()
