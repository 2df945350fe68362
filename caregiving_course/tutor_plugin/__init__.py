"""The Tutor plugin ``caregiving``: one command installs the course's blocks and apps into an Open edX site.

    pip install caregiving-course       # next to tutor; registers the plugin (entry point tutor.plugin.v1)
    tutor plugins enable caregiving
    tutor config save                   # renders the patches below into the Tutor environment
    tutor images build openedx && tutor local launch

It adds the package to the Open edX image's pip requirements (``OPENEDX_EXTRA_PIP_REQUIREMENTS``), sets the
LMS and CMS settings our apps read (public URL of LTI and badge links, keys folder, issuer identity, the
blocks' ``XBLOCK_SETTINGS``), lets Studio offer the three blocks (an init task enables them in
``XBlockStudioConfiguration``) and runs the sync as a long-lived job beside the LMS (``manage.py lms
caregiving_sync``: one leader at a time, like Celery beat). The patches are files in ``patches/``, named after
Tutor's patch points. This module imports only Tutor: it runs where Tutor runs, not in the platform.
"""
from __future__ import annotations

from importlib import metadata
from pathlib import Path

from tutor import hooks

PATCHES = Path(__file__).resolve().parent / "patches"
BLOCK_TYPES = ("caregiving_module", "caregiving_progress", "caregiving_dashboard")


def _version() -> str:
    try:
        return metadata.version("caregiving-course")
    except metadata.PackageNotFoundError:
        return "0.1.0"


hooks.Filters.CONFIG_DEFAULTS.add_items([
    # the public address of our LTI endpoints and badge pages (the LMS's own by default)
    ("CAREGIVING_BASE_URL", "{% if ENABLE_HTTPS %}https{% else %}http{% endif %}://{{ LMS_HOST }}"),
    ("CAREGIVING_KEYS_DIR", "/openedx/data/caregiving/keys"),  # in the LMS's data volume, readable by it only
    ("CAREGIVING_ISSUER_NAME", "{{ PLATFORM_NAME }}"),
    ("CAREGIVING_ISSUER_URL", "{% if ENABLE_HTTPS %}https{% else %}http{% endif %}://{{ LMS_HOST }}"),
    ("CAREGIVING_ISSUER_EMAIL", "{{ CONTACT_EMAIL }}"),
    ("CAREGIVING_HEARTBEAT_INTERVAL_SECONDS", 15),
    ("CAREGIVING_HEARTBEAT_IDLE_SECONDS", 120),
    ("CAREGIVING_SYNC_DELIVER_SECONDS", 5),
])
# The Open edX image installs this release (another requirement, a git URL..., with `tutor config save --set
# 'OPENEDX_EXTRA_PIP_REQUIREMENTS=[...]'`; a config.yml that already lists requirements must add ours).
hooks.Filters.CONFIG_OVERRIDES.add_items([
    ("OPENEDX_EXTRA_PIP_REQUIREMENTS", [f"caregiving-course=={_version()}"]),
])
hooks.Filters.ENV_PATCHES.add_items([(path.name, path.read_text(encoding="utf-8"))
                                     for path in sorted(PATCHES.iterdir()) if path.is_file()])
hooks.Filters.CLI_DO_INIT_TASKS.add_item((
    "cms",
    "./manage.py cms shell -c \"from xblock_django.models import XBlockStudioConfiguration as C; "
    + "; ".join(f"C.objects.create(name='{name}', template='', support_level='fs', enabled=True)"
                for name in BLOCK_TYPES) + "\"",
))
