import django_fsm_log.managers
from django.db import migrations


#: django-fsm-log's table only grows (millions of rows in a few years): a record's trail, one kind's and the
#: newest-first list (the admin's and the API's, paged by cursor) each read an index in their order, never a sort.
AUDIT_INDEXES = {
    "audit_record_trail_idx": "content_type_id, object_id, timestamp, id",
    "audit_kind_newest_idx": "content_type_id, timestamp, id",
    "audit_newest_idx": "timestamp, id",
}


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("django_fsm_log", "0004_auto_20190131_0341"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoryEntry",
            fields=[],
            options={
                "verbose_name": "history entry",
                "verbose_name_plural": "history entries",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("django_fsm_log.statelog",),
            managers=[
                ("objects", django_fsm_log.managers.StateLogManager()),
            ],
        ),
        *(
            migrations.RunSQL(f"CREATE INDEX {name} ON django_fsm_log_statelog ({columns})", f"DROP INDEX {name}")
            for name, columns in AUDIT_INDEXES.items()
        ),
    ]
