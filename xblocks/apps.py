from django.apps import AppConfig


class XBlocksConfig(AppConfig):
    name = "xblocks"
    label = "caregiving_xblocks"
    verbose_name = "Caregiving XBlocks"
