"""Read a rendered page as elements: their attributes, what a screen reader says and what the
eye sees (stdlib HTMLParser, enough for our own well-formed templates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def spoken(self) -> str:
        """The text a screen reader reads: aria-hidden parts left out."""
        return _text(self, lambda e: e.attrs.get("aria-hidden") == "true")

    def seen(self) -> str:
        """The text the eye sees: visually-hidden parts left out."""
        return _text(self, lambda e: "visually-hidden" in e.classes)


def _text(element: Element, skipped) -> str:
    if skipped(element):
        return ""
    parts = [c if isinstance(c, str) else _text(c, skipped) for c in element.children]
    return " ".join("".join(parts).split())


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    return builder.root


def find_all(html_or_root: str | Element, tag: str, css_class: str | None = None) -> list[Element]:
    root = parse(html_or_root) if isinstance(html_or_root, str) else html_or_root
    return [
        e for e in root.walk() if e.tag == tag and (css_class is None or css_class in e.classes)
    ]
