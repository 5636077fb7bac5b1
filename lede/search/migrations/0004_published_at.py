"""The article's publication date on its search document, indexed with the
language: the PostgreSQL search takes the most recent matches of a common word
from the search table alone (``lede_search_recent``), at a cost that does not
grow with the archive (issue 17, goal 5; see lede.search.selectors).

The column is nullable so that SQLite adds it in place (a table rebuild would
drop the FTS5 triggers, see lede.search.models); the FTS5 update trigger only
fires for the text columns, so filling it leaves the FTS5 index alone. On
PostgreSQL every row is rewritten once: the GIN index is dropped for the fill
and built again after (16 s for 200,000 articles, against minutes of GIN
updates row by row), then the table is analysed (the search reads the
column's statistics).
"""

from django.db import migrations, models

DOC_TABLE = "lede_search_searchdocument"
GIN_INDEX = "lede_search_document_gin"
FILL = f"""
    UPDATE {DOC_TABLE} SET published_at = (
        SELECT a.published_at FROM editorial_articlepage a
        WHERE a.page_ptr_id = {DOC_TABLE}.article_id
    )
"""


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DOC_TABLE})")  # noqa: S608
        if not cursor.fetchone()[0]:
            return
        if connection.vendor == "postgresql":
            # PostgreSQL refuses to index a table with deferred foreign key
            # checks pending in the transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
            cursor.execute(FILL)
            cursor.execute(f"CREATE INDEX {GIN_INDEX} ON {DOC_TABLE} USING gin (document)")
            cursor.execute(f"ANALYZE {DOC_TABLE}")
        else:
            cursor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("lede_search", "0003_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(
                fields=["language", "-published_at", "-article"], name="lede_search_recent"
            ),
        ),
    ]
