"""The home page, signing in and out, and the language switch."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_anonymous_redirects_to_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_home_wrong_method_answers_405(client, org):
    client.force_login(org.member)

    assert client.post(reverse("home")).status_code == 405


@pytest.mark.parametrize(
    ("who", "role", "ability"),
    [
        ("admin", "Quản trị viên", "Quản lý mọi dữ liệu"),
        ("staff", "Cán bộ Cơ quan Thường trực", "Thiết lập phong trào"),
        ("leader", "Cán bộ đơn vị", "Ghi nhận hội nghị ký kết"),
        ("deputy", "Cán bộ đơn vị", "Ghi nhận hội nghị ký kết"),
        ("member", "Cán bộ đơn vị", "Xem cụm thi đua của đơn vị"),
    ],
)
def test_home_says_who_you_are_and_what_you_can_do(client, org, who, role, ability):
    client.force_login(getattr(org, who))

    page = client.get(reverse("home")).content.decode()

    assert role in page
    assert ability in page


def test_home_member_sees_only_their_cluster_with_their_role(client, org):
    client.force_login(org.member)

    response = client.get(reverse("home"))

    clusters = response.context["clusters"]
    assert [c.code for c in clusters] == ["C1"]
    assert str(clusters[0].my_role) == "Thành viên"
    assert clusters[0].leader == org.leader_unit
    assert clusters[0].deputy == org.deputy_unit
    assert clusters[0].member_count == 3


def test_home_staff_sees_every_cluster_of_the_campaign(client, org):
    client.force_login(org.staff)

    response = client.get(reverse("home"))

    assert [c.code for c in response.context["clusters"]] == ["C1", "C2"]


def test_home_query_count_does_not_grow_with_clusters(client, org, django_assert_max_num_queries):
    from tests.factories import ClusterFactory, MembershipFactory, UnitFactory

    client.force_login(org.staff)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("home"))
    for number in range(3, 13):
        cluster = ClusterFactory(campaign=org.campaign, number=number)
        for role in ("leader", "deputy", "member"):
            MembershipFactory(cluster=cluster, unit=UnitFactory(), role=role)

    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(reverse("home"))

    assert len(response.context["clusters"]) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_login_page_renders_in_vietnamese(client):
    page = client.get(reverse("login")).content.decode()

    assert "Đăng nhập" in page
    assert 'lang="vi"' in page


def test_login_with_password_then_logout(client, org):
    response = client.post(
        reverse("login"), {"username": "member", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_language_switch_shows_english(client, org):
    client.force_login(org.member)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()

    assert 'lang="en"' in page
    assert "What you can do" in page


def test_pages_use_local_assets_and_a_strict_csp(client, org):
    client.force_login(org.member)

    response = client.get(reverse("home"))

    page = response.content.decode()
    assert "/static/build/bootstrap.css" in page
    assert "bootstrap.min.css" not in page
    assert "/static/build/icons.svg#house" in page
    assert "bootstrap-icons" not in page
    assert "/static/vendor/htmx/htmx.min.js" in page
    assert "<script>" not in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_interface_is_vietnamese_even_for_an_english_browser(client, org):
    client.force_login(org.member)

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert 'lang="vi"' in page


def test_cluster_leader_signs_in_through_the_admin_login(client, org):
    response = client.post(
        reverse("admin:login"),
        {"username": "leader", "password": "correct horse battery staple", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_plain_member_is_refused_at_the_admin_login(client, org):
    response = client.post(
        reverse("admin:login"),
        {"username": "member", "password": "correct horse battery staple", "next": "/admin/"},
    )

    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_favicon_redirects_to_the_svg(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"
