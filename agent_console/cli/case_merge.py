"""``agent-console case merge|link|unlink|split|duplicates``: fix duplicate cases from the shell (issue #21)."""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import ctx_obj, echo, fail, print_json


def _merge_service(ctx: typer.Context):
    from agent_console.domain.case_merge import CaseMergeService

    obj = ctx_obj(ctx)
    return CaseMergeService(obj.store(), obj.clock, obj.agent(required=True))


def _run(action):
    from agent_console.domain.cases import CaseError
    from agent_console.store.queries import NotFound

    try:
        return action()
    except (CaseError, NotFound) as exc:
        fail(str(exc))


def register_merge_commands(group: typer.Typer) -> None:
    from agent_console.i18n import _

    @group.command("merge")
    def merge(
        ctx: typer.Context,
        source: str = typer.Argument(..., help="The case to merge away, e.g. AC-000041."),
        into: str = typer.Option(..., "--into", help="The case that takes its messages, calls and time."),
        across_customers: bool = typer.Option(False, "--across-customers",
                                              help="Merge even though the cases belong to different customers."),
    ) -> None:
        """Move everything of a case onto another; the merged case is closed and points there."""
        service = _merge_service(ctx)
        target = _run(lambda: service.merge(source.strip(), into.strip(), across_customers=across_customers))
        echo(_("{source} merged into {target}").format(source=source.strip(), target=target.key))

    @group.command("link")
    def link(
        ctx: typer.Context,
        case_a: str = typer.Argument(..., metavar="A", help="A case key."),
        case_b: str = typer.Argument(..., metavar="B", help="The case to link it with."),
        kind: str = typer.Option("related", "--kind", help="related, duplicate, or parent (A is B's parent)."),
    ) -> None:
        """Link two cases; both show the link in their header."""
        service = _merge_service(ctx)
        _run(lambda: service.link(case_a.strip(), case_b.strip(), kind))
        echo(_("{a} and {b} linked ({kind})").format(a=case_a.strip(), b=case_b.strip(), kind=kind.strip().lower()))

    @group.command("unlink")
    def unlink(
        ctx: typer.Context,
        case_a: str = typer.Argument(..., metavar="A", help="A case key."),
        case_b: str = typer.Argument(..., metavar="B", help="The case it is linked with."),
    ) -> None:
        """Remove the link between two cases."""
        service = _merge_service(ctx)
        if not _run(lambda: service.unlink(case_a.strip(), case_b.strip())):
            fail(_("{a} and {b} are not linked").format(a=case_a.strip(), b=case_b.strip()))
        echo(_("{a} and {b} unlinked").format(a=case_a.strip(), b=case_b.strip()))

    @group.command("split")
    def split(
        ctx: typer.Context,
        key: str = typer.Argument(..., help="The case key."),
        messages: list[int] = typer.Option(..., "--message", help="A message's number in the thread as 'case show' "
                                                                  "lists it (1 = the first); repeat for more."),
    ) -> None:
        """Start a new case for the same customer with the messages named."""
        service = _merge_service(ctx)
        new_case = _run(lambda: service.split(key.strip(), list(messages)))
        echo(_("{new} split off {case}").format(new=new_case.key, case=key.strip()))

    @group.command("duplicates")
    def duplicates(
        ctx: typer.Context,
        key: str = typer.Argument(..., help="The case key."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Other open cases of the same customer (by any of their addresses or numbers) from the last days."""
        from agent_console.domain.case_merge import possible_duplicates
        from agent_console.store import queries

        obj = ctx_obj(ctx)
        with obj.store().session() as session:
            case = _run(lambda: queries.case_by_key(session, key.strip()))
            found = [(c.key, c.subject, c.status, c.created_at) for c in
                     possible_duplicates(session, case, obj.clock.now())]
        if json_out:
            print_json([{"key": k, "subject": s, "status": st, "created_at": at} for k, s, st, at in found])
            return
        if not found:
            echo(_("no other open case of this customer"))
        for found_key, subject, _status, _created in found:
            echo(f"{found_key}  {subject}")


def case_header_lines(session, case, now) -> list[str]:
    """What ``case show`` adds under a case's header: where a merged case went, its links, possible duplicates."""
    from agent_console.domain.case_merge import LINK_LABELS, possible_duplicates, shown_links
    from agent_console.i18n import _
    from agent_console.store.models import Case

    lines = []
    if case.merged_into_id is not None:
        target = session.get(Case, case.merged_into_id)
        lines.append(_("merged into {case}").format(case=target.key))
    for link in shown_links(session, case):
        lines.append(_("linked: {kind} {case} {subject}").format(kind=_(LINK_LABELS[link.kind]), case=link.key,
                                                                 subject=link.subject))
    duplicates = possible_duplicates(session, case, now)
    if duplicates:
        lines.append(_("possible duplicates: {cases}").format(cases=", ".join(c.key for c in duplicates)))
    return lines


def case_merge_state(session, case) -> tuple[str | None, list[dict]]:
    """``fast_read.case_merge_state`` through the ORM: where the case went, and its links as shown."""
    from agent_console.domain.case_merge import shown_links
    from agent_console.store.models import Case

    merged_into = session.get(Case, case.merged_into_id).key if case.merged_into_id is not None else None
    return merged_into, [{"kind": link.kind, "key": link.key, "subject": link.subject, "status": link.status,
                          "uid": link.uid} for link in shown_links(session, case)]
