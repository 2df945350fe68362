"""Professional Practice in Caregiving: course content, credential framework, learner record, server and CLI."""
import warnings

# PyFilesystem2 (``fs``, which xblock-sdk's workbench imports) declares its namespace through pkg_resources,
# whose import warns that pkg_resources is deprecated. That is fs's business, not something an administrator can
# act on: this filter, installed before anything of ours imports fs, drops that one message from that one module.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated as an API", category=UserWarning,
                        module="fs$")
