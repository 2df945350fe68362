# The active-span index no longer holds the span's end, which every heartbeat moves (the clock row keeps the
# open span's id): the new index comes first so the foreign key always has one to use (MySQL/MariaDB).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('learner_record', '0002_activity_clock_spans'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='activespan',
            index=models.Index(fields=['learner', 'module_id', 'started_at'], name='learner_rec_learner_4fa11d_idx'),
        ),
        migrations.RemoveIndex(
            model_name='activespan',
            name='learner_rec_learner_48ac6e_idx',
        ),
    ]
