"""Demo data: the Đắk Nông provincial police's 2023 clusters (domain.md section 8).

Taken from the source article (four clusters signed their pledges from 25 to 28 February
2023). Department codes and names follow a provincial police force's usual structure
(PA.. security, PC.. police, PX.. force building, PH.. logistics, PV.. staff office) but
are illustrative, and every person's name is made up.

Everything is written through :mod:`clusters.services` (the organisation itself through
the ``thidua.organization/1`` import), so the demo exercises the real paths, and each
part is an upsert: seeding twice gives the same data.

Parts: :func:`seed_organization`, :func:`seed_signing`, :func:`seed_users`; the
regulations, exchange activities and models of :mod:`clusters.demo_activities`. Another app
adds its own part (score tables, say) with :func:`register_part` in its ``demo`` module;
:func:`seed_demo` imports every installed app's ``demo`` module, so ``clusters`` never
imports the apps that build on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from clusters import demo_activities
from clusters.enums import DeadlineMode, Phase, Title, UnitKind
from clusters.interchange import FORMAT, organization_import
from clusters.models import Campaign, Cluster, Unit, User
from clusters.services import accounts as account_services
from clusters.services import deadlines as deadline_services
from clusters.services import organisation as organisation_services
from clusters.services import signing as signing_services

YEAR = 2023
ORGANISER = {"code": "CADNO", "name": "Công an tỉnh Đắk Nông"}
CAMPAIGN_NAME = 'Phong trào thi đua "Vì an ninh Tổ quốc" năm 2023'
SLOGAN = (
    "Xây dựng lực lượng Công an nhân dân thật sự trong sạch, vững mạnh, chính quy, "
    "tinh nhuệ, hiện đại"
)


@dataclass(frozen=True)
class DemoUnit:
    """A member unit and the officer who signs the pledge for it."""

    code: str
    name: str
    short_name: str
    kind: str
    signatory: str
    position: str


@dataclass(frozen=True)
class DemoCluster:
    """A cluster, its members (leader and deputy included) and its signing conference."""

    code: str
    number: int
    theme: str
    leader: str
    deputy: str
    members: tuple[str, ...]
    held_on: dt.date
    chair: str


def _department(
    code: str, name: str, short_name: str, signatory: str, position: str = "Trưởng phòng"
) -> DemoUnit:
    return DemoUnit(code, name, short_name, UnitKind.DEPARTMENT, signatory, position)


def _district(code: str, place: str, signatory: str, city: bool = False) -> DemoUnit:
    level = "thành phố" if city else "huyện"
    return DemoUnit(
        code,
        f"Công an {level} {place}",
        f"CA {place}",
        UnitKind.DISTRICT,
        signatory,
        f"Trưởng Công an {level}",
    )


UNITS: tuple[DemoUnit, ...] = (
    # Staff office, force building and logistics.
    _department("PV01", "Phòng Tham mưu", "Tham mưu", "Đại tá Nguyễn Văn Hòa"),
    _department("PV06", "Phòng Hồ sơ", "Hồ sơ", "Trung tá Phạm Thị Lan"),
    _department("PX01", "Phòng Tổ chức cán bộ", "Tổ chức cán bộ", "Thượng tá Trần Đình Phúc"),
    _department(
        "PX03",
        "Phòng Công tác Đảng và công tác chính trị",
        "Công tác Đảng",
        "Thượng tá Lê Quang Minh",
    ),
    _department("PH10", "Phòng Hậu cần", "Hậu cần", "Thượng tá Vũ Đức Thắng"),
    # Security.
    _department("PA01", "Phòng An ninh đối ngoại", "An ninh đối ngoại", "Thượng tá Hoàng Văn Sơn"),
    _department(
        "PA02",
        "Phòng An ninh chính trị nội bộ",
        "An ninh chính trị nội bộ",
        "Thượng tá Đặng Văn Khánh",
    ),
    _department("PA03", "Phòng An ninh kinh tế", "An ninh kinh tế", "Thượng tá Bùi Thị Hương"),
    _department("PA04", "Phòng An ninh điều tra", "An ninh điều tra", "Đại tá Phan Văn Long"),
    _department(
        "PA05",
        "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
        "An ninh mạng",
        "Thượng tá Ngô Minh Tuấn",
    ),
    _department(
        "PA08", "Phòng Quản lý xuất nhập cảnh", "Xuất nhập cảnh", "Thượng tá Đỗ Thị Thu Hà"
    ),
    _department("PA09", "Phòng An ninh nội địa", "An ninh nội địa", "Thượng tá Y Bhin Niê"),
    # Police.
    _department(
        "PC01",
        "Văn phòng Cơ quan Cảnh sát điều tra",
        "Văn phòng CQCSĐT",
        "Thượng tá Lý Văn Hải",
        "Chánh Văn phòng",
    ),
    _department("PC02", "Phòng Cảnh sát hình sự", "Cảnh sát hình sự", "Đại tá Trịnh Xuân Trường"),
    _department("PC03", "Phòng Cảnh sát kinh tế", "Cảnh sát kinh tế", "Thượng tá Mai Văn Lộc"),
    _department(
        "PC04",
        "Phòng Cảnh sát điều tra tội phạm về ma túy",
        "Cảnh sát ma túy",
        "Thượng tá Hồ Sỹ Nam",
    ),
    _department(
        "PC06",
        "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
        "Quản lý hành chính",
        "Thượng tá Dương Thị Ngọc",
    ),
    _department(
        "PC07",
        "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ",
        "Phòng cháy, chữa cháy",
        "Thượng tá Tạ Quang Vinh",
    ),
    _department(
        "PC08", "Phòng Cảnh sát giao thông", "Cảnh sát giao thông", "Thượng tá Lương Văn Đạt"
    ),
    _department("PC09", "Phòng Kỹ thuật hình sự", "Kỹ thuật hình sự", "Trung tá Châu Minh Trí"),
    _department(
        "PC10",
        "Phòng Cảnh sát thi hành án hình sự và hỗ trợ tư pháp",
        "Thi hành án hình sự",
        "Thượng tá Kiều Văn Toàn",
    ),
    _department("PK02", "Phòng Cảnh sát cơ động", "Cảnh sát cơ động", "Thượng tá Văn Đình Hùng"),
    # District and city police.
    _district("CAGN", "Gia Nghĩa", "Thượng tá Nguyễn Hữu Nghĩa", city=True),
    _district("CACJ", "Cư Jút", "Thượng tá Trần Văn Cường"),
    _district("CADM", "Đắk Mil", "Đại tá Lê Văn Mạnh"),
    _district("CAKN", "Krông Nô", "Thượng tá Phạm Quốc Khánh"),
    _district("CADS", "Đắk Song", "Thượng tá Võ Thành Sang"),
    _district("CADR", "Đắk R'Lấp", "Thượng tá Đinh Văn Lập"),
    _district("CADG", "Đắk Glong", "Thượng tá Huỳnh Công Giang"),
    _district("CATD", "Tuy Đức", "Thượng tá H'Năm Byă"),
)
UNITS_BY_CODE: dict[str, DemoUnit] = {unit.code: unit for unit in UNITS}

CLUSTERS: tuple[DemoCluster, ...] = (
    DemoCluster(
        "CUM1",
        1,
        "Các phòng tham mưu, xây dựng lực lượng và hậu cần",
        leader="PV01",
        deputy="PX03",
        members=("PV01", "PV06", "PX01", "PX03", "PH10"),
        held_on=dt.date(2023, 2, 25),
        chair="Đại tá Nguyễn Văn Hòa, Trưởng phòng Tham mưu",
    ),
    DemoCluster(
        "CUM2",
        2,
        "Các phòng nghiệp vụ an ninh",
        leader="PA04",
        deputy="PA08",
        members=("PA01", "PA02", "PA03", "PA04", "PA05", "PA08", "PA09"),
        held_on=dt.date(2023, 2, 26),
        chair="Đại tá Phan Văn Long, Trưởng phòng An ninh điều tra",
    ),
    DemoCluster(
        "CUM3",
        3,
        "Các phòng nghiệp vụ cảnh sát",
        leader="PC02",
        deputy="PC06",
        members=("PC01", "PC02", "PC03", "PC04", "PC06", "PC07", "PC08", "PC09", "PC10", "PK02"),
        held_on=dt.date(2023, 2, 27),
        chair="Đại tá Trịnh Xuân Trường, Trưởng phòng Cảnh sát hình sự",
    ),
    DemoCluster(
        "CUM4",
        4,
        "Công an các huyện, thành phố",
        leader="CADM",
        deputy="CACJ",
        members=("CAGN", "CACJ", "CADM", "CAKN", "CADS", "CADR", "CADG", "CATD"),
        held_on=dt.date(2023, 2, 28),
        chair="Đại tá Lê Văn Mạnh, Trưởng Công an huyện Đắk Mil",
    ),
)

ATTENDEES = (
    "Các đồng chí lãnh đạo Công an tỉnh; đại diện Cơ quan Thường trực Hội đồng Thi đua, "
    "khen thưởng Công an tỉnh; lãnh đạo các đơn vị thành viên Cụm thi đua số {number}."
)
CONFERENCE_NOTES = (
    "Dữ liệu minh họa, dựng lại từ tin về các hội nghị ký kết giao ước thi đua "
    "Vì an ninh Tổ quốc năm 2023 của Công an tỉnh Đắk Nông (25–28/02/2023); "
    "họ tên là giả định."
)
PLEDGE_PREAMBLE = (
    "Hội nghị thông qua quy chế tổ chức hoạt động, tiêu chí, thang bảng điểm và cách thức "
    "chấm điểm của Cụm; các đơn vị thống nhất các giải pháp trọng tâm, đột phá, đổi mới "
    "hình thức và biện pháp thi đua, bảo đảm cụ thể, thiết thực, sát với tình hình, nhiệm "
    "vụ của từng đơn vị, địa phương, và ký kết giao ước thi đua với các chỉ tiêu sau."
)
# (area of work, what every member unit pledges), from the article and domain.md section 8.
PLEDGE_ITEMS: tuple[tuple[str, str], ...] = (
    (
        "Quản lý nhà nước về an ninh, trật tự",
        "Chủ động tham mưu với cấp ủy, chính quyền các cấp chỉ đạo và triển khai nghiêm túc, "
        "hiệu quả các chủ trương, chính sách, nghị quyết, chỉ thị của Đảng, Nhà nước, Ngành "
        "và địa phương về bảo đảm an ninh chính trị, giữ gìn trật tự, an toàn xã hội; nâng "
        "cao hiệu quả các mặt công tác quản lý Nhà nước về an ninh, trật tự; quan tâm xây "
        "dựng lực lượng Công an xã vững mạnh toàn diện.",
    ),
    (
        "Phòng, chống tội phạm",
        "Giảm ít nhất 5% số vụ phạm tội về trật tự xã hội so với năm 2022; tiếp nhận, thụ lý "
        "100% tố giác, tin báo về tội phạm theo thẩm quyền; giải quyết, xử lý tố giác, tin "
        "báo về tội phạm đạt trên 90%; tỷ lệ điều tra khám phá các vụ án phạm tội về trật tự "
        "xã hội đạt trên 75%, trong đó án rất nghiêm trọng và đặc biệt nghiêm trọng đạt trên "
        "90%; không để xảy ra oan sai, bỏ lọt tội phạm; không để tội phạm lộng hành, gia "
        "tăng; không để hình thành băng, ổ, nhóm tội phạm hoạt động theo kiểu xã hội đen.",
    ),
    (
        "Chuyển đổi số",
        "Quan tâm công tác chuyển đổi số trong Công an nhân dân; khai thác, sử dụng hiệu quả "
        "cơ sở dữ liệu quốc gia về dân cư và các cơ sở dữ liệu chuyên ngành phục vụ công tác.",
    ),
    (
        "Phòng ngừa cháy, nổ và tai nạn giao thông",
        "Triển khai quyết liệt các biện pháp giảm thiểu các vụ cháy, nổ, tai nạn giao thông.",
    ),
    (
        "Xây dựng Đảng, xây dựng lực lượng và hậu cần",
        "Đổi mới, nâng cao hiệu quả, chất lượng công tác xây dựng Đảng, xây dựng lực lượng, "
        "hậu cần; xây dựng lực lượng Công an trong sạch, vững mạnh, chính quy, tinh nhuệ, "
        "hiện đại theo tinh thần Nghị quyết số 12-NQ/TW của Bộ Chính trị.",
    ),
    (
        "Phong trào toàn dân bảo vệ an ninh Tổ quốc",
        "Đổi mới, nâng cao hiệu quả, chất lượng phong trào toàn dân bảo vệ an ninh Tổ quốc.",
    ),
    (
        "Mô hình, điển hình tiên tiến",
        "Chủ động xây dựng, bồi dưỡng, nhân rộng các mô hình, điển hình tiên tiến, biện pháp, "
        "cách làm hay, sáng tạo trong phong trào thi đua Vì an ninh Tổ quốc.",
    ),
    (
        "Giao lưu, trao đổi kinh nghiệm",
        "Tăng cường các hoạt động giao lưu, trao đổi kinh nghiệm trong tổ chức phong trào thi "
        "đua giữa các đơn vị trong Cụm và giữa các Cụm thi đua với nhau, tạo động lực thực "
        "hiện thắng lợi nhiệm vụ công tác năm 2023.",
    ),
)


@dataclass(frozen=True)
class DemoUser:
    """A demo sign-in for one role; ``unit`` is a unit code (None for the administrator)."""

    username: str
    role: str | Promise
    unit: str | None
    full_name: str
    position: str = ""
    superuser: bool = False
    province_staff: bool = False

    @property
    def password(self) -> str:
        return f"demo-{self.username}-{YEAR}"


USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", _("administrator"), None, "Quản trị hệ thống", superuser=True),
    DemoUser(
        "canbo",
        _("province staff"),
        "PX01",
        "Đỗ Thị Hạnh",
        "Cán bộ Thường trực Hội đồng Thi đua, khen thưởng",
        province_staff=True,
    ),
    DemoUser(
        "cumtruong", _("cluster leader (cluster 4)"), "CADM", "Nguyễn Thành Tâm", "Đội trưởng"
    ),
    DemoUser("cumpho", _("cluster deputy (cluster 4)"), "CACJ", "Lê Thị Mai", "Phó Đội trưởng"),
    DemoUser("donvi", _("unit officer (cluster 4)"), "CAKN", "Trần Văn Dũng", "Cán bộ"),
)


@dataclass
class DemoResult:
    """What :func:`seed_demo` made: the campaign, and the sign-ins (empty without users)."""

    campaign: Campaign
    users: list[DemoUser] = field(default_factory=list)


# Parts other apps add (see the module docstring); each gets the demo campaign.
DemoPart = Callable[[Campaign], None]
_extra_parts: list[DemoPart] = []


def register_part(part: DemoPart) -> DemoPart:
    """Add ``part`` to what :func:`seed_demo` runs after the organisation and signing.
    Usable as a decorator; registering twice runs it once."""
    if part not in _extra_parts:
        _extra_parts.append(part)
    return part


def organization_document() -> dict:
    """The demo organisation as a ``thidua.organization/1`` document."""
    return {
        "format": FORMAT,
        "year": YEAR,
        "organiser": dict(ORGANISER),
        "campaign": {"name": CAMPAIGN_NAME, "slogan": SLOGAN},
        "units": [
            {"code": u.code, "name": u.name, "short_name": u.short_name, "kind": u.kind}
            for u in UNITS
        ],
        "clusters": [
            {
                "code": c.code,
                "number": c.number,
                "kind": "cluster",
                "name": f"Cụm thi đua số {c.number}",
                "description": "{theme}: {names}.".format(
                    theme=c.theme, names=", ".join(UNITS_BY_CODE[m].name for m in c.members)
                ),
                "leader": c.leader,
                "deputy": c.deputy,
                "members": list(c.members),
            }
            for c in CLUSTERS
        ],
    }


def seed_organization() -> Campaign:
    """The organiser, units, campaign, clusters, leaders and deputies."""
    summary = organization_import(data=organization_document())
    campaign = summary.campaign
    if campaign.phase == Phase.SETUP:  # a later part may move the demo on; keep its phase
        campaign = organisation_services.campaign_set_phase(campaign=campaign, phase=Phase.SIGNING)
    return campaign


def seed_signing(campaign: Campaign) -> None:
    """Each cluster's signing conference, its pledge, every member's signature and every
    member's registration (leaders aim for the Ministry's flag, the others for
    Determined-to-win)."""
    clusters = {c.code: c for c in Cluster.objects.filter(campaign=campaign)}
    units = {u.code: u for u in Unit.objects.filter(code__in=UNITS_BY_CODE)}
    for demo in CLUSTERS:
        cluster = clusters[demo.code]
        leader = UNITS_BY_CODE[demo.leader]
        place = f"Hội trường {leader.name}"
        if leader.kind == UnitKind.DEPARTMENT:
            place += f", {ORGANISER['name']}"
        signing_services.signing_conference_record(
            cluster=cluster,
            held_on=demo.held_on,
            place=place,
            chair=demo.chair,
            attendees=ATTENDEES.format(number=demo.number),
            notes=CONFERENCE_NOTES,
        )
        pledge = signing_services.pledge_record(
            cluster=cluster, slogan=SLOGAN, preamble=PLEDGE_PREAMBLE, items=list(PLEDGE_ITEMS)
        )
        for code in demo.members:
            member = UNITS_BY_CODE[code]
            signing_services.signature_record(
                pledge=pledge,
                unit=units[code],
                signatory=member.signatory,
                position=member.position,
                signed_on=demo.held_on,
            )
            signing_services.registration_record(
                campaign=campaign,
                unit=units[code],
                titles=[Title.MINISTRY_FLAG if code == demo.leader else Title.DETERMINED_TO_WIN],
                registered_on=demo.held_on,
            )


# The demo's deadlines, in days from the day it is seeded, so that the to-do lists show
# real dates (issue 16): cluster 4 (the demo users') has its own, earlier, self-assessment
# deadline, and one of its units an extension.
DEADLINE_DAYS = {
    Phase.SELF_ASSESSMENT: (10, DeadlineMode.WARN),
    Phase.CLUSTER_SCORING: (24, DeadlineMode.CLOSE),
    Phase.EXPLANATION: (31, DeadlineMode.WARN),
    Phase.FINAL_REVIEW: (45, DeadlineMode.WARN),
}
CLUSTER_4_SELF_DAYS = 3
EXTENDED_UNIT, EXTENDED_DAYS = "CADR", 8
EXTENSION_REASON = "Đơn vị tập trung lực lượng ứng phó mưa lũ, xin lùi thời hạn tự chấm điểm."


def seed_deadlines(organiser: Unit) -> None:
    """Deadlines of the organiser's campaigns still under way, counted from today (each
    run moves them with the calendar), through clusters.services.deadlines."""
    today = timezone.localdate()
    staff = User.objects.filter(username="canbo").first()
    for campaign in Campaign.objects.filter(organiser=organiser).exclude(
        phase__in=[Phase.SETUP, Phase.PUBLISHED]
    ):
        for phase, (days, mode) in DEADLINE_DAYS.items():
            deadline_services.deadline_set(
                campaign=campaign,
                period=None,
                phase=phase,
                due_date=today + dt.timedelta(days=days),
                mode=mode,
                user=staff,
            )
        cluster = campaign.clusters.filter(number=4).first()
        if cluster is None:
            continue
        own = deadline_services.deadline_set(
            campaign=campaign,
            period=None,
            phase=Phase.SELF_ASSESSMENT,
            due_date=today + dt.timedelta(days=CLUSTER_4_SELF_DAYS),
            cluster=cluster,
            user=staff,
        )
        unit = Unit.objects.filter(code=EXTENDED_UNIT, memberships__cluster=cluster).first()
        if unit is not None:
            extension = own.extensions.filter(unit=unit).first()
            if extension is None:
                deadline_services.deadline_extend(
                    deadline=own,
                    unit=unit,
                    due_date=today + dt.timedelta(days=EXTENDED_DAYS),
                    reason=EXTENSION_REASON,
                    user=staff,
                )
            else:  # the extension follows the calendar like the deadline
                type(extension).objects.filter(pk=extension.pk).update(
                    due_date=today + dt.timedelta(days=EXTENDED_DAYS)
                )


def seed_users() -> list[DemoUser]:
    """One sign-in per role, with the demo passwords (reset on every run)."""
    units = {u.code: u for u in Unit.objects.filter(code__in=[d.unit for d in USERS if d.unit])}
    for demo in USERS:
        account_services.user_upsert(
            username=demo.username,
            password=demo.password,
            unit=units[demo.unit] if demo.unit else None,
            full_name=demo.full_name,
            position=demo.position,
            is_superuser=demo.superuser,
            groups=[settings.PROVINCE_STAFF_GROUP] if demo.province_staff else [],
        )
    return list(USERS)


@transaction.atomic
def seed_demo(*, with_users: bool) -> DemoResult:
    """Create or refresh the whole demo; ``with_users`` adds the demo sign-ins (the command
    passes ``settings.DEBUG``: known passwords must never reach a production server)."""
    autodiscover_modules("demo")
    campaign = Campaign.objects.filter(organiser__code=ORGANISER["code"], year=YEAR).first()
    # Once the demo year is published (the year that carries on, awards.demo), it is
    # history: its organisation and signing records are no longer changed.
    if campaign is None or campaign.phase != Phase.PUBLISHED:
        campaign = seed_organization()
        seed_signing(campaign)
    # The year beyond scores: regulations, exchange activities, models (each made once).
    demo_activities.seed_regulations(campaign)
    demo_activities.seed_activities(campaign)
    demo_activities.seed_models()
    for part in _extra_parts:
        part(campaign)
    seed_deadlines(campaign.organiser)
    result = DemoResult(campaign=campaign)
    if with_users:
        result.users = seed_users()
    return result
