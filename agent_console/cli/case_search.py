"""``agent-console case search "QUERY"``: one search over every case of the store (keys, subjects, messages and
notes, customers' names, addresses and numbers), best match first, with the snippet and the SLA state."""

from __future__ import annotations

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json

from agent_console.i18n import N_

#: Where the best match of a case was found (``CaseSearchHit.matched_in``), as shown.
MATCHED_IN = {"message": N_("message"), "note": N_("note"), "subject": N_("subject"), "customer": N_("customer"),
              "key": N_("case key")}


def register_search(group: typer.Typer) -> None:
    @group.command("search")
    def search_(
        ctx: typer.Context,
        query: str = typer.Argument(..., help="Words, a case key, a name, an e-mail address or a phone number; "
                                              "filters status:, queue:, channel:, customer:, before:, after:."),
        limit: int = typer.Option(20, "--limit", min=1, max=200, help="At most this many cases."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Search every case (messages, notes, subjects, keys, customers), best match first."""
        from agent_console.domain.case_search import FilterError, describe_filter_error, search_cases
        from agent_console.i18n import _

        obj = ctx_obj(ctx)
        now = obj.clock.now()
        with obj.store().session() as session:
            try:
                found = search_cases(session, query, now, limit=limit)
            except FilterError as exc:
                fail(describe_filter_error(exc))
        if json_out:
            print_json(found.as_dict(query))
            return
        _print_hits(found, query, _)


def _print_hits(found, query: str, _) -> None:
    from rich.text import Text

    from agent_console.domain.sla import SLA_STYLE, SLA_SYMBOL, format_remaining
    from agent_console.domain.text import mask_controls, one_line

    out = console()
    if not found.hits:
        out.print(Text(_("No case matches “{query}”.").format(query=query)))
        return
    if found.mode == "typo":
        fixes = ", ".join(f"{word} → {'/'.join(terms)}" for word, terms in found.corrections.items())
        out.print(Text(_("Nothing matched exactly; near words: {fixes}").format(fixes=fixes), style="yellow"))
    elif found.mode == "any":
        out.print(Text(_("Not every word matched; showing cases with some of them."), style="yellow"))
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False, collapse_padding=True, show_lines=True)
    table.add_column(_("key"), no_wrap=True, min_width=9)
    for header in (N_("status"), N_("queue"), N_("SLA")):
        table.add_column(_(header), no_wrap=True, overflow="ellipsis")
    table.add_column(_("subject"), overflow="fold", ratio=1)
    for hit in found.hits:
        # Masked, not cleaned: the highlight spans stay on their characters.
        cell = Text(mask_controls(hit.subject), style="bold")
        for start, end in hit.subject_spans:
            cell.stylize("yellow", start, end)
        cell.append("\n")
        cell.append(_("{customer} · found in: {where}").format(customer=one_line(hit.customer),
                                                              where=_(MATCHED_IN[hit.matched_in])), style="dim")
        if hit.snippet.text != hit.subject:
            snippet = Text(mask_controls(hit.snippet.text))
            for start, end in hit.snippet.spans:
                snippet.stylize("bold yellow", start, end)
            cell.append("\n")
            cell.append_text(snippet)
        sla = Text(f"{SLA_SYMBOL[hit.sla.state]} {format_remaining(hit.sla.remaining_s)}".strip(),
                   style=SLA_STYLE[hit.sla.state])
        table.add_row(Text(one_line(hit.key)), hit.status, Text(one_line(hit.queue, 16)), sla, cell)
    out.print(table)

