"""A byte-preserving scanner for Rockchip's MATLAB-style XML IQ files.

Python's XML libraries rewrite what they do not understand (line ends, attribute spacing,
``</tag >``). To change a handful of values and leave every other byte as it was we only need the
element tree with byte offsets; this module builds exactly that and nothing more. The files are
plain ASCII: no entities, no CDATA, no namespaces; the scanner reports comments (the rkaiq parser
crashes on them) and anything it does not understand as a :class:`ScanError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_TOKEN = re.compile(
    rb"<!--.*?-->"  # comment
    rb"|<\?.*?\?>"  # declaration / processing instruction
    rb"|<!\[CDATA\[.*?\]\]>"
    rb"|<!.*?>"  # doctype
    rb"|<(/?)([A-Za-z_][\w.\-]*)((?:\s+[\w.\-]+\s*=\s*\"[^\"]*\")*)\s*(/?)>",
    re.S,
)
_ATTR = re.compile(rb"([\w.\-]+)\s*=\s*\"([^\"]*)\"")
_SIZE = re.compile(r"^\[\s*(\d+)\s+(\d+)\s*\]$")


class ScanError(ValueError):
    """The bytes are not an IQ XML file we can read."""


@dataclass(eq=False)
class Element:
    name: str
    attrs: dict[str, str]
    start: int  # offset of '<'
    open_end: int  # offset just after the start tag's '>'
    close_start: int = -1  # offset of '</' (== open_end for <x/>)
    end: int = -1  # offset just after the end tag
    line: int = 0
    parent: Element | None = field(default=None, repr=False)
    children: list[Element] = field(default_factory=list, repr=False)

    @property
    def type(self) -> str | None:
        return self.attrs.get("type")

    @property
    def size(self) -> tuple[int, int] | None:
        """``(rows, cols)`` from ``size="[r c]"``, or None if absent or malformed."""
        raw = self.attrs.get("size")
        if raw is None:
            return None
        m = _SIZE.match(raw.strip())
        return (int(m.group(1)), int(m.group(2))) if m else None

    @property
    def count(self) -> int | None:
        s = self.size
        return s[0] * s[1] if s else None

    def child(self, name: str) -> Element | None:
        for c in self.children:
            if c.name == name:
                return c
        return None

    def children_named(self, name: str) -> list[Element]:
        return [c for c in self.children if c.name == name]

    def iter(self, name: str | None = None) -> Iterator[Element]:
        """This element and all descendants (document order), optionally by name."""
        stack = [self]
        while stack:
            el = stack.pop()
            if name is None or el.name == name:
                yield el
            stack.extend(reversed(el.children))

    def path(self) -> str:
        parts = []
        el: Element | None = self
        while el is not None:
            parts.append(el.name)
            el = el.parent
        return "/".join(reversed(parts))


@dataclass(eq=False)
class XmlDoc:
    data: bytes
    root: Element
    comments: list[tuple[int, int]]  # (offset, line) of every comment

    def text(self, el: Element) -> str:
        return self.data[el.open_end : el.close_start].decode("latin-1")

    def line_of(self, offset: int) -> int:
        return _line_of(self.data, offset)


def _line_of(data: bytes, offset: int) -> int:
    head = data[:offset]
    crlf = head.count(b"\r\n")
    return head.count(b"\n") + head.count(b"\r") - crlf + 1


def scan(data: bytes) -> XmlDoc:
    """Build the element tree with byte offsets; raises :class:`ScanError`."""
    if not data.strip():
        raise ScanError("file is empty")
    if b"\x00" in data[:4096]:
        raise ScanError("file is binary, not XML")
    stack: list[Element] = []
    root: Element | None = None
    comments: list[tuple[int, int]] = []
    pos = 0
    for m in _TOKEN.finditer(data):
        between = data[pos : m.start()]
        if b"<" in between:
            off = pos + between.index(b"<")
            raise ScanError(f"unreadable markup at line {_line_of(data, off)}")
        pos = m.end()
        tok = m.group(0)
        if tok.startswith(b"<!--"):
            comments.append((m.start(), _line_of(data, m.start())))
            continue
        if tok.startswith((b"<?", b"<!")):
            if tok.startswith(b"<![CDATA["):
                raise ScanError(f"CDATA at line {_line_of(data, m.start())} is not allowed")
            continue
        closing, name, attrs, selfclose = m.group(1), m.group(2), m.group(3), m.group(4)
        name_s = name.decode("ascii")
        if closing:
            if not stack or stack[-1].name != name_s:
                expected = stack[-1].name if stack else "nothing"
                raise ScanError(
                    f"line {_line_of(data, m.start())}: </{name_s}> closes <{expected}>"
                )
            el = stack.pop()
            el.close_start = m.start()
            el.end = m.end()
            continue
        el = Element(
            name=name_s,
            attrs={k.decode("latin-1"): v.decode("latin-1") for k, v in _ATTR.findall(attrs)},
            start=m.start(),
            open_end=m.end(),
            parent=stack[-1] if stack else None,
        )
        if stack:
            stack[-1].children.append(el)
        elif root is None:
            root = el
        else:
            raise ScanError(f"line {_line_of(data, m.start())}: a second top-level element")
        if selfclose:
            el.close_start = el.end = m.end()
        else:
            stack.append(el)
    tail = data[pos:]
    if b"<" in tail:
        raise ScanError(f"unreadable markup at line {_line_of(data, pos + tail.index(b'<'))}")
    if stack:
        raise ScanError(f"file ends inside <{stack[-1].name}> (truncated?)")
    if root is None:
        raise ScanError("no XML element found")
    return XmlDoc(data=data, root=root, comments=comments)
