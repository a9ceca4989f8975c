"""Admin test helpers: read the real admin form off the page, as a browser would submit
it, and a small world to log a meeting against."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.worlds import build_meeting_world, module_world


class _FormParser(HTMLParser):
    """Collects what a browser would submit from the page's main form: inputs (checked
    boxes only), selects (selected options) and textareas. Submit buttons are left out;
    tests name the button they press."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = []
        self._in_form = False
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith(("_form", "changelist-form")):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset") or "name" not in a:
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and "name" in a:
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea" and "name" in a:
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            # Browsers drop the newline that follows <textarea>.
            self.fields.append((name, value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_data(response) -> dict:
    """The main form of an admin page, as a dict of lists (multi-valued fields kept)."""
    assert response.status_code == 200, response.status_code
    parser = _FormParser()
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def flat(data: dict) -> dict:
    """Single values as strings, so tests can set fields with plain assignment."""
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in data.items()}


def add_rows(data: dict, prefix: str, rows: list[dict]):
    """Fill an inline formset's extra rows, as clicking "Add another" would."""
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{start + offset}-{key}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(start + len(rows))


def errors_of(response) -> str:
    """The page's text, for asserting on the messages a user reads."""
    return response.content.decode()


@pytest.fixture
def superuser_client(db, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 20)
    client = Client()
    client.force_login(user)
    return client


# What an Editor logging the Mayoral Council needs already in the database, built once
# per module (tests/worlds.py).
_world_built, meeting_world = module_world(build_meeting_world, name="meeting_world")


def meeting_payload(client, w, *, sources=True):
    """The add-meeting page filled in as an Editor would: 3 attendees, 2 agenda items,
    2 commitments and a source, for one POST."""
    data = flat(form_data(client.get("/admin/forums/meeting/add/")))
    data.update(
        {
            "forum": str(w.forum.pk),
            "date": "2025-01-23",
            "status": "held",
            "location": "Advanced Manufacturing Research Centre, South Yorkshire",
            "host_authority": str(w.authorities[1].pk),
            "summary": "The second Mayoral Council: devolution, the Spending Review, Orgreave.",
        }
    )
    if sources:
        data["sources"] = [str(w.source.pk)]
    add_rows(
        data,
        "attendances",
        [
            {"person": w.people[0].pk, "authority": w.authorities[0].pk, "mode": "in_person"},
            {"person": w.people[1].pk, "authority": w.authorities[1].pk, "mode": "in_person"},
            {"person": w.people[2].pk, "authority": w.authorities[2].pk, "mode": "virtual"},
        ],
    )
    add_rows(
        data,
        "agenda_items",
        [
            {"order": "1", "title": "The English Devolution White Paper", "is_public": "on"},
            {"order": "2", "title": "The Spending Review", "is_public": "on"},
        ],
    )
    add_rows(
        data,
        "commitments",
        [
            {
                "title": "Bring more capacity to South Yorkshire",
                "text": "The government wants to bring more capacity to the authority.",
                "made_on": "2025-01-23",
                "lead_authority": w.authorities[0].pk,
            },
            {
                "title": "Meet again in the spring",
                "text": "The council will meet again in the spring.",
                "made_on": "2025-01-23",
            },
        ],
    )
    return data
