"""tantivy (Rust; Snowball stemmers for German and English) as the reference engine of the search benchmarks: an
in-memory index with one field per text column and language, queried with the same user text and asked for the
same number of hits with a highlighted snippet each."""

from __future__ import annotations

import time
from collections.abc import Iterable


def stemmed_index(columns: tuple[str, ...], documents: Iterable[tuple[str, dict[str, str]]]):
    """(build ms, search(query, limit) -> hits) over ``documents`` of (language "de"/"en", {column: text})."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    fields = [f"{column}_{language}" for language in ("de", "en") for column in columns]
    for language in ("de", "en"):
        for column in columns:
            builder.add_text_field(f"{column}_{language}", stored=True, tokenizer_name=f"stem_{language}")
    schema = builder.build()
    index = tantivy.Index(schema)
    for language, stemmer in (("de", "german"), ("en", "english")):
        index.register_tokenizer(f"stem_{language}", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                                 .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold())
                                 .filter(tantivy.Filter.stemmer(stemmer)).build())
    t0 = time.perf_counter()
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    for language, values in documents:
        lang = "de" if language == "de" else "en"
        writer.add_document(tantivy.Document(**{f"{column}_{lang}": text for column, text in values.items()}))
    writer.commit()
    writer.wait_merging_threads()
    build_ms = (time.perf_counter() - t0) * 1000
    index.reload()
    searcher = index.searcher()
    snippet_fields = [f"{columns[-1]}_{language}" for language in ("de", "en")]

    def search(query_text: str, limit: int, snippets: bool = True):
        query, _errors = index.parse_query_lenient(query_text, fields)
        hits = searcher.search(query, limit).hits
        if hits and snippets:
            generators = [tantivy.SnippetGenerator.create(searcher, query, schema, field) for field in snippet_fields]
            for _score, address in hits:
                doc = searcher.doc(address)
                for generator in generators:
                    generator.snippet_from_doc(doc)
        return hits

    return build_ms, search
