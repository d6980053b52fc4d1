"""Which mail a scan must read: how far back, from whom, when to search in full again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from followupd.core.scope import LOOKBACK, needs_full_scan, scan_scope, scan_since, scope_text
from tests.support.factories import (
    DANA,
    MARK,
    config,
    interview,
    local,
)

ME = "beth.smith@gmail.com"
CREATED = local("2026-12-02 09:00")


def test_the_first_scan_looks_a_month_before_the_earliest_active_interview():
    early = interview(id="early", when=local("2026-10-01 10:00"), deadline=date(2026, 10, 9))
    closed = interview(id="closed", when=local("2026-09-01 10:00"), status="closed")
    now = local("2026-12-01 12:00")

    assert scan_since(config(early, closed, interview()), now) == local("2026-10-01 10:00") - LOOKBACK


def test_an_interview_still_to_come_scans_from_a_month_before_now():
    future = interview(when=local("2027-01-10 10:00"), deadline=date(2027, 1, 20))
    now = local("2026-12-01 12:00")

    assert scan_since(config(future), now) == now - LOOKBACK


def test_the_scope_is_the_users_addresses_the_interviewers_and_the_company_domains():
    globex = interview(id="globex", domains=("globex.example",),
                       interviewers=(replace(DANA, email="Dana.Wu@Globex.example"),))

    addresses, domains = scan_scope(config(interview(), globex))

    assert addresses == {ME, "beth@smith.example", MARK.email, DANA.email, "dana.wu@globex.example"}
    assert domains == {"acme.com", "globex.example"}


def test_a_folder_never_searched_needs_a_full_scan():
    addresses, domains = scan_scope(config())

    assert needs_full_scan(None, addresses, domains, CREATED) is True


def test_the_same_scope_needs_no_full_scan_again():
    addresses, domains = scan_scope(config())
    saved = scope_text(addresses, domains, CREATED)

    assert needs_full_scan(saved, addresses, domains, CREATED) is False


def test_a_narrower_scope_or_later_start_needs_no_full_scan():
    addresses, domains = scan_scope(config())
    saved = scope_text(addresses | {"x@old.example"}, domains | {"old.example"}, CREATED)

    assert needs_full_scan(saved, addresses, domains, CREATED + timedelta(days=3)) is False


def test_a_new_interviewer_a_new_domain_or_an_earlier_start_needs_a_full_scan():
    addresses, domains = scan_scope(config())
    saved = scope_text(addresses, domains, CREATED)

    assert needs_full_scan(saved, addresses | {"new@acme.com"}, domains, CREATED) is True
    assert needs_full_scan(saved, addresses, domains | {"globex.example"}, CREATED) is True
    assert needs_full_scan(saved, addresses, domains, CREATED - timedelta(days=1)) is True
