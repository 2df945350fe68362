"""The blocks' Django app: per-learner block state and the course pages (an Open edX LMS and CMS plugin app)."""
from django.apps import AppConfig

from caregiving_course.plugin import declare_plugin_app


class XBlocksConfig(AppConfig):
    name = "xblocks"
    label = "caregiving_xblocks"
    verbose_name = "Caregiving XBlocks"
    default_auto_field = "django.db.models.BigAutoField"  # as migrated, whatever the host's DEFAULT_AUTO_FIELD
    # /course/: the module pages an LTI launch opens, and their block handlers
    plugin_app = declare_plugin_app(lms_urls=("xblocks", "course"), cms=True)
