"""Read a page the way a browser's tokenizer does (html.parser), to test what the markup really contains."""

from html.parser import HTMLParser


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Collector(HTMLParser):
    def __init__(self, tag: str):
        super().__init__(convert_charrefs=True)
        self.tag, self.found, self.open = tag, [], []

    def handle_starttag(self, tag, attrs):
        if tag == self.tag:
            element = {**dict(attrs), "_text": ""}
            self.found.append(element)
            if tag not in VOID:
                self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        if tag == self.tag:
            self.found.append({**dict(attrs), "_text": ""})

    def handle_endtag(self, tag):
        if tag == self.tag and self.open:
            self.open.pop()

    def handle_data(self, data):
        for element in self.open:
            element["_text"] += data


def elements(html: str | bytes, tag: str) -> list[dict]:
    """Every `tag` element: its attributes, and its text under "_text" (a <script>'s raw content)."""
    if isinstance(html, bytes):
        html = html.decode()
    collector = _Collector(tag)
    collector.feed(html)
    collector.close()
    return collector.found


def meta(html: str | bytes) -> dict[str, str]:
    """The page's <meta> tags as {property or name: content}."""
    return {m.get("property") or m.get("name"): m.get("content") for m in elements(html, "meta") if "content" in m}
