"""search: the databases' own full-text indexes over products

PostgreSQL: a text-search configuration that folds accents with `unaccent` (đ -> d too), a
stored weighted tsvector (name and English name A, description B, the folded search_text
with the farm's name, province and commune C) and one of the name alone, with GIN indexes,
and statistics on how names start; pg_trgm's index on search_name stays for typing
mistakes, the one on search_text goes (nothing reads it now).

SQLite: an FTS5 table over the folded search_name and search_text, kept in step by
triggers, with a vocabulary table that spelling correction reads. A later migration that
copies the product table (batch mode) drops the triggers with it and must create them again;
tests/products/test_search_index.py checks they exist at head.

unaccent is not a trusted extension: a deployment whose migrations do not run as superuser
creates it (and pg_trgm) once beforehand: see README, Catalog search.

Revision ID: 5e7a1c0d9b42
Revises: 5e7a0c3d9f21
Create Date: 2026-11-30 00:20:00
"""

from alembic import op

revision = "5e7a1c0d9b42"
down_revision = "5e7a0c3d9f21"
branch_labels = None
depends_on = None

_PG_UP = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TEXT SEARCH CONFIGURATION nongsan_search (COPY = simple)",
    # Words (with or without letters outside ASCII) lose their accents, then are lower-cased
    # by simple; numbers and the like stay as simple makes them.
    "ALTER TEXT SEARCH CONFIGURATION nongsan_search "
    "ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple",
    "ALTER TABLE product ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('nongsan_search'::regconfig, name || ' ' || english_name), 'A')"
    " || setweight(to_tsvector('nongsan_search'::regconfig, description), 'B')"
    " || setweight(to_tsvector('nongsan_search'::regconfig, search_text), 'C')"
    ") STORED",
    "CREATE INDEX ix_product_search_vector ON product USING gin (search_vector)",
    # The name alone: what ranking asks about most, answered from its own small index.
    "ALTER TABLE product ADD COLUMN name_vector tsvector GENERATED ALWAYS AS ("
    " to_tsvector('nongsan_search'::regconfig, name || ' ' || english_name)) STORED",
    "CREATE INDEX ix_product_name_vector ON product USING gin (name_vector)",
    # How many names start with a word (search_query.name_starts_with): without it the
    # planner guesses 0.5 % for every word, "vải" or not.
    "CREATE STATISTICS st_product_search_name_padded ON ((search_name || ' ')) FROM product",
    "DROP INDEX IF EXISTS ix_trgm_product_search_text",
)

_PG_DOWN = (
    "DROP STATISTICS IF EXISTS st_product_search_name_padded",
    "CREATE INDEX ix_trgm_product_search_text ON product USING gin (search_text gin_trgm_ops)",
    "DROP INDEX IF EXISTS ix_product_name_vector",
    "ALTER TABLE product DROP COLUMN name_vector",
    "DROP INDEX IF EXISTS ix_product_search_vector",
    "ALTER TABLE product DROP COLUMN search_vector",
    "DROP TEXT SEARCH CONFIGURATION nongsan_search",
    # unaccent stays: other databases objects may use it, and dropping needs a superuser.
)

_SQLITE_UP = (
    # External content: the text stays in product; the index holds only the terms.
    "CREATE VIRTUAL TABLE product_search USING fts5("
    "search_name, search_text, content='product', content_rowid='id', prefix='2 3')",
    "INSERT INTO product_search(product_search) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE product_search_vocab USING fts5vocab(product_search, 'row')",
    "CREATE TRIGGER product_search_insert AFTER INSERT ON product BEGIN"
    " INSERT INTO product_search(rowid, search_name, search_text)"
    " VALUES (new.id, new.search_name, new.search_text); END",
    "CREATE TRIGGER product_search_delete AFTER DELETE ON product BEGIN"
    " INSERT INTO product_search(product_search, rowid, search_name, search_text)"
    " VALUES ('delete', old.id, old.search_name, old.search_text); END",
    "CREATE TRIGGER product_search_update AFTER UPDATE OF search_name, search_text ON product"
    " BEGIN"
    " INSERT INTO product_search(product_search, rowid, search_name, search_text)"
    " VALUES ('delete', old.id, old.search_name, old.search_text);"
    " INSERT INTO product_search(rowid, search_name, search_text)"
    " VALUES (new.id, new.search_name, new.search_text); END",
)

_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS product_search_update",
    "DROP TRIGGER IF EXISTS product_search_delete",
    "DROP TRIGGER IF EXISTS product_search_insert",
    "DROP TABLE IF EXISTS product_search_vocab",
    "DROP TABLE IF EXISTS product_search",
)


def _run(statements: tuple[str, ...]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _run(_PG_UP)
    elif dialect == "sqlite":
        _run(_SQLITE_UP)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _run(_PG_DOWN)
    elif dialect == "sqlite":
        _run(_SQLITE_DOWN)
