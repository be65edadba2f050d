"""The case search index on PostgreSQL: ``case_fts`` (a table with a ``tsvector`` per row and a GIN index) and the
PL/pgSQL triggers that write it in the writer's own transaction, like the SQLite index (``case_schema``).

The rows are the SQLite index's: one per message (``rowid`` = the message's id) and one per case (``rowid`` = minus
the case's id), each carrying its case's context, so the words of one query may hit the customer's name and the
message's body of the same row. The ``tsvector`` holds the columns under weights: A the subject, B the customer's
name and address, C the ids (case key, phone number endings; ``ac_case_ids``), D the message's text.

Text is folded inside PostgreSQL as ``normalise.fold`` does (ä→ae, ö→oe, ü→ue, ß→ss, other accents removed, any
punctuation a word separator) and then stemmed by PostgreSQL's own Snowball stemmers (German or English by the
case's language, without stop words, so that no word of a query is dropped on one side only; other languages are only
folded). Queries are stemmed by the same configurations (``case_pg``), so both sides agree; PostgreSQL's German
stemmer leaves a folded umlaut spelled out ("rueckzahl") where the Python one drops it ("ruckzahl"), which does not
matter because no token crosses from one index to the other.
"""

from __future__ import annotations

from agent_console.store.search.normalise import fold

#: The SQLite index's BM25 weights (subject 4, body 1, people 3, ids 5) as ts_rank weights {D, C, B, A}.
PG_RANK_WEIGHTS = "{0.2, 1.0, 0.6, 0.8}"


def _accent_table() -> tuple[str, str]:
    """Letters of Latin-1 and Latin Extended-A/B that ``normalise.fold`` turns into one ASCII letter, and that
    letter (capitals too: lower() leaves them alone in a database with the C locale)."""
    accented, plain = [], []
    for code in range(0xC0, 0x250):
        letter = chr(code)
        folded = fold(letter)
        if len(folded) == 1 and folded.isascii() and folded.isalpha() and letter != folded:
            accented.append(letter)
            plain.append(folded)
    return "".join(accented), "".join(plain)


_ACCENTED, _PLAIN = _accent_table()
#: ASCII punctuation and the usual typographic marks: word separators, as for ``normalise.words``.
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~„“”‚‘’«»‹›–—…·•§°"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_FOLD = (
    "translate(replace(replace(replace(replace(replace(replace(replace(replace(lower(coalesce(value, '')), "
    "'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss'), 'Ä', 'ae'), 'Ö', 'oe'), 'Ü', 'ue'), 'ẞ', 'ss'), "
    f"{_sql_string(_ACCENTED + _PUNCTUATION)}, {_sql_string(_PLAIN + ' ' * len(_PUNCTUATION))})"
)

_TOKEN_TYPES = ("asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, "
                "hword_numpart")

_CASE_ROW = ("SELECT {rowid}, c.id, ac_case_doc(c.subject, {body}, cu.name || ' ' || coalesce(cu.email, ''), "
             "ac_case_ids(c.key, cu.phone), c.language) "
             "FROM cases c JOIN customers cu ON cu.id = c.customer_id")
HEAD_ROWS = _CASE_ROW.format(rowid="-c.id", body="''")
MESSAGE_ROWS = _CASE_ROW.format(rowid="m.id", body="m.body") + " JOIN messages m ON m.case_id = c.id"

#: The body of each trigger function that keeps ``case_fts`` in step with messages, cases and customers (after
#: ``BEGIN``); ``case_pg_bulk`` puts its deferral in front of the same bodies.
CASE_TRIGGER_BODIES = {
    "ac_case_fts_messages": f"""IF TG_OP <> 'INSERT' THEN
            DELETE FROM case_fts WHERE rowid = old.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO case_fts (rowid, case_id, doc) {MESSAGE_ROWS} WHERE m.id = new.id;
        END IF;
        RETURN NULL;""",
    "ac_case_fts_cases": f"""IF TG_OP <> 'INSERT' THEN
            DELETE FROM case_fts WHERE case_id = old.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO case_fts (rowid, case_id, doc) {HEAD_ROWS} WHERE c.id = new.id;
        END IF;
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO case_fts (rowid, case_id, doc) {MESSAGE_ROWS} WHERE c.id = new.id;
        END IF;
        RETURN NULL;""",
    "ac_case_fts_customers": f"""DELETE FROM case_fts WHERE case_id IN (SELECT id FROM cases WHERE customer_id = old.id);
        INSERT INTO case_fts (rowid, case_id, doc) {HEAD_ROWS} WHERE c.customer_id = new.id;
        INSERT INTO case_fts (rowid, case_id, doc) {MESSAGE_ROWS} WHERE c.customer_id = new.id;
        RETURN NULL;""",
}


def case_trigger_function(name: str, *, or_replace: bool = False, first: str = "") -> str:
    """The statement that creates the trigger function ``name`` (``first``: statements run before its body)."""
    create = "CREATE OR REPLACE FUNCTION" if or_replace else "CREATE FUNCTION"
    return f"""{create} {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {first}{CASE_TRIGGER_BODIES[name]}
    END $$"""


PG_SCHEMA_STATEMENTS = (
    *(f"""CREATE TEXT SEARCH DICTIONARY ac_{language}_stem (TEMPLATE = snowball, LANGUAGE = {language})"""
      for language in ("german", "english")),
    *(f"""CREATE TEXT SEARCH CONFIGURATION ac_{language} (COPY = simple)""" for language in ("german", "english")),
    *(f"""ALTER TEXT SEARCH CONFIGURATION ac_{language} ALTER MAPPING FOR {_TOKEN_TYPES} WITH ac_{language}_stem"""
      for language in ("german", "english")),
    f"""CREATE FUNCTION ac_search_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT {_FOLD} $$""",
    """CREATE FUNCTION ac_search_config(language text) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE lower(left(btrim(coalesce(language, '')), 2))
                     WHEN 'de' THEN 'ac_german'::regconfig WHEN 'en' THEN 'ac_english'::regconfig
                     ELSE 'simple'::regconfig END $$""",
    # The ids column as functions.case_id_tokens writes it: the key's words, its number without leading zeros,
    # every ending of the phone number's digits from phones.MIN_INDEXED_DIGITS on.
    """CREATE FUNCTION ac_case_ids(key text, phone text) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    DECLARE
        tokens text[] := array_remove(regexp_split_to_array(btrim(ac_search_fold(key)), '\\s+'), '');
        word text;
        digits text := regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g');
    BEGIN
        FOREACH word IN ARRAY tokens LOOP
            IF word ~ '^[0-9]+$' AND ltrim(word, '0') NOT IN ('', word) THEN
                tokens := tokens || ltrim(word, '0');
            END IF;
        END LOOP;
        IF length(digits) >= 6 THEN
            FOR start IN 1 .. length(digits) - 5 LOOP
                tokens := tokens || substr(digits, start);
            END LOOP;
        ELSIF digits <> '' THEN
            tokens := tokens || digits;
        END IF;
        RETURN array_to_string(tokens, ' ');
    END $$""",
    """CREATE FUNCTION ac_case_doc(subject text, body text, people text, ids text, language text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector(ac_search_config(language), ac_search_fold(subject)), 'A')
            || setweight(to_tsvector(ac_search_config(language), ac_search_fold(body)), 'D')
            || setweight(to_tsvector(ac_search_config(language), ac_search_fold(people)), 'B')
            || setweight(to_tsvector('simple', ids), 'C') $$""",
    """CREATE TABLE case_fts (rowid bigint PRIMARY KEY, case_id bigint NOT NULL, doc tsvector NOT NULL)""",
    """CREATE INDEX case_fts_doc ON case_fts USING gin (doc)""",
    """CREATE INDEX case_fts_case ON case_fts (case_id)""",
    *(case_trigger_function(name) for name in CASE_TRIGGER_BODIES),
    """CREATE TRIGGER messages_case_search_insert_delete AFTER INSERT OR DELETE ON messages
        FOR EACH ROW EXECUTE FUNCTION ac_case_fts_messages()""",
    """CREATE TRIGGER messages_case_search_update AFTER UPDATE OF id, body, case_id ON messages FOR EACH ROW
        WHEN (old.id IS DISTINCT FROM new.id OR old.body IS DISTINCT FROM new.body
              OR old.case_id IS DISTINCT FROM new.case_id)
        EXECUTE FUNCTION ac_case_fts_messages()""",
    """CREATE TRIGGER cases_case_search_insert_delete AFTER INSERT OR DELETE ON cases
        FOR EACH ROW EXECUTE FUNCTION ac_case_fts_cases()""",
    # A sync upsert sets every column: re-index only when what the index holds changed.
    """CREATE TRIGGER cases_case_search_update AFTER UPDATE OF id, key, subject, language, customer_id ON cases
        FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id OR old.key IS DISTINCT FROM new.key
              OR old.subject IS DISTINCT FROM new.subject OR old.language IS DISTINCT FROM new.language
              OR old.customer_id IS DISTINCT FROM new.customer_id)
        EXECUTE FUNCTION ac_case_fts_cases()""",
    """CREATE TRIGGER customers_case_search_update AFTER UPDATE OF id, name, email, phone ON customers
        FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id OR old.name IS DISTINCT FROM new.name
              OR old.email IS DISTINCT FROM new.email OR old.phone IS DISTINCT FROM new.phone)
        EXECUTE FUNCTION ac_case_fts_customers()""",
    f"""INSERT INTO case_fts (rowid, case_id, doc) {HEAD_ROWS}""",
    f"""INSERT INTO case_fts (rowid, case_id, doc) {MESSAGE_ROWS}""",
)

PG_DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS messages_case_search_insert_delete ON messages",
    "DROP TRIGGER IF EXISTS messages_case_search_update ON messages",
    "DROP TRIGGER IF EXISTS cases_case_search_insert_delete ON cases",
    "DROP TRIGGER IF EXISTS cases_case_search_update ON cases",
    "DROP TRIGGER IF EXISTS customers_case_search_update ON customers",
    "DROP FUNCTION IF EXISTS ac_case_fts_messages()",
    "DROP FUNCTION IF EXISTS ac_case_fts_cases()",
    "DROP FUNCTION IF EXISTS ac_case_fts_customers()",
    "DROP TABLE IF EXISTS case_fts",
    "DROP FUNCTION IF EXISTS ac_case_doc(text, text, text, text, text)",
    "DROP FUNCTION IF EXISTS ac_case_ids(text, text)",
    "DROP FUNCTION IF EXISTS ac_search_config(text)",
    "DROP FUNCTION IF EXISTS ac_search_fold(text)",
    *(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS ac_{language}" for language in ("german", "english")),
    *(f"DROP TEXT SEARCH DICTIONARY IF EXISTS ac_{language}_stem" for language in ("german", "english")),
)
