"""The learner record: the one source of truth for what each learner did and earned.

Other packages call :mod:`caregiving_course.learner_record.api` and never touch the models.
"""
