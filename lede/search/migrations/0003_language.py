"""Per-document language, and Arabic normalisation of the indexed text.

SQLite: the FTS5 triggers index each text through ``lede_search_normalize``
(registered on every connection by ``lede.search.apps``), and the index is
filled again from the table through it. PostgreSQL: nothing to rewrite (every
existing document is French, the default); the services pick each document's
configuration from now on.
"""

from django.db import migrations, models

DOC_TABLE = "lede_search_searchdocument"
FTS_TABLE = "lede_search_fts"
COLUMNS = ("title", "standfirst", "lead", "body", "credits", "section", "tags")
NORMALIZE = "lede_search_normalize"


def sqlite_triggers(columns, normalize):
    cols = ", ".join(columns)

    def values(row):
        if normalize:
            return ", ".join(f"{NORMALIZE}({row}.{c})" for c in columns)
        return ", ".join(f"{row}.{c}" for c in columns)

    return [
        f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {DOC_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.article_id, {values("new")});
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {DOC_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols})
                VALUES ('delete', old.article_id, {values("old")});
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF {cols} ON {DOC_TABLE}
        BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols})
                VALUES ('delete', old.article_id, {values("old")});
            INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.article_id, {values("new")});
        END""",
    ]


def sqlite_refill(columns, normalize):
    cols = ", ".join(columns)
    source = ", ".join(f"{NORMALIZE}({c})" if normalize else c for c in columns)
    return [
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')",
        f"INSERT INTO {FTS_TABLE}(rowid, {cols}) SELECT article_id, {source} FROM {DOC_TABLE}",
    ]


SQLITE_DROP_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    # Adding the column rebuilds the table on SQLite, which drops its triggers.
    _run(schema_editor, SQLITE_DROP_TRIGGERS)


def normalized_triggers(apps, schema_editor):
    _run(schema_editor, [*sqlite_triggers(COLUMNS, True), *sqlite_refill(COLUMNS, True)])


def plain_triggers(apps, schema_editor):
    _run(schema_editor, [*sqlite_triggers(COLUMNS, False), *sqlite_refill(COLUMNS, False)])


class Migration(migrations.Migration):
    dependencies = [
        ("lede_search", "0002_free_text"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, plain_triggers),
        migrations.AddField(
            model_name="searchdocument",
            name="language",
            field=models.CharField(db_index=True, default="fr", max_length=8),
        ),
        migrations.RunPython(normalized_triggers, drop_triggers),
    ]
