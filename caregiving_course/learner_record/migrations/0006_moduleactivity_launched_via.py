from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('learner_record', '0005_courses_course_versions'),
    ]

    operations = [
        migrations.AddField(
            model_name='moduleactivity',
            name='launched_via',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
    ]
