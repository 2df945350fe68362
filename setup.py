"""Professional Practice in Caregiving: XBlocks, learner record, LTI bridge and badge sync."""
from setuptools import find_packages, setup

setup(
    name="caregiving-course",
    version="0.1.0",
    description="Caregiving course XBlocks, learner record, LTI 1.3 bridge and Open Badges sync",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=["caregiving_course*", "xblocks*", "lti_bridge*", "sync*"]),
    include_package_data=True,
    package_data={
        "caregiving_course": ["content/*.yaml", "content/*.md", "content/modules/*.md", "content/credentials/*.yaml",
                              "server/templates/**/*", "server/static/**/*", "locale/*/LC_MESSAGES/*"],
        "xblocks": ["templates/**/*", "static/**/*", "locale/*/LC_MESSAGES/*", "scenarios/*"],
        "lti_bridge": ["templates/**/*", "static/**/*"],
        "sync": ["templates/**/*", "static/**/*", "contexts/*", "assets/*"],
    },
    install_requires=[
        "Django>=5.2,<5.3",
        "XBlock[django]==6.1.0",
        "xblock-sdk==0.14.0",
        "setuptools<82",
        "lxml>=5",
        "requests>=2.31",
        "APScheduler>=3.10,<4",
        "PyYAML>=6",
        "Markdown>=3.5",
        "nh3>=0.2.17",
        "waitress>=3",
        "dj-database-url>=2",
        "PyJWT[crypto]>=2.8",
        "oauthlib>=3.2",
        "PyLD>=2.0.4",
        "rich>=13",
        "whitenoise>=6",
    ],
    extras_require={
        "postgres": ["psycopg[binary]>=3.1"],
        "mysql": ["mysqlclient>=2.2.1"],
        "test": ["pytest>=8", "pytest-django>=4.8", "playwright>=1.45", "olxcleaner", "pylti1p3", "ruff"],
    },
    entry_points={
        "console_scripts": ["caregiving = caregiving_course.cli.main:main"],
        "xblock.v1": [],
        "lms.djangoapp": ["learner_record = caregiving_course.learner_record.apps:LearnerRecordConfig"],
    },
)
