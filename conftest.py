"""Root pytest configuration: a fresh home folder per run and Django settings before anything imports them."""
import os
import tempfile


def pytest_configure(config) -> None:
    os.environ.setdefault("CAREGIVING_HOME", tempfile.mkdtemp(prefix="caregiving-test-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caregiving_course.settings")
