"""Reading a fetched page: its HTML as text, and the watcher's guesses (a meeting date,
the people named, the headings and the points that look agreed). Guesses only: a person
checks every one in the inbox before anything is drafted from it."""

import datetime
import re
from html.parser import HTMLParser

BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "ul", "ol", "table"}
HEADINGS = {"h2", "h3"}
MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
DATE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE
)
SENTENCE = re.compile(r"(?<=[.!?])\s+")
AGREED = re.compile(r"\b(agreed|will|committed to)\b", re.IGNORECASE)
MAX_POINT = 1000


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.headings: list[str] = []
        self.items: list[str] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.parts.append("\n")
        if tag in HEADINGS or tag == "li":
            self._open.append((tag, []))

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.parts.append("\n")
        if self._open and self._open[-1][0] == tag:
            _, words = self._open.pop()
            text = _squash("".join(words))
            if text:
                (self.headings if tag in HEADINGS else self.items).append(text)

    def handle_data(self, data):
        self.parts.append(data)
        for _, words in self._open:
            words.append(data)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_html(html: str) -> dict:
    """{"text", "headings", "items"} from a page body."""
    reader = _Reader()
    reader.feed(html or "")
    reader.close()
    lines = [_squash(line) for line in "".join(reader.parts).split("\n")]
    text = "\n\n".join(line for line in lines if line)
    return {"text": text, "headings": reader.headings, "items": reader.items}


def meeting_date(*texts: str) -> datetime.date | None:
    """The first whole date written out in the title or text ("14 November 2026")."""
    for text in texts:
        for day, month, year in DATE.findall(text or ""):
            try:
                return datetime.date(int(year), MONTHS[month.lower()], int(day))
            except ValueError:
                continue
    return None


def agreed_points(text: str, items: list[str]) -> list[str]:
    """List items, then sentences saying what was agreed or what someone will do."""
    points = [item[:MAX_POINT] for item in items]
    for paragraph in (text or "").split("\n\n"):
        for sentence in SENTENCE.split(paragraph):
            sentence = sentence.strip()
            if AGREED.search(sentence) and sentence not in points:
                points.append(sentence[:MAX_POINT])
    return points


def people_named(text: str, people) -> list[dict]:
    """Which of `people` ((pk, name) pairs) the text names, longest names first so that
    "Andy Burnham" is not also read as someone called "Andy"."""
    found, seen = [], set()
    for pk, name in sorted(people, key=lambda p: -len(p[1])):
        if len(name) < 5 or pk in seen:
            continue
        if re.search(r"\b" + re.escape(name) + r"\b", text or ""):
            seen.add(pk)
            found.append({"id": pk, "name": name})
    return found
