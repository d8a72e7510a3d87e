"""Read a page the way a browser's tokenizer does (html.parser), to test what the markup really contains: its
elements and their text, its visible text, what a strict CSP would block, and its forms' fields as a browser would
submit them. One parser for every test that reads HTML."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Attributes whose values people read or hear, and the <meta> tags whose content is shown as a page's card.
READ_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "label"}
READ_META = {"description", "og:title", "og:description", "og:site_name", "twitter:title", "twitter:description"}
# Script types that are data, never executed, so that the CSP does not apply to them.
DATA_SCRIPTS = {"application/ld+json", "application/json"}
NOT_SUBMITTED = {"submit", "button", "image", "file"}


class Page(HTMLParser):
    def __init__(self, html: str | bytes):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []  # (tag, attributes) in document order
        self.texts: list[str] = []  # each element's text, by the same index
        self.inline_code: list[str] = []  # what a strict CSP blocks: inline scripts, <style>, style and on* attributes
        self.forms: list[tuple[str | None, dict[str, list[str]]]] = []  # (id, fields as submitted)
        self.read: list[tuple[str, str | None]] = []  # what people read or hear, with its language (lang), in order
        self._open: list[int] = []
        self._text_parts: list[str] = []
        self._in_script = False
        self._form: dict[str, list[str]] | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: list[str] | None = None  # [name, text]
        self.feed(html.decode() if isinstance(html, bytes) else html)
        self.close()

    # Reading

    @property
    def text(self) -> str:
        """The text of the page, as one line."""
        return " ".join("".join(self._text_parts).split())

    @property
    def inline_scripts(self) -> int:
        return sum(1 for code in self.inline_code if code.startswith("<script>"))

    def find(self, tag: str, **attrs) -> list[dict]:
        """The attributes of each `tag` element having these attribute values (`class_` for class)."""
        return [a for t, a in self.elements if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def form(self, form_id: str | None = None, index: int = 0) -> dict[str, list[str]]:
        """The fields of the form with the id `form_id` (or else the index-th form), as the page filled them in."""
        if form_id is not None:
            chosen = next((fields for id_, fields in self.forms if id_ == form_id), {})
        else:
            chosen = self.forms[index][1] if index < len(self.forms) else {}
        return {name: values for name, values in chosen.items() if "__prefix__" not in name}

    # Parsing

    def language(self, attrs: dict | None = None) -> str | None:
        """The language of text here: the lang of `attrs`, or of the nearest open element that has one."""
        if attrs and "lang" in attrs:
            return attrs["lang"]
        return next((self.elements[i][1]["lang"] for i in reversed(self._open) if "lang" in self.elements[i][1]), None)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        language = self.language(attrs)
        self.read += [(value, language) for name, value in attrs.items() if name in READ_ATTRIBUTES and value]
        if tag == "meta" and (attrs.get("name") or attrs.get("property")) in READ_META:
            self.read.append((attrs.get("content") or "", language))
        self.elements.append((tag, attrs))
        self.texts.append("")
        if tag not in VOID:
            self._open.append(len(self.elements) - 1)
        if tag == "script" and "src" not in attrs and attrs.get("type") not in DATA_SCRIPTS:
            self._in_script = True
        if tag == "style":
            self.inline_code.append("<style>")
        self.inline_code += [f"<{tag} {name}=...>" for name in attrs if name == "style" or name.startswith("on")]
        self._form_field(tag, attrs)

    def handle_endtag(self, tag):
        for position in range(len(self._open) - 1, -1, -1):
            if self.elements[self._open[position]][0] == tag:
                del self._open[position:]  # and any element left open inside it
                break
        if tag == "script":
            self._in_script = False
        elif tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            self._form[name] = [value for value, chosen in options if chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            # Browsers drop the one newline that follows <textarea>.
            self._form[name] = [text[1:] if text.startswith("\n") else text]
            self._textarea = None

    def handle_data(self, data):
        for index in self._open:
            self.texts[index] += data
        self._text_parts.append(data)
        if data.strip() and not any(self.elements[i][0] in ("script", "style", "textarea") for i in self._open):
            self.read.append((data, self.language()))
        if self._in_script and data.strip():
            self.inline_code.append(f"<script>{data.strip()[:40]}")
        if self._textarea is not None:
            self._textarea[1] += data

    def _form_field(self, tag: str, attrs: dict) -> None:
        if tag == "form":
            self._form = {}
            self.forms.append((attrs.get("id"), self._form))
            return
        name = attrs.get("name")
        if self._form is None:
            return
        if tag == "input" and name and attrs.get("type", "text") not in NOT_SUBMITTED:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._form.setdefault(name, []).append(attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]


def elements(html: str | bytes, tag: str) -> list[dict]:
    """Every `tag` element: its attributes, and its text under "_text" (a <script>'s raw content)."""
    page = Page(html)
    return [{**attrs, "_text": page.texts[i]} for i, (t, attrs) in enumerate(page.elements) if t == tag]


def meta(html: str | bytes) -> dict[str, str]:
    """The page's <meta> tags as {property or name: content}."""
    return {m.get("property") or m.get("name"): m.get("content") for m in elements(html, "meta") if "content" in m}


def inline_code(html: str | bytes) -> list[str]:
    """What a strict CSP would block: inline scripts, <style> elements, style and on* attributes."""
    return Page(html).inline_code


def form_data(response, form_id: str | None = None, index: int = 0) -> dict[str, list[str]]:
    """The fields of the response's form with the id `form_id` (or else the index-th form), as a browser sends them."""
    return Page(response.content).form(form_id, index)


def add_inline_row(data: dict, prefix: str, **fields) -> None:
    """Fill the next empty row of an inline formset, as clicking "Add another" and typing would."""
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(index + 1)]
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value if isinstance(value, list) else [str(value)]
