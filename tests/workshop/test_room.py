"""The control view's room: a pushed summary that keeps its size whatever the
room size, and the People panel that lists the participants a page at a time."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from live import presence
from live.audiences import CONTROL, Audience
from live.regions import PEOPLE_PAGE_SIZE, render_regions
from workshop import services
from workshop.models import Connection, Participant, ServerProcess

pytestmark = pytest.mark.django_db

LIVE_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "live.js"


def _fill(session, count: int, connected: int = 0, prefix: str = "Guest") -> list[Participant]:
    """``count`` participants spread over the groups and no group, in one
    query; the first ``connected`` of them with an open socket."""
    slots = [*session.groups.all(), None]
    people = Participant.objects.bulk_create(
        Participant(session=session, nickname=f"{prefix} {n:05d}", group=slots[n % len(slots)])
        for n in range(count)
    )
    process = ServerProcess.objects.create(heartbeat_at=timezone.now())
    Connection.objects.bulk_create(
        Connection(process=process, session=session, participant=p) for p in people[:connected]
    )
    return people


def _room(session) -> str:
    [room] = render_regions(session, Audience(CONTROL, session.pk), ["room"])
    return room["html"]


def _push_bytes(session) -> int:
    """The room push as the hub sends it: the regions message, as JSON."""
    regions = render_regions(session, Audience(CONTROL, session.pk), ["room"])
    return len(json.dumps({"t": "regions", "regions": regions}).encode())


def _expected_rows(session) -> dict[str, str]:
    """Each group's connected/members, counted one participant at a time."""
    connected = presence.connected_participant_ids(session)
    rows = {}
    for group in [*session.groups.all(), None]:
        members = [p for p in session.participants.all() if p.group_id == (group and group.pk)]
        if group is None and not members:
            continue
        online = sum(1 for p in members if p.pk in connected)
        rows[group.name if group else "No group"] = f"{online}/{len(members)}"
    return rows


def _rows_in(html: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'<span class="room-group-name"[^>]*>(.*?)</span>\s*'
            r'<span class="room-group-count" aria-hidden="true">(\d+/\d+)</span>',
            html,
        )
    )


def test_the_room_push_keeps_its_size_whatever_the_room_size(session, figures):
    small_session = session
    _fill(small_session, 50, connected=20)
    big_session = services.create_session(
        session.template, session.facilitator, group_count=2, base_url="http://testserver"
    )
    _fill(big_session, 5_000, connected=3_210)

    small, big = _room(small_session), _room(big_session)
    assert len(big) < 8 * 1024
    assert len(big) - len(small) < 100  # a few more digits, nothing per participant
    assert 'data-testid="connected">20<' in small and 'data-testid="connected">3210<' in big
    assert "50 joined" in small and "5000 joined" in big
    for room, room_session in ((small, small_session), (big, big_session)):
        assert _rows_in(room) == _expected_rows(room_session)
        assert "member-name" not in room and "<select" not in room
    figures("room_push_bytes_50_participants", _push_bytes(small_session), "bytes")
    figures("room_push_bytes_5000_participants", _push_bytes(big_session), "bytes")


def test_the_room_costs_the_same_queries_whatever_the_room_size(session):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _room(session)
        return len(captured)

    _fill(session, 3, connected=1)
    small = queries()
    _fill(session, 300, connected=100, prefix="More")
    assert queries() == small


def test_the_room_has_no_no_group_row_when_everyone_has_a_group(session):
    first = session.groups.first()
    Participant.objects.bulk_create(
        Participant(session=session, nickname=f"P{n}", group=first) for n in range(3)
    )
    assert _rows_in(_room(session)) == {
        g.name: f"0/{3 if g == first else 0}" for g in session.groups.all()
    }


# --- the People panel ---------------------------------------------------------------


def _people_url(session) -> str:
    return reverse("workshop:room_people", kwargs={"public_id": session.public_id})


def _names(html: str) -> list[str]:
    return re.findall(r'<span class="member-name"[^>]*>(.*?)</span>', html)


def _people(client, session, **params) -> str:
    response = client.get(_people_url(session), params)
    assert response.status_code == 200
    return response.content.decode()


def test_people_come_in_pages_of_50_by_nickname(facilitator_client, session):
    people = _fill(session, 120)
    by_nickname = sorted(p.nickname for p in people)

    first = _people(facilitator_client, session)
    assert _names(first) == by_nickname[:PEOPLE_PAGE_SIZE]
    assert "1–50 of 120" in first
    second = _people(facilitator_client, session, page="2")
    assert _names(second) == by_nickname[50:100]
    assert "51–100 of 120" in second
    last = _people(facilitator_client, session, page="3")
    assert _names(last) == by_nickname[100:]
    assert "101–120 of 120" in last


def test_the_page_line_groups_thousands(facilitator_client, session):
    _fill(session, 1_000)
    assert "51–100 of 1,000" in _people(facilitator_client, session, page="2")


def test_the_nickname_order_ignores_case_and_ties_go_by_arrival(facilitator_client, session):
    for nickname in ("bruno", "amina", "Chloé", "Amina"):
        services.join_session(session.code, nickname=nickname)
    assert _names(_people(facilitator_client, session)) == ["amina", "Amina", "bruno", "Chloé"]


def test_the_previous_and_next_buttons_keep_the_search(facilitator_client, session):
    _fill(session, 130)
    html = _people(facilitator_client, session, q="guest", page="2")
    control = reverse("workshop:control", kwargs={"public_id": session.public_id})
    people = _people_url(session)
    for page in (1, 3):
        assert f'href="{control}?q=guest&amp;page={page}#people"' in html
        assert f'hx-get="{people}?q=guest&amp;page={page}"' in html
    assert 'id="people-page" name="page" value="2"' in html


def test_a_first_and_a_last_page_offer_only_the_way_there_is(facilitator_client, session):
    _fill(session, 60)
    first = _people(facilitator_client, session, page="1")
    # Above the list and again below it.
    assert 'id="people-next"' in first and 'id="people-next-end"' in first
    assert 'id="people-previous' not in first
    last = _people(facilitator_client, session, page="2")
    assert 'id="people-previous"' in last and 'id="people-previous-end"' in last
    assert 'id="people-next' not in last
    session.participants.filter(nickname__gte="Guest 00010").delete()
    html = _people(facilitator_client, session)
    assert "people-pages" not in html  # one page: no buttons
    assert "10 people" in html


def test_the_search_finds_nicknames_containing_it_whatever_the_case(facilitator_client, session):
    _fill(session, 70)
    for nickname in ("Amina", "Yasmina", "Minh", "Bruno"):
        services.join_session(session.code, nickname=nickname)

    html = _people(facilitator_client, session, q="  MIN ")
    assert _names(html) == ["Amina", "Minh", "Yasmina"]
    assert "3 people" in html and "people-pages" not in html
    assert "1 person" in _people(facilitator_client, session, q="bruno")


def test_a_search_that_finds_nobody_says_so(facilitator_client, session):
    _fill(session, 5)
    html = _people(facilitator_client, session, q="<zed>")
    assert _names(html) == []
    assert "No nickname contains “&lt;zed&gt;”." in html


@pytest.mark.parametrize(
    ("page", "shown"),
    [("abc", 1), ("0", 1), ("-3", 1), ("", 1), ("2.5", 1), ("3", 3), ("4", 3), ("99999999999", 3)],
)
def test_a_bad_page_number_gives_the_nearest_page(facilitator_client, session, page, shown):
    people = _fill(session, 101)
    by_nickname = sorted(p.nickname for p in people)
    html = _people(facilitator_client, session, page=page)
    start = (shown - 1) * PEOPLE_PAGE_SIZE
    assert _names(html) == by_nickname[start : start + PEOPLE_PAGE_SIZE]
    assert f'name="page" value="{shown}"' in html


def test_an_empty_room_has_one_empty_page(facilitator_client, session):
    html = _people(facilitator_client, session, page="7")
    assert _names(html) == [] and "Nobody yet" in html
    assert 'name="page" value="1"' in html


def test_each_row_offers_a_move_with_the_members_group_selected(facilitator_client, session):
    people = _fill(session, 9, connected=4)
    html = _people(facilitator_client, session)
    rows = re.findall(r"<li class=\"(online|offline)\">(.*?)</li>", html, re.S)
    assert len(rows) == 9
    move_url = reverse("workshop:participant_move", kwargs={"public_id": session.public_id})
    groups = list(session.groups.all())
    connected = {p.pk for p in people[:4]}
    for person in people:
        [(state, row)] = [(s, r) for s, r in rows if f'name="participant" value="{person.pk}"' in r]
        assert state == ("online" if person.pk in connected else "offline")
        assert f'hx-post="{move_url}" hx-swap="none"' in row
        options = re.findall(r'<option value="(\d*)"( selected)?>(.*?)</option>', row)
        selected = [value for value, chosen, _name in options if chosen]
        if person.group_id:
            assert [(v, n) for v, _c, n in options] == [(str(g.pk), g.name) for g in groups]
            assert selected == [str(person.group_id)]
        else:  # not the first group shown as theirs
            assert options[0] == ("", " selected", "No group")
            assert [(v, n) for v, _c, n in options[1:]] == [(str(g.pk), g.name) for g in groups]


def test_group_names_in_the_move_menu_are_escaped(facilitator_client, session, facilitator):
    services.configure_groups(session, facilitator, names=["<b>Red</b>", "Blue"], mode="choose")
    _fill(session, 2)
    html = _people(facilitator_client, session)
    assert "&lt;b&gt;Red&lt;/b&gt;" in html and "<b>Red</b>" not in html


def test_an_ended_session_shows_groups_without_a_move(facilitator_client, session, facilitator):
    people = _fill(session, 3)
    services.end_session(session, facilitator)
    html = _people(facilitator_client, session)
    assert "<select" not in html and "move-form" not in html
    first = session.groups.get(pk=people[0].group_id)
    assert f'<span class="member-group" dir="auto" data-ptext>{first.name}</span>' in html
    assert '<span class="member-group" dir="auto" data-ptext>No group</span>' in html


def test_the_people_list_speaks_the_control_language(facilitator_client, session, facilitator):
    services.set_languages(session, facilitator, screen="en", control="fr")
    _fill(session, 60)
    html = _people(facilitator_client, session, page="2")
    assert "51–60 sur 60" in html and "Précédent" in html
    assert "Sans groupe" in html


def test_the_control_page_shows_the_searched_page_without_javascript(facilitator_client, session):
    people = _fill(session, 80)
    url = reverse("workshop:control", kwargs={"public_id": session.public_id})
    html = facilitator_client.get(url, {"q": "guest 0001", "page": "1"}).content.decode()
    assert _names(html) == sorted(p.nickname for p in people if "guest 0001" in p.nickname.lower())
    assert len(_names(html)) == 10
    assert 'id="people-q" name="q" value="guest 0001"' in html
    assert re.search(
        r'<form id="people-search"[^>]* method="get" action="' + url + '#people"', html
    )
    html = facilitator_client.get(url, {"page": "2"}).content.decode()
    assert "51–80 of 80" in html


def test_the_people_list_is_not_in_the_pushed_room(facilitator_client, session):
    _fill(session, 3)
    url = reverse("workshop:control", kwargs={"public_id": session.public_id})
    html = facilitator_client.get(url).content.decode()
    start = html.index('<section id="room"')
    room = html[start : html.index("</section>", start)]
    assert "member-name" not in room
    assert html.count('class="member-name"') == 3


def test_the_people_list_refreshes_after_a_push_of_the_room_at_most_once_a_second(
    facilitator_client, session
):
    url = reverse("workshop:control", kwargs={"public_id": session.public_id})
    html = facilitator_client.get(url).content.decode()
    [panel] = re.findall(r'<div id="people-list"[^>]*>', html)
    assert f'hx-get="{_people_url(session)}"' in panel
    assert 'hx-trigger="load, live-swapped-room from:document throttle:1s"' in panel
    # The refresh asks for the search and the page on show.
    assert 'hx-include="#people-search, #people-page"' in panel
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    # live.js names the event after each region it swaps.
    source = LIVE_JS.read_text()
    assert 'new CustomEvent("live-swapped-" + element.id)' in source


def test_a_move_from_the_people_list_moves_the_member(facilitator_client, session):
    [amina] = _fill(session, 1)
    other = session.groups.exclude(pk=amina.group_id).first()
    url = reverse("workshop:participant_move", kwargs={"public_id": session.public_id})
    response = facilitator_client.post(
        url, {"participant": amina.pk, "group": other.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    amina.refresh_from_db()
    assert amina.group == other
    assert f'<option value="{other.pk}" selected>' in _people(facilitator_client, session)


# --- who may see it -------------------------------------------------------------------


def test_a_co_facilitator_sees_the_people(session, co_facilitator):
    session.co_facilitators.add(co_facilitator)
    _fill(session, 2)
    client = Client()
    client.force_login(co_facilitator)
    assert len(_names(_people(client, session))) == 2


def test_outsiders_are_refused_the_people(session, other_facilitator, plain_user):
    _fill(session, 2, prefix="Secret")
    staff_elsewhere, not_staff, anonymous = Client(), Client(), Client()
    staff_elsewhere.force_login(other_facilitator)
    not_staff.force_login(plain_user)

    assert staff_elsewhere.get(_people_url(session)).status_code == 403
    for client in (not_staff, anonymous):
        response = client.get(_people_url(session))
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    for client in (staff_elsewhere, not_staff, anonymous):
        assert "Secret" not in client.get(_people_url(session), follow=True).content.decode()


def test_the_people_list_is_read_only(facilitator_client, session):
    assert facilitator_client.post(_people_url(session)).status_code == 405
