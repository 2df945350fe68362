"""A minimal LMS-style Django project: our apps come in only through the Open edX plugin machinery."""
