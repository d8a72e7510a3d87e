"""Link-preview images (OpenGraph and Twitter cards): a PNG per event and one for the timeline, drawn on the server
from the title, the date and the participants, in the reader's language.

The text is set in Pillow's own font (ImageFont.load_default), so that no system font is needed anywhere the site
runs. That font holds ASCII and a few signs only: a letter it lacks is drawn from one it has and an accent it has
("é" is "e" with "´" above it), a dash as a rule, and anything else it cannot draw as "?", so that French reads as
French and nothing shows as an empty box.
"""

import functools
import io
import unicodedata

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630  # the size OpenGraph and Twitter's large card show without cropping
MARGIN = 72
INK, MUTED, ACCENT, BACKGROUND = (29, 29, 31), (85, 90, 96), (11, 92, 173), (255, 255, 255)

# Accents the font has as signs of their own, by the combining mark they stand for.
SPACING_ACCENTS = {"\u0301": "\u00b4", "\u0300": "`", "\u0302": "^"}
LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"}
DASHES = {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212"}
SPACES = {"\u00a0", "\u202f", "\u2009", "\u2007", "\u200a"}


@functools.cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


@functools.cache
def has_glyph(size: int, character: str) -> bool:
    """Whether the font draws `character` itself rather than its box for a missing glyph."""
    if character == " ":
        return True
    return bytes(font(size).getmask(character)) != bytes(font(size).getmask("\uffff"))


def plain(text: str) -> str:
    """The text with what the font cannot space or join written as it can: spaces, ligatures."""
    text = "".join(" " if c in SPACES else LIGATURES.get(c, c) for c in text)
    return " ".join(text.split())


def pieces(text: str, size: int) -> list[tuple[str, str, str]]:
    """(base, accents, kind) for each character: kind is "glyph", "dash" or "unknown"."""
    found = []
    for character in plain(text):
        if has_glyph(size, character):
            found.append((character, "", "glyph"))
        elif character in DASHES:
            found.append(("-", "", "dash"))
        else:
            base, *marks = unicodedata.normalize("NFD", character)
            if has_glyph(size, base) and marks:
                found.append((base, "".join(marks), "glyph"))
            else:
                found.append(("?", "", "glyph"))
    return found


def advance(piece: tuple[str, str, str], size: int) -> float:
    base, _, kind = piece
    return size * 0.5 if kind == "dash" else font(size).getlength(base)


def text_width(text: str, size: int) -> float:
    return sum(advance(piece, size) for piece in pieces(text, size))


@functools.cache
def ink(size: int, character: str) -> tuple[int, int, int, int]:
    """Where `character` puts ink when drawn at (0, 0): left, top, right, bottom."""
    image = Image.new("L", (size * 3, size * 3), 0)
    ImageDraw.Draw(image).text((size, size), character, font=font(size), fill=255)
    left, top, right, bottom = image.getbbox() or (size, size, size, size)
    return left - size, top - size, right - size, bottom - size


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int, fill) -> None:
    """Draw `text` character by character, composing the letters the font lacks (see the module's docstring)."""
    x, y = xy
    face = font(size)
    x_height, cap_height, baseline = ink(size, "x")[1], ink(size, "E")[1], ink(size, "x")[3]
    # Accents sit where the font puts its acute, just over the small letters; over a capital, as much higher.
    accent_bottom = ink(size, "\u00b4")[3]
    for base, marks, kind in pieces(text, size):
        width = advance((base, marks, kind), size)
        if kind == "dash":
            middle = y + (x_height + baseline) / 2
            draw.rectangle(
                [x + size * 0.04, middle - size / 28, x + width - size * 0.04, middle + size / 28], fill=fill
            )
            x += width
            continue
        draw.text((x, y), base, font=face, fill=fill)
        left, top, right, _ = ink(size, base)
        centre, lift = x + (left + right) / 2, (x_height - cap_height) if base.isupper() else 0
        if marks and base in "ij":  # the dot gives way to the accent
            draw.rectangle([x + left, y + top, x + right, y + x_height - 1], fill=BACKGROUND)
        for mark in marks:
            if mark in SPACING_ACCENTS:
                sign = SPACING_ACCENTS[mark]
                sign_size = size if mark != "\u0302" else round(size * 0.55)  # "^" is a large sign of its own
                sign_left, _, sign_right, sign_bottom = ink(sign_size, sign)
                origin_x = centre - (sign_left + sign_right) / 2
                draw.text((origin_x, y + accent_bottom - lift - sign_bottom), sign, font=font(sign_size), fill=fill)
            elif mark == "\u0308":  # diaeresis: two dots
                radius = size * 0.055
                middle = y + accent_bottom - lift - radius * 1.6
                apart = max((right - left) * 0.22, size * 0.09)
                for dot in (centre - apart, centre + apart):
                    draw.ellipse([dot - radius, middle - radius, dot + radius, middle + radius], fill=fill)
            elif mark == "\u0327":  # cedilla: a comma under the letter
                comma_left, comma_top, comma_right, _ = ink(size, ",")
                origin = (centre - (comma_left + comma_right) / 2, y + baseline - comma_top)
                draw.text(origin, ",", font=face, fill=fill)
        x += width


def wrap(text: str, size: int, width: float, lines: int) -> list[str]:
    """`text` in at most `lines` lines of at most `width` pixels, the last one cut with "..." if need be."""
    words, result, line = plain(text).split(" "), [], ""
    for index, word in enumerate(words):
        candidate = f"{line} {word}".strip()
        if text_width(candidate, size) <= width or not line:
            line = candidate
            continue
        result.append(line)
        line = word
        if len(result) == lines:
            line = " ".join([result.pop(), *words[index:]])
            break
    result.append(line)
    if text_width(result[-1], size) > width:
        last = result[-1]
        while last and text_width(last + "...", size) > width:
            last = last[:-1].rstrip()
        result[-1] = last + "..."
    return result[:lines]


def preview(title: str, date: str, people: str, site: str) -> bytes:
    """The image as PNG bytes: the site's name, the title (up to three lines), the date and the participants."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 16, HEIGHT], fill=ACCENT)
    text_width_available = WIDTH - 2 * MARGIN
    draw_text(draw, (MARGIN, 56), site, 30, MUTED)
    y = 130
    for line in wrap(title, 64, text_width_available, 3):
        draw_text(draw, (MARGIN, y), line, 64, INK)
        y += 80
    y += 24
    if date:
        draw_text(draw, (MARGIN, y), date, 40, ACCENT)
        y += 64
    for line in wrap(people, 32, text_width_available, 2) if people else []:
        draw_text(draw, (MARGIN, y), line, 32, MUTED)
        y += 44
    draw.rectangle([MARGIN, HEIGHT - 40, WIDTH - MARGIN, HEIGHT - 36], fill=ACCENT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
