"""factory_boy factories for the models. Values are Vietnamese-looking but made up."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from clusters.enums import MemberRole, UnitKind
from clusters.models import (
    Campaign,
    Cluster,
    Membership,
    Pledge,
    Signature,
    SigningConference,
    Unit,
)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:03d}")
    name = factory.Sequence(lambda n: f"Công an huyện Số {n}")
    kind = UnitKind.DISTRICT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    unit = factory.SubFactory(UnitFactory)
    password = factory.django.Password("correct horse battery staple")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    organiser = factory.SubFactory(UnitFactory, kind=UnitKind.PROVINCE)
    year = 2023
    name = factory.LazyAttribute(lambda o: f'Phong trào thi đua "Vì an ninh Tổ quốc" năm {o.year}')


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster

    campaign = factory.SubFactory(CampaignFactory)
    number = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: f"CUM{o.number}")
    name = factory.LazyAttribute(lambda o: f"Cụm thi đua số {o.number}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cluster = factory.SubFactory(ClusterFactory)
    unit = factory.SubFactory(UnitFactory)
    role = MemberRole.MEMBER


class SigningConferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SigningConference

    cluster = factory.SubFactory(ClusterFactory)
    held_on = dt.date(2023, 2, 25)
    place = "Hội trường Công an tỉnh"
    chair = "Đại tá Nguyễn Văn A"


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    cluster = factory.SubFactory(ClusterFactory)
    slogan = "Xây dựng lực lượng Công an nhân dân thật sự trong sạch, vững mạnh"


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    pledge = factory.SubFactory(PledgeFactory)
    unit = factory.SubFactory(UnitFactory)
    signatory = "Thượng tá Trần Văn B"
    position = "Trưởng Công an huyện"
    signed_on = dt.date(2023, 2, 25)
