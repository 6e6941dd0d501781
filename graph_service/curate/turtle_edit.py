"""Triples removed from and added to a hand-written Turtle file by editing its text in place.

Rewriting a curated file with a serialiser would reorder it and lose its comments; a curator
reviewing `git diff vocab/` wants to see the label that changed and nothing else. So each
triple is edited where it is written (positions from curate/turtle_text.py):

* a removed and an added triple with the same subject and predicate (a label changed) replace
  the object's text in place: one changed line;
* a removed triple goes with its line when it has one (`    skos:altLabel "x"@fr ;`), else with
  its object and the comma before or after it, or its `predicate object ;` part;
* an added triple is a new line after the last line of its predicate's object list that ends
  with a comma, or after a line of the subject's block ending with `;`, or after the subject
  when it stands alone on its line; only when the block has none of these does its last line
  change (its `.` becomes `;`). A subject the file does not describe gets a new block, in the
  canonical layout, at the end of the file.

Comments are never removed: one inside a removed range stays on a line of its own. Each pass
makes at most one edit per block and the file is parsed again after it, so edits never overlap;
the caller checks that the result parses to exactly the triples expected.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from graph_service.curate.turtle_text import (
    Block,
    Occurrence,
    TurtleText,
    Unsupported,
    parse,
    row_terms,
    tokenize,
)
from graph_service.curate.turtle_write import INDENT, TermWriter


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] by `text`."""

    start: int
    end: int
    text: str


def edit_turtle(text: str, removed: Iterable[str], added: Iterable[str]) -> str:
    """The Turtle text with these triples (N-Triples rows) removed and added, edited in place;
    Unsupported when the text cannot be followed statement by statement or an edit does not
    read back as intended (the caller then writes the file in the canonical layout)."""
    removed, added = set(removed), set(added)
    doc = parse(text)
    passes = sum(len(doc.rows.get(row, ())) for row in removed) + len(added) + 2
    if text and not text.endswith("\n") and (removed & set(doc.rows) or added - set(doc.rows)):
        text += "\n"
        doc = parse(text)
    allowed = set(doc.rows) | added
    for _ in range(passes):
        to_remove = sorted(row for row in removed if row in doc.rows)
        to_add = sorted(row for row in added if row not in doc.rows)
        if not to_remove and not to_add:
            _check_comments(text, doc)
            return doc.text
        doc = parse(_apply(doc.text, _plan(doc, to_remove, to_add)))
        if set(doc.rows) - allowed:
            # A prefix redefined further down the file, for instance.
            raise Unsupported("a line written in place does not read as the triple it was for")
    raise Unsupported("the edits did not converge")


def _check_comments(original: str, edited: TurtleText) -> None:
    """Every comment of the original is still there (a safety net: edits keep comments)."""
    before = Counter(t.text for t in tokenize(original) if t.kind == "comment")
    if before - Counter(t.text for t in edited.comments):
        raise Unsupported("an edit would have removed a comment")


def _apply(text: str, edits: list[Edit]) -> str:
    """Apply edits from the end of the text backwards (none may overlap)."""
    limit = len(text) + 1
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        if edit.end > limit:
            raise Unsupported("two edits overlap")
        text = text[: edit.start] + edit.text + text[edit.end :]
        limit = edit.start
    return text


class _Planner:
    """The edits of one pass: at most one per block, plus new blocks at the end."""

    def __init__(self, doc: TurtleText) -> None:
        self.doc = doc
        self.writer = TermWriter(doc.prefixes)
        self.busy: set[int] = set()
        self.edits: list[Edit] = []
        self.subjects: dict[int, str] = {}
        self.verbs: dict[tuple[int, int], str] = {}
        for row, occurrences in doc.rows.items():
            s, p, _ = row_terms(row)
            for occ in occurrences:
                self.subjects[occ.block] = s
                self.verbs[(occ.block, occ.entry)] = p
        # The statement tokens, to find a token's neighbours by position.
        tokens = [t for t in doc.tokens if t.kind != "comment"]
        self._starts = [t.start for t in tokens]
        self._ends = [t.end for t in tokens]
        self._texts = [t.text for t in tokens]

    def take(self, block: int, edit: Edit) -> None:
        self.busy.add(block)
        self.edits.append(edit)

    # -- geometry --------------------------------------------------------------------------

    def cut(self, start: int, end: int) -> Edit:
        """Remove text[start:end], keeping any comment in it on a line of its own."""
        doc = self.doc
        kept = [c for c in doc.comments if start <= c.start < end]
        if not kept:
            return Edit(start, end, "")
        if start == doc.line_start(start):
            return Edit(start, end, "".join(f"{doc.indent(c.start)}{c.text}\n" for c in kept))
        tail = "" if end == doc.line_start(end) else doc.indent(end)
        return Edit(start, end, "".join(f" {c.text}\n" for c in kept) + tail)

    def cut_lines(self, start: int, end: int) -> Edit:
        """Remove the whole lines from the one holding `start` to the one holding `end`."""
        last = self.doc.line_end(end)
        return self.cut(self.doc.line_start(start), min(last + 1, len(self.doc.text)))

    def whole_lines(self, start: int, end: int) -> bool:
        return self.doc.starts_line(start) and self.doc.ends_line(end)

    def previous_end(self, pos: int) -> int:
        return self._ends[bisect.bisect_right(self._ends, pos) - 1]

    def next_start(self, pos: int) -> int:
        return self._starts[bisect.bisect_left(self._starts, pos)]

    def semicolons_end(self, pos: int) -> int:
        """The end of the run of `;` tokens that ends at `pos`."""
        index = bisect.bisect_left(self._starts, pos)
        while index < len(self._starts) and self._texts[index] == ";":
            pos = self._ends[index]
            index += 1
        return pos

    def insert_line(self, anchor: int, line: str) -> Edit:
        """A new line right after the line holding `anchor`."""
        end = self.doc.line_end(anchor)
        return Edit(end + 1, end + 1, line + "\n")

    def statement_indent(self, block: Block) -> str:
        for entry in reversed(block.entries):
            if self.doc.starts_line(entry.verb.start):
                return self.doc.indent(entry.verb.start)
        return INDENT

    # -- removing --------------------------------------------------------------------------

    def removal(self, occ: Occurrence) -> Edit:
        """The smallest edit that removes one written triple."""
        block = self.doc.blocks[occ.block]
        entry = block.entries[occ.entry]
        obj = entry.objects[occ.obj]
        if len(entry.objects) > 1:
            if occ.obj < len(entry.objects) - 1:
                comma = entry.commas[occ.obj]
                if self.whole_lines(obj.start, comma.end):
                    return self.cut_lines(obj.start, comma.end)
                return self.cut(obj.start, entry.objects[occ.obj + 1].start)
            return self.cut(entry.objects[occ.obj - 1].end, obj.end)
        if len(block.entries) == 1:
            return self.block_removal(block)
        if entry.semi is not None:
            # Through every `;` after it: a stray `;;` left first in a block would not parse.
            semis = self.semicolons_end(entry.semi.end)
            if self.whole_lines(entry.verb.start, semis):
                return self.cut_lines(entry.verb.start, semis)
            if self.doc.ends_line(semis):
                return self.cut(self.previous_end(entry.verb.start), semis)
            return self.cut(entry.verb.start, self.next_start(semis))
        previous = block.entries[occ.entry - 1]
        return self.cut(previous.objects[-1].end, obj.end)

    def block_removal(self, block: Block) -> Edit:
        doc = self.doc
        start, end = block.subject.start, block.dot.end
        if not self.whole_lines(start, end):
            return self.cut(start, end)
        first = doc.line_start(start)
        last = min(doc.line_end(end) + 1, len(doc.text))
        # Take the blank line before the block too, unless the block was the first thing.
        before = doc.line_start(first - 1) if first > 0 else first
        if before < first and not doc.text[before:first].strip():
            after = doc.text[last : doc.line_end(last)] if last < len(doc.text) else ""
            if not after.strip():
                first = before
        return self.cut(first, last)

    # -- adding ----------------------------------------------------------------------------

    def insertion(self, index: int, predicate: str, obj: str) -> Edit:
        """The edit that adds `predicate obj` to a subject's block, as one new line if it can."""
        doc, block = self.doc, self.doc.blocks[index]
        indent = self.statement_indent(block)
        text = self.writer.term(obj)
        same = [e for i, e in enumerate(block.entries) if self.verbs.get((index, i)) == predicate]
        verb = same[-1].verb.text if same else self.writer.term(predicate, predicate=True)
        if same:
            entry = same[-1]
            for i in reversed(range(len(entry.commas))):
                if doc.ends_line(entry.commas[i].end):
                    following = entry.objects[i + 1]
                    own = doc.indent(following.start) if doc.starts_line(following.start) else ""
                    return self.insert_line(
                        entry.commas[i].end, f"{own or indent + INDENT}{text} ,"
                    )
            if entry.semi is not None and doc.ends_line(entry.semi.end):
                return self.insert_line(entry.semi.end, f"{indent}{verb} {text} ;")
        for entry in reversed(block.entries):
            if entry.semi is not None and doc.ends_line(entry.semi.end):
                return self.insert_line(entry.semi.end, f"{indent}{verb} {text} ;")
        if doc.ends_line(block.subject.end):
            return self.insert_line(block.subject.end, f"{indent}{verb} {text} ;")
        return Edit(block.dot.start, block.dot.end, f";\n{indent}{verb} {text} .")

    def _verbs_of(self, index: int) -> set[str]:
        count = len(self.doc.blocks[index].entries)
        return {self.verbs[(index, e)] for e in range(count) if (index, e) in self.verbs}

    def blocks_of(self, subject: str, predicate: str) -> int | None:
        """The block to add to: one already using the predicate, else the subject's last."""
        mine = [i for i, s in self.subjects.items() if s == subject]
        using = [i for i in mine if predicate in self._verbs_of(i)]
        chosen = using or mine
        return max(chosen) if chosen else None


def _kind(term: str) -> str:
    """What sort of object a term is (a literal's language or datatype), to pair old and new."""
    if term.startswith('"'):
        return term.rpartition('"')[2]
    return term[:1]


def _plan(doc: TurtleText, to_remove: list[str], to_add: list[str]) -> list[Edit]:
    planner = _Planner(doc)
    adding = {row: row_terms(row) for row in to_add}
    pending_add = set(to_add)
    for row in to_remove:
        s, p, o = row_terms(row)
        occ = doc.rows[row][0]
        if occ.block in planner.busy:
            continue
        # A changed value (same subject and predicate) is replaced where it is written.
        candidates = [a for a in sorted(pending_add) if adding[a][:2] == [s, p]]
        candidates.sort(key=lambda a: _kind(adding[a][2]) != _kind(o))
        if candidates:
            obj = doc.blocks[occ.block].entries[occ.entry].objects[occ.obj]
            new = planner.writer.term(adding[candidates[0]][2])
            planner.take(occ.block, Edit(obj.start, obj.end, new))
            pending_add.discard(candidates[0])
            continue
        for occ in doc.rows[row]:
            if occ.block not in planner.busy:
                planner.take(occ.block, planner.removal(occ))
    new_blocks: list[tuple[str, str, str]] = []
    for row in sorted(pending_add):
        s, p, o = adding[row]
        index = planner.blocks_of(s, p)
        if index is None:
            new_blocks.append((s, p, o))
        elif index not in planner.busy:
            planner.take(index, planner.insertion(index, p, o))
    if new_blocks:
        separator = "\n" if doc.text.strip() else ""
        text = planner.writer.blocks(new_blocks)
        # First in the list: applied first, it ends up after a line inserted at the same place.
        planner.edits.insert(0, Edit(len(doc.text), len(doc.text), separator + text))
    return planner.edits
