"""Cohorts become offerings (issue 18.4): the courses offered, dates, delivery, open enrolment and an enrolment
code. Existing cohorts become offerings of the first course, every enrolment kept, each with its own code; the
sign-up cohort (CAREGIVING_SIGNUP_COHORT) is open for self-enrolment."""

from django.conf import settings
from django.db import migrations, models

import caregiving_course.learner_record.models

FIRST_COURSE = "professional-practice-in-caregiving"


def offer_the_first_course(apps, schema_editor):
    Cohort = apps.get_model("learner_record", "Cohort")
    for cohort in Cohort.objects.all():
        cohort.courses = [FIRST_COURSE]
        cohort.enrolment_code = caregiving_course.learner_record.models.new_enrolment_code()
        # the cohort learners who sign up on their own join is open for self-enrolment
        cohort.open_enrolment = cohort.name == getattr(settings, "SIGNUP_COHORT", "open-enrolment")
        cohort.save(update_fields=["courses", "enrolment_code", "open_enrolment"])


class Migration(migrations.Migration):

    dependencies = [
        ('learner_record', '0006_moduleactivity_launched_via'),
    ]

    operations = [
        migrations.AddField(model_name='cohort', name='courses', field=models.JSONField(default=list)),
        migrations.AddField(model_name='cohort', name='starts_on', field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name='cohort', name='ends_on', field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name='cohort', name='delivery', field=models.CharField(
            choices=[('self-paced', 'Self-paced'), ('instructor-led', 'Instructor-led'), ('blended', 'Blended'),
                     ('face-to-face', 'Face to face')], default='self-paced', max_length=16)),
        migrations.AddField(model_name='cohort', name='open_enrolment', field=models.BooleanField(default=False)),
        migrations.AddField(model_name='cohort', name='enrolment_code',
                            field=models.CharField(max_length=12, null=True)),
        migrations.RunPython(offer_the_first_course, migrations.RunPython.noop),
        migrations.AlterField(model_name='cohort', name='enrolment_code', field=models.CharField(
            default=caregiving_course.learner_record.models.new_enrolment_code, max_length=12, unique=True)),
    ]
