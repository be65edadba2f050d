"""How long stored values may be, and which dates a store takes: one place for the server's request schemas
(``server/schemas.py``) and the importer (``admin/importer.py``), so a file and an API request meet the same limits.

Lengths are counted in characters (Python ``len``).
"""

#: Message bodies, knowledge-base articles and canned responses.
TEXT_MAX = 100_000
#: Customer and agent names.
NAME_MAX = 200
EMAIL_MAX = 320
#: A phone number as stored: digits and a leading '+'.
PHONE_MAX = 40
SUBJECT_MAX = 500
EXTERNAL_ID_MAX = 200
QUEUE_MAX = 64
LOGIN_MAX = 64
SLUG_MAX = 200
ARTICLE_TITLE_MAX = 300
CANNED_TITLE_MAX = 200
SHORTCUT_MAX = 64
CATEGORY_MAX = 64
#: Tags of an article or a case, skills and queues of an agent: the comma-separated list as stored.
TAGS_MAX = 2000
LANGUAGE_MAX = 8

#: Imported dates must fall in these years (inclusive): outside them they are typing errors, and date arithmetic
#: (SLA due times, reports) would overflow near the ends of Python's range.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
