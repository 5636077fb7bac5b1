"""The search index table, plus what each database engine needs around it.

SQLite: an FTS5 external-content table over ``lede_search_searchdocument`` and
the triggers that keep it in step. PostgreSQL: the ``unaccent`` extension, the
``lede_french`` text search configuration and the GIN index on ``document``.
The SQL lives here (frozen with the migration) rather than in app code.
"""

import django.contrib.postgres.search
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

DOC_TABLE = "lede_search_searchdocument"
FTS_TABLE = "lede_search_fts"
COLUMNS = ("title", "standfirst", "body", "credits")

_cols = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)

# Prefix indexes for 4 and 5 characters: the last word of a query also matches
# as a prefix (lede.search.text.MIN_PREFIX_LENGTH); without them a short prefix
# shared by thousands of words costs seconds.
SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        {_cols},
        content='{DOC_TABLE}',
        content_rowid='article_id',
        tokenize = "unicode61 remove_diacritics 2",
        prefix = '4 5'
    )""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {DOC_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, {_cols}) VALUES (new.article_id, {_new});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {DOC_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_cols})
            VALUES ('delete', old.article_id, {_old});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF {_cols} ON {DOC_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_cols})
            VALUES ('delete', old.article_id, {_old});
        INSERT INTO {FTS_TABLE}(rowid, {_cols}) VALUES (new.article_id, {_new});
    END""",
    # Index whatever the table already holds (nothing on a fresh install).
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'lede_french') THEN
            CREATE TEXT SEARCH CONFIGURATION lede_french (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION lede_french
                ALTER MAPPING FOR asciiword, word, hword, hword_part, asciihword, hword_asciipart
                WITH unaccent, french_stem;
        END IF;
    END
    $$""",
    # lede.search.services drops and recreates this index around a first bulk
    # load (same name and definition there).
    f"CREATE INDEX IF NOT EXISTS lede_search_document_gin ON {DOC_TABLE} USING gin (document)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS lede_search_document_gin",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS lede_french",
    # The unaccent extension stays: something else may use it.
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def create_backend_objects(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_backend_objects(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("editorial", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="editorial.articlepage",
                    ),
                ),
                ("title", models.TextField()),
                ("standfirst", models.TextField(blank=True, default="")),
                ("body", models.TextField(blank=True, default="")),
                ("credits", models.TextField(blank=True, default="")),
                (
                    "document",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "document de recherche",
                "verbose_name_plural": "documents de recherche",
            },
        ),
        migrations.RunPython(create_backend_objects, drop_backend_objects),
    ]
