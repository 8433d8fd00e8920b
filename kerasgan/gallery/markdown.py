"""A small, safe Markdown -> HTML converter for the zoo's model cards.

It covers what the cards use: ATX headings (`#` .. `######`), paragraphs,
fenced code blocks (```` ``` ```` with an optional language), bullet and
numbered lists (continuation lines indented), pipe tables (a header row and a
`|---|` rule), block quotes, horizontal rules, and inline `code`, **bold**,
*italic* / _italic_, [links](url) and ![images](src).

Everything is escaped: raw HTML in a card is shown as text, never run. Link
and image targets are kept only when they are safe: `http:`, `https:`,
`mailto:` and `#anchors` for links, and relative paths without `..`, `\\`
or a scheme for both; `rewrite_image(src)` / `rewrite_link(href)` may map a
relative target to where the gallery put it (return None to drop it: the
text is kept, the target is not). Nothing here imports anything outside the
standard library.
"""

import html
import re

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE_RE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+.-]*)\s*$")
_BULLET_RE = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_NUMBER_RE = re.compile(r"^(\s*)(\d{1,9})[.)]\s+(.*)$")
_RULE_RE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_TABLE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def escape(text):
    """HTML-escapes `text` (quotes too, so it is safe inside attributes)."""
    return html.escape(str(text), quote=True)


def safe_relative(target):
    """True for a relative path that stays where it is put: no scheme, no
    leading `/`, no `..` part, no backslash, no control characters."""
    if not target or target.startswith(("/", "#")) or "\\" in target or _SCHEME_RE.match(target):
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    path = target.split("#", 1)[0].split("?", 1)[0]
    return all(part not in ("..",) for part in path.split("/"))


def safe_link(href):
    """True for link targets the gallery keeps: http(s), mailto, #anchors, safe relative paths."""
    if any(ord(c) < 32 or ord(c) == 127 for c in href) or " " in href:
        return False
    lowered = href.lower()
    if lowered.startswith(("http://", "https://", "mailto:")):
        return True
    if href.startswith("#"):
        return bool(re.match(r"^#[\w.-]*$", href))
    return safe_relative(href)


class _Inline:
    """Inline Markdown -> HTML, escaping every piece of text."""

    def __init__(self, rewrite_image=None, rewrite_link=None):
        self.rewrite_image = rewrite_image
        self.rewrite_link = rewrite_link

    def __call__(self, text):
        out = []
        i = 0
        n = len(text)
        while i < n:
            c = text[i]
            if c == "\\" and i + 1 < n and text[i + 1] in "\\`*_{}[]()#+-.!|<>~":
                out.append(escape(text[i + 1]))
                i += 2
                continue
            if c == "`":
                ticks = len(text[i:]) - len(text[i:].lstrip("`"))
                end = text.find("`" * ticks, i + ticks)
                if end != -1:
                    code = text[i + ticks : end]
                    if code.strip():
                        code = code.strip(" ") if code.startswith(" ") and code.endswith(" ") else code
                    out.append(f"<code>{escape(code)}</code>")
                    i = end + ticks
                    continue
                out.append(escape("`" * ticks))
                i += ticks
                continue
            if c == "!" and text.startswith("![", i):
                parsed = self._bracket(text, i + 1)
                if parsed is not None:
                    label, target, end = parsed
                    out.append(self._image(label, target))
                    i = end
                    continue
            if c == "[":
                parsed = self._bracket(text, i)
                if parsed is not None:
                    label, target, end = parsed
                    out.append(self._link(label, target))
                    i = end
                    continue
            if c in "*_" and text.startswith(c * 2, i):
                end = text.find(c * 2, i + 2)
                if end > i + 2 and not text[i + 2].isspace():
                    out.append(f"<strong>{self(text[i + 2 : end])}</strong>")
                    i = end + 2
                    continue
            if c in "*_":
                # `_` only at word boundaries (snake_case names stay as they are).
                before = text[i - 1] if i > 0 else " "
                if c == "*" or not (before.isalnum()):
                    end = self._closing(text, i, c)
                    if end is not None:
                        out.append(f"<em>{self(text[i + 1 : end])}</em>")
                        i = end + 1
                        continue
            out.append(escape(c))
            i += 1
        return "".join(out)

    @staticmethod
    def _closing(text, start, c):
        if start + 1 >= len(text) or text[start + 1].isspace():
            return None
        j = start + 1
        while True:
            j = text.find(c, j)
            if j == -1:
                return None
            after = text[j + 1] if j + 1 < len(text) else " "
            if not text[j - 1].isspace() and (c == "*" or not after.isalnum()) and text[j + 1 : j + 2] != c:
                return j
            j += 1

    @staticmethod
    def _bracket(text, start):
        """`[label](target)` at `start` -> (label, target, end index) or None."""
        depth = 0
        j = start
        while j < len(text):
            if text[j] == "\\":
                j += 2
                continue
            if text[j] == "[":
                depth += 1
            elif text[j] == "]":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        else:
            return None
        if not text.startswith("(", j + 1):
            return None
        close = text.find(")", j + 2)
        if close == -1:
            return None
        target = text[j + 2 : close].strip()
        title_match = re.match(r'^(\S+)\s+"[^"]*"$', target)
        if title_match:
            target = title_match.group(1)
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
        return text[start + 1 : j], target, close + 1

    def _image(self, alt, src):
        if self.rewrite_image is not None and safe_relative(src):
            src = self.rewrite_image(src)
        elif not src.lower().startswith("https://"):
            src = None
        if not src:
            return f'<span class="missing-image">[image: {escape(alt)}]</span>'
        return f'<img src="{escape(src)}" alt="{escape(alt)}" loading="lazy">'

    def _link(self, label, href):
        inner = self(label)
        if not safe_link(href):
            return inner
        if self.rewrite_link is not None and safe_relative(href):
            href = self.rewrite_link(href)
            if not href:
                return inner
        return f'<a href="{escape(href)}">{inner}</a>'


def _split_row(line):
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells, current, i, in_code = [], [], 0, False
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line) and line[i + 1] == "|":
            current.append("\\|")
            i += 2
            continue
        if c == "`":
            in_code = not in_code
        if c == "|" and not in_code:
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    cells.append("".join(current).strip())
    return cells


def _slug(text, used):
    slug = re.sub(r"[^\w\s-]", "", re.sub(r"<[^>]*>", "", text)).strip().lower()
    slug = re.sub(r"[\s_]+", "-", slug) or "section"
    base, k = slug, 2
    while slug in used:
        slug = f"{base}-{k}"
        k += 1
    used.add(slug)
    return slug


def to_html(text, rewrite_image=None, rewrite_link=None, heading_offset=0):
    """Markdown `text` -> an HTML fragment (see the module docstring).

    Args:
        rewrite_image: `f(relative_src) -> src or None` for relative image paths.
        rewrite_link: `f(relative_href) -> href or None` for relative links.
        heading_offset: added to every heading level (capped at 6), so a
            card's `#` title can sit below the page's own `<h1>`.
    """
    inline = _Inline(rewrite_image, rewrite_link)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = []
    used_ids = set()
    i = 0
    paragraph = []

    def flush_paragraph():
        if paragraph:
            out.append(f"<p>{inline(' '.join(s.strip() for s in paragraph))}</p>")
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        fence = _FENCE_RE.match(line)
        if fence:
            flush_paragraph()
            marker, lang = fence.group(2), fence.group(3)
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker[:3]):
                body.append(lines[i])
                i += 1
            i += 1  # the closing fence (or the end)
            cls = f' class="language-{escape(lang)}"' if lang else ""
            out.append(f"<pre><code{cls}>{escape(chr(10).join(body))}</code></pre>")
            continue
        if not stripped:
            flush_paragraph()
            i += 1
            continue
        heading = _HEADING_RE.match(line)
        if heading:
            flush_paragraph()
            level = min(6, len(heading.group(1)) + heading_offset)
            content = inline(heading.group(2))
            out.append(f'<h{level} id="{_slug(content, used_ids)}">{content}</h{level}>')
            i += 1
            continue
        if _RULE_RE.match(line) and not paragraph:
            out.append("<hr>")
            i += 1
            continue
        if "|" in line and i + 1 < len(lines) and _TABLE_RULE_RE.match(lines[i + 1]) and "-" in lines[i + 1]:
            flush_paragraph()
            header = _split_row(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].strip() and "|" in lines[i]:
                rows.append(_split_row(lines[i]))
                i += 1
            html_rows = []
            if any(cell for cell in header):
                html_rows.append("<thead><tr>" + "".join(f"<th>{inline(c)}</th>" for c in header) + "</tr></thead>")
            body = []
            for row in rows:
                row = (row + [""] * len(header))[: max(len(header), 1)]
                body.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>")
            html_rows.append("<tbody>" + "".join(body) + "</tbody>")
            out.append("<table>" + "".join(html_rows) + "</table>")
            continue
        if stripped.startswith(">"):
            flush_paragraph()
            quoted = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quoted.append(re.sub(r"^\s*>\s?", "", lines[i]))
                i += 1
            inner = to_html("\n".join(quoted), rewrite_image, rewrite_link, heading_offset)
            out.append(f"<blockquote>{inner}</blockquote>")
            continue
        bullet, number = _BULLET_RE.match(line), _NUMBER_RE.match(line)
        if (bullet or number) and not paragraph:
            ordered = number is not None and bullet is None
            pattern = _NUMBER_RE if ordered else _BULLET_RE
            items = []
            start = int(number.group(2)) if ordered else 1
            while i < len(lines):
                match = pattern.match(lines[i])
                if match:
                    items.append([match.group(3) if ordered else match.group(2)])
                    i += 1
                elif lines[i].strip() and items and lines[i].startswith((" ", "\t")):
                    items[-1].append(lines[i].strip())
                    i += 1
                else:
                    break
            tag = "ol" if ordered else "ul"
            attrs = f' start="{start}"' if ordered and start != 1 else ""
            body = "".join(f"<li>{inline(' '.join(item))}</li>" for item in items)
            out.append(f"<{tag}{attrs}>{body}</{tag}>")
            continue
        paragraph.append(line)
        i += 1
    flush_paragraph()
    return "\n".join(out)
