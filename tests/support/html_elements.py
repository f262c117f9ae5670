"""Elements of an HTML page by data-testid or tag, with their attributes and text, read with
the standard library's parser (for assertions on links and form controls)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {"input", "br", "img", "meta", "link", "hr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    _open: int = field(default=1, repr=False)

    @property
    def words(self) -> str:
        """The text with its whitespace (no-break spaces included) folded to single spaces."""
        return " ".join(self.text.split())


class _Collector(HTMLParser):
    def __init__(self, wanted):
        super().__init__()
        self.wanted = wanted
        self.found: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        for element in self.open:
            if element.tag == tag:
                element._open += 1
        attributes = {name: value or "" for name, value in attrs}
        if self.wanted(tag, attributes):
            element = Element(tag, attributes)
            self.found.append(element)
            if tag not in _VOID:
                self.open.append(element)

    def handle_endtag(self, tag):
        for element in list(self.open):
            if element.tag == tag:
                element._open -= 1
                if element._open == 0:
                    self.open.remove(element)

    def handle_data(self, data):
        for element in self.open:
            element.text += data


def elements(html: str, *, testid: str | None = None, tag: str | None = None, **attrs) -> list:
    """Every element matching the data-testid, the tag and the attributes given."""

    def wanted(found_tag, found_attrs):
        return (
            (testid is None or found_attrs.get("data-testid") == testid)
            and (tag is None or found_tag == tag)
            and all(found_attrs.get(name) == value for name, value in attrs.items())
        )

    collector = _Collector(wanted)
    collector.feed(html)
    return collector.found


def element(html: str, **query) -> Element | None:
    found = elements(html, **query)
    return found[0] if found else None
