"""Index the free text of an article apart from its locked text.

New columns: ``lead`` (the part of the body the paywall shows every reader),
``section`` and ``tags``. What each engine indexes changes with them:

* SQLite: the FTS5 table gets the columns ``title, standfirst, lead, body,
  credits, section, tags`` (a column filter leaving out ``body`` matches the
  free text only); it and its triggers are created again.
* PostgreSQL: in ``document`` the body gets weight ``D`` (it had ``C``), which
  the free text never has. Until ``rebuild_search_index`` has run, existing
  rows hold their whole body as locked text (``D``) and no lead: a reader
  without an entitlement then matches a non-public article on its title,
  standfirst and credits only, never on more than they may read.

Run ``manage.py rebuild_search_index`` after this migration: it writes every
document whose text changed (all of them, as the new columns are empty).
"""

from django.db import migrations, models

DOC_TABLE = "lede_search_searchdocument"
FTS_TABLE = "lede_search_fts"
OLD_COLUMNS = ("title", "standfirst", "body", "credits")
COLUMNS = ("title", "standfirst", "lead", "body", "credits", "section", "tags")


def sqlite_create(columns):
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    # Prefix indexes for 4 and 5 characters: see migration 0001.
    return [
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
            {cols},
            content='{DOC_TABLE}',
            content_rowid='article_id',
            tokenize = "unicode61 remove_diacritics 2",
            prefix = '4 5'
        )""",
        f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {DOC_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.article_id, {new});
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {DOC_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols})
                VALUES ('delete', old.article_id, {old});
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF {cols} ON {DOC_TABLE}
        BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols})
                VALUES ('delete', old.article_id, {old});
            INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.article_id, {new});
        END""",
        # Index whatever the table already holds.
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
    ]


SQLITE_CREATE = sqlite_create(COLUMNS)
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

# Existing vectors: the whole body becomes locked text (weight D) until the
# documents are written again (the weights of lede.search.services).
POSTGRES_BODY_LOCKED = f"""
    UPDATE {DOC_TABLE} SET document =
        setweight(to_tsvector('lede_french'::regconfig, title), 'A')
        || setweight(to_tsvector('lede_french'::regconfig, standfirst), 'B')
        || setweight(to_tsvector('lede_french'::regconfig, credits), 'B')
        || setweight(to_tsvector('lede_french'::regconfig, body), 'D')
    WHERE document IS NOT NULL
"""
POSTGRES_BODY_FREE = f"""
    UPDATE {DOC_TABLE} SET document =
        setweight(to_tsvector('lede_french'::regconfig, title), 'A')
        || setweight(to_tsvector('lede_french'::regconfig, standfirst), 'B')
        || setweight(to_tsvector('lede_french'::regconfig, credits), 'B')
        || setweight(to_tsvector('lede_french'::regconfig, body), 'C')
    WHERE document IS NOT NULL
"""


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop_old_fts(apps, schema_editor):
    # The FTS5 table and triggers go before the columns change (either way:
    # Django may rebuild the table on SQLite, which drops its triggers) and
    # are created again after.
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)


def create_backend_objects(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, [POSTGRES_BODY_LOCKED])


def restore_old_fts(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, sqlite_create(OLD_COLUMNS))
    elif vendor == "postgresql":
        _run(schema_editor, [POSTGRES_BODY_FREE])


class Migration(migrations.Migration):
    dependencies = [
        ("lede_search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_old_fts, restore_old_fts),
        migrations.AddField(
            model_name="searchdocument",
            name="lead",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="section",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="tags",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(create_backend_objects, drop_old_fts),
    ]
