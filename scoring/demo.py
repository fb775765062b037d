"""The demo's score table and sheets (Công an tỉnh Đắk Nông, 2023).

The table is built from the pledge's targets (domain.md section 8): social-order crime down
at least 5% against 2022, 100% of crime reports received, over 90% resolved, over 75% of
social-order cases cleared and over 90% of the very serious ones, no wrongful conviction and
no gang formed; areas of work as groups, then bonus and deduction sections. Every unit gets
a self-assessment and a cluster sheet filled with plausible figures, so rankings show.
Everything goes through scoring.services; discovered by clusters.demo (register_part).
"""

from __future__ import annotations

import random
from decimal import Decimal

from clusters.demo import register_part
from clusters.enums import Phase
from clusters.models import Campaign, Membership, PledgeItem
from clusters.services import organisation as organisation_services
from scoring import services, workflow
from scoring.enums import Stage, TableStatus
from scoring.models import Criterion, ScoreSheet, ScoreTable
from scoring.services.pledge_links import pledge_links, pledge_links_set

D = Decimal
TITLE = "Thang bảng điểm thi đua Cụm thi đua Công an tỉnh Đắk Nông năm 2023"
BANDS = [
    {"label": "Hoàn thành xuất sắc nhiệm vụ", "min": "90.00"},
    {"label": "Hoàn thành tốt nhiệm vụ", "min": "75.00"},
    {"label": "Hoàn thành nhiệm vụ", "min": "50.00"},
    {"label": "Không hoàn thành nhiệm vụ", "min": "0.00"},
]
BONUS_CAP = D("5")

# (code, title, kind, max, parameters, children)
TREE: list[tuple] = [
    (
        "I",
        "Công tác bảo đảm an ninh, trật tự và đấu tranh phòng, chống tội phạm",
        "group",
        40,
        {},
        [
            (
                "I.1",
                "Giảm ít nhất 5% số vụ phạm tội về trật tự xã hội so với năm 2022",
                "target",
                8,
                {"metric": "reduction", "method": "threshold", "target": D(5)},
                [],
            ),
            (
                "I.2",
                "Tiếp nhận, thụ lý 100% tố giác, tin báo về tội phạm theo thẩm quyền",
                "target",
                8,
                {"metric": "rate", "method": "threshold", "target": D(100)},
                [],
            ),
            (
                "I.3",
                "Giải quyết, xử lý tố giác, tin báo về tội phạm đạt trên 90%",
                "target",
                8,
                {"metric": "rate", "method": "relative", "target": D(90)},
                [],
            ),
            (
                "I.4",
                "Tỷ lệ điều tra khám phá các vụ án phạm tội về trật tự xã hội trên 75%",
                "target",
                8,
                {"metric": "rate", "method": "relative", "target": D(75)},
                [],
            ),
            (
                "I.5",
                "Điều tra khám phá án rất nghiêm trọng và đặc biệt nghiêm trọng trên 90%",
                "target",
                8,
                {"metric": "rate", "method": "relative", "target": D(90)},
                [],
            ),
        ],
    ),
    (
        "II",
        "Quản lý nhà nước về an ninh, trật tự; phòng ngừa cháy, nổ, tai nạn giao thông",
        "group",
        15,
        {},
        [
            ("II.1", "Quản lý cư trú, căn cước và xuất nhập cảnh", "manual", 5, {}, []),
            (
                "II.2",
                "Quản lý vũ khí, vật liệu nổ, công cụ hỗ trợ đúng quy định",
                "pass_fail",
                5,
                {},
                [],
            ),
            ("II.3", "Kiềm chế, giảm các vụ cháy, nổ và tai nạn giao thông", "manual", 5, {}, []),
        ],
    ),
    (
        "III",
        "Chuyển đổi số trong Công an nhân dân",
        "group",
        10,
        {},
        [
            ("III.1", "Triển khai Đề án 06 và các cơ sở dữ liệu quốc gia", "manual", 6, {}, []),
            (
                "III.2",
                "Tỷ lệ hồ sơ dịch vụ công trực tuyến đạt 80%",
                "target",
                4,
                {"metric": "rate", "method": "proportional", "target": D(80)},
                [],
            ),
        ],
    ),
    (
        "IV",
        "Xây dựng Đảng, xây dựng lực lượng và công tác hậu cần",
        "group",
        20,
        {},
        [
            ("IV.1", "Xây dựng tổ chức đảng trong sạch, vững mạnh", "manual", 7, {}, []),
            (
                "IV.2",
                "Không có cán bộ, chiến sĩ vi phạm kỷ luật phải xử lý",
                "pass_fail",
                7,
                {},
                [],
            ),
            (
                "IV.3",
                "Bảo đảm hậu cần, quản lý tài chính, tài sản đúng quy định",
                "manual",
                6,
                {},
                [],
            ),
        ],
    ),
    (
        "V",
        "Phong trào toàn dân bảo vệ an ninh Tổ quốc",
        "group",
        10,
        {},
        [
            (
                "V.1",
                "Xây dựng, nhân rộng mô hình tự quản về an ninh, trật tự (2 điểm/mô hình)",
                "count",
                6,
                {"per_item": D(2)},
                [],
            ),
            (
                "V.2",
                "Củng cố lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở",
                "manual",
                4,
                {},
                [],
            ),
        ],
    ),
    (
        "VI",
        "Mô hình, điển hình tiên tiến; giao lưu, trao đổi kinh nghiệm",
        "group",
        5,
        {},
        [
            (
                "VI.1",
                "Tham gia hoạt động giao lưu, trao đổi kinh nghiệm trong Cụm (1 điểm/lần)",
                "count",
                3,
                {"per_item": D(1)},
                [],
            ),
            ("VI.2", "Xây dựng, giới thiệu điển hình tiên tiến", "manual", 2, {}, []),
        ],
    ),
    (
        "B",
        "Điểm thưởng",
        "group",
        0,
        {},
        [
            (
                "B.1",
                "Được cấp có thẩm quyền khen thưởng đột xuất (1 điểm/lần)",
                "bonus",
                3,
                {"per_item": D(1)},
                [],
            ),
            ("B.2", "Chiến công, thành tích xuất sắc được Bộ Công an ghi nhận", "bonus", 3, {}, []),
        ],
    ),
    (
        "T",
        "Điểm trừ",
        "group",
        0,
        {},
        [
            (
                "T.1",
                "Cán bộ, chiến sĩ vi phạm kỷ luật (trừ 2 điểm/trường hợp)",
                "deduction",
                10,
                {"per_item": D(2)},
                [],
            ),
            ("T.2", "Chậm, thiếu báo cáo theo quy định của Cụm", "deduction", 3, {}, []),
        ],
    ),
    (
        "K",
        "Điều kiện không để xảy ra",
        "group",
        0,
        {},
        [
            (
                "K.1",
                "Để xảy ra oan sai, bỏ lọt tội phạm",
                "veto",
                0,
                {"deduct": D(10), "max_band": "Hoàn thành nhiệm vụ"},
                [],
            ),
            (
                "K.2",
                "Để hình thành băng, ổ, nhóm tội phạm hoạt động theo kiểu xã hội đen",
                "veto",
                0,
                {"deduct": D(5), "max_band": "Hoàn thành tốt nhiệm vụ"},
                [],
            ),
        ],
    ),
]


def _create(table: ScoreTable, nodes: list[tuple], parent: Criterion | None) -> None:
    for order, (code, title, kind, maximum, params, children) in enumerate(nodes, start=1):
        criterion = Criterion(
            table=table,
            parent=parent,
            code=code,
            order=order,
            title=title,
            kind=kind,
            max_points=D(maximum),
            **params,
        )
        criterion.full_clean()
        criterion.save()
        _create(table, children, criterion)


def seed_table(campaign: Campaign) -> ScoreTable:
    """The published table applied to the four clusters (created once)."""
    table = ScoreTable.objects.filter(campaign=campaign, title=TITLE).order_by("-version").first()
    if table is None:
        table = ScoreTable(campaign=campaign, title=TITLE, bands=BANDS, bonus_cap=BONUS_CAP)
        table.full_clean()
        table.save()
        _create(table, TREE, None)
        services.table_renumber(table=table)
    table.clusters.set(campaign.clusters.all())
    if table.status == TableStatus.DRAFT:
        services.table_publish(table=table)
    return table


def _inputs(criterion: Criterion, rng: random.Random, generous: bool) -> dict:
    """Plausible inputs for one criterion; a self-assessment is a little more generous."""
    lift = 1 if generous else 0
    kind, metric = criterion.kind, criterion.metric
    maximum = criterion.max_points
    if kind == "manual":
        share = min(D(100), D(rng.randint(70, 97) + 3 * lift))
        return {"points": (maximum * share / 100).quantize(D("0.25"))}
    if kind == "pass_fail":
        return {"passed": rng.random() < 0.85 + 0.1 * lift}
    if kind in {"count", "bonus", "deduction"}:
        if criterion.per_item is None:
            step = D("0.5")
            top = int(maximum / step)
            if kind == "deduction":
                return {"points": step * rng.choice([0, 0, 0, 1])}
            return {"points": step * rng.randint(0, top // 2)}
        if kind == "deduction":
            return {"count": rng.choice([0, 0, 0, 1])}
        return {"count": rng.randint(0, 3) + lift}
    if kind == "veto":
        return {"violated": rng.random() < 0.06}
    if metric == "reduction":
        baseline = rng.randint(40, 160)
        return {"baseline": D(baseline), "actual": D(int(baseline * rng.uniform(0.86, 1.01)))}
    if metric == "rate":
        denominator = rng.randint(20, 240)
        low = {"I.2": 0.97, "I.3": 0.84, "I.4": 0.68, "I.5": 0.85, "III.2": 0.6}.get(
            criterion.code, 0.7
        )
        share = min(1.0, rng.uniform(low, 1.0) + 0.02 * lift)
        return {"numerator": int(denominator * share), "denominator": denominator}
    return {}


# Which criterion of the demo table scores each area of the demo pledge (clusters/demo.py).
PLEDGE_CRITERIA = {
    "Quản lý nhà nước về an ninh, trật tự": "II",
    "Phòng, chống tội phạm": "I",
    "Chuyển đổi số": "III",
    "Phòng ngừa cháy, nổ và tai nạn giao thông": "II",
    "Xây dựng Đảng, xây dựng lực lượng và hậu cần": "IV",
    "Phong trào toàn dân bảo vệ an ninh Tổ quốc": "V",
    "Mô hình, điển hình tiên tiến": "VI",
    "Giao lưu, trao đổi kinh nghiệm": "VI.1",
}


def seed_pledge_links(campaign: Campaign, table: ScoreTable) -> None:
    """Link each pledge item of the demo to its criterion, where it has none yet (a link
    chosen since in the pledge form is kept)."""
    criteria = {c.code: c for c in table.criteria.filter(code__in=set(PLEDGE_CRITERIA.values()))}
    for cluster in campaign.clusters.order_by("number"):
        linked = pledge_links(table, cluster)
        links = {
            item.pk: criteria[PLEDGE_CRITERIA[item.area]]
            for item in PledgeItem.objects.filter(pledge__cluster=cluster)
            if item.pk not in linked and PLEDGE_CRITERIA.get(item.area) in criteria
        }
        if links:
            pledge_links_set(cluster=cluster, table=table, links=links)


@register_part
def seed_scoring(campaign: Campaign) -> None:
    """The table, the pledge items' criteria, and self and cluster sheets for every member
    unit (filled once)."""
    table = seed_table(campaign)
    seed_pledge_links(campaign, table)
    leaves = list(table.criteria.exclude(kind="group").order_by("position"))
    memberships = Membership.objects.filter(campaign=campaign).select_related("cluster", "unit")
    filled = []
    for membership in memberships.order_by("cluster__number", "unit__code"):
        for stage in (Stage.SELF, Stage.CLUSTER):
            exists = ScoreSheet.objects.filter(
                cluster=membership.cluster, unit=membership.unit, stage=stage
            ).exists()
            sheet = services.sheet_get_or_create(
                cluster=membership.cluster, unit=membership.unit, stage=stage, table=table
            )
            if exists:
                continue
            # The same seed for both stages of a unit: the cluster's view differs a little.
            rng = random.Random(f"{campaign.year}-{membership.unit.code}")
            generous = stage == Stage.SELF
            services.sheet_fill(
                sheet=sheet, values={c.code: _inputs(c, rng, generous) for c in leaves}
            )
            filled.append(sheet.pk)
    if filled:
        services.recompute_scope(ScoreSheet.objects.filter(cluster__campaign=campaign))
        # The units have handed in their self-assessments; the clusters are scoring now, so
        # every page of the product has something real to show.
        for sheet in ScoreSheet.objects.filter(pk__in=filled, stage=Stage.SELF):
            workflow.sheet_submit(sheet=sheet, user=None)
        organisation_services.campaign_set_phase(campaign=campaign, phase=Phase.CLUSTER_SCORING)
