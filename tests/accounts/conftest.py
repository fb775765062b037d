"""Fixtures of the account tests: a second organiser with its own staff, and helpers to
sign in through the real login page (django-axes counts only those)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from tests.factories import UnitFactory, UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def other(db):
    """Another provincial police with a department, its staff member and an officer."""

    class Other:
        pass

    o = Other()
    o.province = UnitFactory(code="CAK", name="Công an tỉnh Khác", kind="province")
    o.unit = UnitFactory(code="K01", parent=o.province, kind="department")
    o.staff = UserFactory(username="staff_k", unit=o.unit)
    o.staff.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    o.officer = UserFactory(username="officer_k", unit=o.unit)
    return o


@pytest.fixture
def english(client, settings):
    """Pages in English (the switch's cookie), so tests read the source strings whatever
    the state of the Vietnamese catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    """POST the login form, as a browser does."""
    return client.post("/login/", {"username": username, "password": password}, **extra)
