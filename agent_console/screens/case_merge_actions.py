"""The case screen's merge, link and split (issue #21 points 2–4), and the line under its header that says where a
merged case went, what it is linked with and which open cases of the same customer may be duplicates.

A mixin of ``CaseDetailScreen``: ``m`` picks another open case of the customer (possible duplicates first), then
what to do with it — merge one into the other (after a confirmation that shows both cases), or link them; ``S``
splits the thread from a chosen message on into a new case. Every change runs through ``CaseMergeService`` in a
worker.
"""

from __future__ import annotations

from rich.text import Text
from textual import work

from agent_console.domain.case_merge import LINK_LABELS, CaseMergeService
from agent_console.domain.cases import CaseError
from agent_console.domain.help_articles import help_articles_of
from agent_console.domain.text import one_line
from agent_console.formatting import number as format_number
from agent_console.i18n import N_, _, ngettext
from agent_console.screens.confirm import ConfirmModal
from agent_console.screens.pick import PickModal
from agent_console.store.queries import NotFound
from agent_console.widgets.labels import status_label

MERGED_INTO = N_("Merged into {case}: everything of this case is there now.")
LINKED = N_("{kind} {case} {subject}")
DUPLICATES = N_("Possible duplicates: {cases} — {key} to merge or link")
READ_ON_HELP_CENTER = N_("Read on the help center before writing: {articles}")
NO_CANDIDATES = N_("No other open case of this customer to merge or link with.")
MERGE_QUESTION = N_("Merge {source} into {target}?")
MERGE_YES = N_("merge")
ACROSS_CUSTOMERS = N_("The cases belong to different customers.")
DONE = {"merge": N_("{source} merged into {target}."), "link": N_("{a} and {b} linked."),
        "unlink": N_("{a} and {b} unlinked."), "split": N_("{new} split off {case}.")}
REFUSED = {"merge": N_("Cannot merge"), "link": N_("Cannot link"), "unlink": N_("Cannot unlink"),
           "split": N_("Cannot split")}


def relations_text(snapshot, merge_key: str) -> Text:
    """The line(s) under the case header (empty when there is nothing to say); shown literally. ``merge_key`` is
    the key of merge / link as the agent has bound it."""
    lines = []
    if snapshot.merged_into_key:
        lines.append(_(MERGED_INTO).format(case=snapshot.merged_into_key))
    if snapshot.links:
        lines.append(_("Linked: {links}").format(links="; ".join(
            _(LINKED).format(kind=_(LINK_LABELS[link.kind]), case=link.key, subject=one_line(link.subject, 40))
            for link in snapshot.links)))
    if snapshot.duplicates:
        lines.append(_(DUPLICATES).format(cases=", ".join(case.key for case in snapshot.duplicates), key=merge_key))
    read = help_articles_of(snapshot.case)
    if read:
        lines.append(_(READ_ON_HELP_CENTER).format(articles="; ".join(one_line(title, 60) for _slug, title in read)))
    return Text("\n".join(one_line(line) for line in lines))


class CaseMergeActions:
    def _merge_key(self) -> str:
        from agent_console.screens.bindings import key_entries

        return next((key for key, _description, action in key_entries(self.app, "case")
                     if action == "merge_or_link"), "m")

    @property
    def merging(self) -> CaseMergeService:
        return CaseMergeService(self.app.store, self.app.clock, self.app.agent)

    def _candidates(self) -> list:
        """Other open cases of the customer, possible duplicates first, then the customer's other open cases."""
        snapshot = self.snapshot
        if snapshot is None or snapshot.merged_into_key:
            return []
        seen, found = set(), []
        for case in [*snapshot.duplicates, *(c for c in snapshot.other_cases if c.is_open and c.merged_into_id is None)]:
            if case.id not in seen:
                seen.add(case.id)
                found.append(case)
        return found

    def action_merge_or_link(self) -> None:
        candidates = self._candidates()
        linked = {link.key for link in (self.snapshot.links if self.snapshot else [])}
        if not candidates:
            self.notify(_(NO_CANDIDATES), severity="warning", markup=False)
            return
        by_key = {case.key: case for case in candidates}
        options = [(case.key, f"{case.key}  {one_line(case.subject, 40)}") for case in candidates]
        self.app.push_screen(PickModal(_("Merge or link with…"), options),
                             lambda key: key and self._pick_what(by_key[key], key in linked))

    def _pick_what(self, other, linked: bool) -> None:
        this = self.snapshot.case
        options = [("merge_here", _("Merge {other} into {this}").format(other=other.key, this=this.key)),
                   ("merge_there", _("Merge {this} into {other}").format(other=other.key, this=this.key)),
                   ("related", _("Link as related")), ("duplicate", _("Link as duplicate"))]
        if linked:
            options.append(("unlink", _("Remove the link")))

        def chosen(what: str | None) -> None:
            if what == "merge_here":
                self._confirm_merge(other, this)
            elif what == "merge_there":
                self._confirm_merge(this, other)
            elif what in ("related", "duplicate"):
                self._merge_action("link", this.key, other.key, what)
            elif what == "unlink":
                self._merge_action("unlink", this.key, other.key)

        self.app.push_screen(PickModal(_("{this} and {other}").format(this=this.key, other=other.key), options),
                             chosen)

    def _confirm_merge(self, source, target) -> None:
        snapshot = self.snapshot
        counts = {**snapshot.thread_sizes, snapshot.case.id: len(snapshot.messages)}
        reasons = [ngettext("{key} · {subject} · {status} · {count} message",
                            "{key} · {subject} · {status} · {count} messages", counts.get(case.id, 0)).format(
            key=case.key, subject=one_line(case.subject, 40), status=status_label(case.status),
            count=format_number(counts.get(case.id, 0))) for case in (source, target)]
        across = source.customer_id != target.customer_id
        if across:
            reasons.append(_(ACROSS_CUSTOMERS))
        self.app.push_screen(
            ConfirmModal(_(MERGE_QUESTION).format(source=source.key, target=target.key), reasons,
                         yes_label=_(MERGE_YES)),
            lambda yes: yes and self._merge_action("merge", source.key, target.key, across))

    @work(thread=True, group="case-merge", exit_on_error=False)
    def _merge_action(self, what: str, a: str, b, extra=None) -> None:
        app = self.app
        try:
            if what == "merge":
                target = self.merging.merge(a, b, across_customers=bool(extra))
                done = _(DONE[what]).format(source=a, target=target.key)
            elif what == "link":
                self.merging.link(a, b, extra)
                done = _(DONE[what]).format(a=a, b=b)
            elif what == "unlink":
                self.merging.unlink(a, b)
                done = _(DONE[what]).format(a=a, b=b)
            else:
                new_case = self.merging.split(a, b)
                done = _(DONE[what]).format(new=new_case.key, case=a)
        except (CaseError, NotFound) as exc:
            app.call_from_thread(self.notify, str(exc), title=_(REFUSED[what]), severity="error", markup=False)
            return
        app.call_from_thread(self._after_merge_action, done)

    def _after_merge_action(self, message: str) -> None:
        self.notify(message, markup=False)
        self.reload()

    def action_split_case(self) -> None:
        snapshot = self.snapshot
        if snapshot is None or len(snapshot.messages) < 2:
            self.notify(_("A case with one message cannot be split."), severity="warning", markup=False)
            return
        options = [(str(number), f"{number}. {one_line(m.author_name or '—', 20)}: {one_line(m.body, 50)}")
                   for number, m in enumerate(snapshot.messages, start=1) if number > 1]
        key, count = snapshot.case.key, len(snapshot.messages)
        self.app.push_screen(
            PickModal(_("Split off from which message on?"), options),
            lambda number: number and self._merge_action("split", key, list(range(int(number), count + 1))))
