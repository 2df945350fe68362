"""Professional Practice in Caregiving: XBlocks, learner record, LTI bridge and badge sync."""
from setuptools import find_namespace_packages, setup

setup(
    name="caregiving-course",
    version="0.1.0",
    description="Caregiving course XBlocks, learner record, LTI 1.3 bridge and Open Badges sync",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    # Namespace discovery: template, static, content and locale folders ship as package data (MANIFEST.in).
    packages=find_namespace_packages(include=["caregiving_course*", "xblocks*", "lti_bridge*", "sync*"],
                                     exclude=["*.node_modules*"]),
    include_package_data=True,
    install_requires=[
        "Django>=5.2,<5.3",
        "XBlock[django]==6.1.0",
        "xblock-sdk==0.14.0",
        "setuptools<82",
        "lxml>=5",
        "requests>=2.31",
        "urllib3>=2",
        "APScheduler>=3.10,<4",
        "PyYAML>=6",
        "Markdown>=3.5",
        "nh3>=0.2.17",
        "waitress>=3,<4",  # caregiving_course.server.http_server subclasses its HTTP channel
        "dj-database-url>=2",
        "PyJWT[crypto]>=2.8",
        "cryptography>=42",  # sync.sealed: the badge platforms' secrets sealed at rest (Fernet)
        "oauthlib>=3.2",
        "PyLD>=2.0.4",
        "pyoxigraph>=0.5",  # sync.issuer.rdfc: RDFC-1.0 where first-degree hashes tie (and the W3C tests read N-Quads)
        "rich>=13",
        "whitenoise>=6",
        "Pillow>=10.1",
        "cachetools>=5",
        "django-oauth-toolkit>=3.4,<4",  # sync.clr_service: the CLR 2.0 API's OAuth 2.0 server
        "django-axes>=8,<9",  # failed sign-ins throttled per account and address (caregiving_course.server.throttle)
        "django-csp>=4,<5",  # the Content-Security-Policy header, with nonces for inline scripts
    ],
    extras_require={
        "postgres": ["psycopg[binary]>=3.1"],
        "mysql": ["mysqlclient>=2.2.1"],
        "redis": ["redis>=5"],  # a session cache shared by several server processes (CAREGIVING_CACHE_URL)
        "test": ["pytest>=8", "pytest-django>=4.8", "playwright>=1.45", "olxcleaner", "pylti1p3", "ruff",
                 "jsonschema>=4.18", "jwcrypto>=1.5", "joserfc>=1.0", "redis>=5",
                 "import-linter>=2.1", "edx-django-utils>=5",
                 "openbadgeslib>=4.6"],  # the third-party Open Badges 3.0 verifier of tests/issuer
    },
    entry_points={
        "console_scripts": ["caregiving = caregiving_course.cli.main:main"],
        "xblock.v1": [
            "caregiving_module = xblocks.module_block:CaregivingModuleBlock",
            "caregiving_progress = xblocks.progress_block:CaregivingProgressBlock",
            "caregiving_dashboard = xblocks.dashboard_block:InstructorDashboardBlock",
        ],
        # Open edX plugin apps (edx_django_utils.plugins): settings in each app's plugin_settings, URLs in url_config
        "lms.djangoapp": [
            "learner_record = caregiving_course.learner_record.apps:LearnerRecordConfig",
            "caregiving_server = caregiving_course.server.apps:ServerConfig",
            "caregiving_xblocks = xblocks.apps:XBlocksConfig",
            "lti_bridge = lti_bridge.apps:LtiBridgeConfig",
            "caregiving_sync = sync.apps:SyncConfig",
            "caregiving_xapi = sync.xapi.apps:XapiConfig",
        ],
        "tutor.plugin.v1": ["caregiving = caregiving_course.tutor_plugin"],  # `tutor plugins enable caregiving`
        "cms.djangoapp": [
            "learner_record = caregiving_course.learner_record.apps:LearnerRecordConfig",
            "caregiving_xblocks = xblocks.apps:XBlocksConfig",
        ],
    },
)
