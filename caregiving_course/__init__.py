"""Professional Practice in Caregiving: course content, credential framework, learner record, server and CLI."""
