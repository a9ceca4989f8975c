"""manage.py check_data: prints each broken rule with its records and fails, or passes."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from forums.data_quality import RULES
from tests.factories import AuthorityFactory, OfficeFactory, SourceFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("check_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_has_a_help_line():
    from forums.management.commands.check_data import Command

    assert "data-quality rules" in Command.help


def test_an_empty_record_passes():
    out, _ = run()
    assert f"All {len(RULES)} data-quality rules pass." in out


def test_a_broken_record_fails_naming_the_rule_and_the_records():
    authority = AuthorityFactory(established_on=datetime.date(2017, 3, 3))
    authority.sources.add(SourceFactory())
    first = OfficeFactory(authority=authority)
    first.sources.add(SourceFactory())
    second = OfficeFactory(authority=authority, started_on=datetime.date(2024, 5, 7))
    second.sources.add(SourceFactory())
    err = StringIO()
    with pytest.raises(CommandError, match=r"of \d+ data-quality rules failed"):
        call_command("check_data", stdout=StringIO(), stderr=err)
    assert "FAILED two-current-holders: No post (authority and title) has two current holders." in (
        err.getvalue()
    )
    assert f"  - {first}" in err.getvalue()
    assert f"  - {second}" in err.getvalue()


def test_today_can_be_set_to_judge_the_record_as_of_a_date():
    authority = AuthorityFactory(established_on=datetime.date(2017, 3, 3))
    authority.sources.add(SourceFactory())
    office = OfficeFactory(authority=authority, ended_on=datetime.date(2024, 5, 7))
    office.sources.add(SourceFactory())
    out, _ = run("--today", "2024-01-01")
    assert "rules pass" in out
    with pytest.raises(CommandError):
        run("--today", "2025-01-01")  # the mayor had left and nobody followed
