"""Read a rendered form's fields the way a browser would submit them, so tests post what the page offers."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str | None, index: int):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.index = index
        self.forms_seen = 0
        self.in_form = False
        self.data: dict[str, list[str]] = {}
        self.select: str | None = None
        self.select_options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if self.form_id is None:
                self.in_form = self.forms_seen == self.index
            else:
                self.in_form = attrs.get("id") == self.form_id
            self.forms_seen += 1
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in {"submit", "button", "image", "file"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self.select, self.select_options = name, []
        elif tag == "option" and self.select is not None:
            self.select_options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select is not None:
            selected = [value for value, chosen in self.select_options if chosen]
            self.data[self.select] = selected
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # Browsers drop the one newline that follows <textarea>.
            self.data[self.textarea] = [self.text[1:] if self.text.startswith("\n") else self.text]
            self.textarea = None


def form_data(response, form_id: str | None = None, index: int = 0) -> dict[str, list[str]]:
    """The fields of the form with the id `form_id` (or else the index-th form), as the page filled them in."""
    parser = _FormParser(form_id, index)
    parser.feed(response.content.decode())
    return {name: values for name, values in parser.data.items() if "__prefix__" not in name}


def add_inline_row(data: dict, prefix: str, **fields) -> None:
    """Fill the next empty row of an inline formset, as clicking "Add another" and typing would."""
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(index + 1)]
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value if isinstance(value, list) else [str(value)]
