"""Staff pages of the admin in a real browser, at the width the staff audit used."""

from forums.models import AttendanceMode
from tests.browser.test_leads_in_browser import editor_page  # noqa: F401  (a fixture)
from tests.factories import AttendanceFactory, AuthorityFactory, MeetingFactory, PersonFactory


def test_every_column_of_the_attendance_grid_is_on_a_1280px_screen(editor_page):  # noqa: F811
    """Staff audit B2: at 1280 px the grid was 1,872 px wide; "Mode", "Substitute for",
    "Notes" and the delete box were off the screen, and so was the error about a
    substitute."""
    page = editor_page
    meeting = MeetingFactory(publication_state="draft", published_at=None)
    authority = AuthorityFactory(name="Cambridgeshire and Peterborough Combined Authority")
    for name in ("Alexandra Longname-Smythe", "Bartholomew Featherstonehaugh"):
        AttendanceFactory(
            meeting=meeting,
            person=PersonFactory(name=name),
            authority=authority,
            role="Chancellor of the Duchy of Lancaster",
            mode=AttendanceMode.IN_PERSON,
            notes="Counted among the attendees in the communiqué.",
        )
    page.goto(f"/admin/forums/meeting/{meeting.pk}/change/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    grid = page.locator("#attendances-group table")
    headers = [h for h in grid.locator("thead th").all() if h.is_visible()]
    names = [h.text_content().strip() for h in headers]
    assert {"Person", "Authority", "Role", "Mode", "Substitute for", "Notes"} <= set(names)
    for header, name in zip(headers, names, strict=True):
        box = header.bounding_box()
        assert box["x"] + box["width"] <= 1280, name
    row = grid.locator("tbody tr.has_original").first
    for cell in row.locator("td").all():
        if cell.is_visible():
            box = cell.bounding_box()
            assert box["x"] + box["width"] <= 1280, cell.inner_html()[:200]
