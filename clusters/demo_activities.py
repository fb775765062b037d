"""The demo's year in the clusters beyond scores (issue 15 point 8): each cluster's operating
regulation (a Word file written with the documents' helpers), exchange activities within
and between clusters with photos, and models and advanced examples with a photo each and
the units that replicated them. Photos are small pictures drawn here with Pillow (no file
is shipped).

Everything goes through clusters.services; each part is created once (clusters.demo
calls them on every run). Names, dates and contents are illustrative.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from clusters.documents.base import (
    MOVEMENT,
    Document,
    Header,
    Recipients,
    Signatures,
    Signer,
    date_line,
    heading,
    para,
    place_name,
    to_docx,
    upper,
)
from clusters.enums import MemberRole
from clusters.models import Activity, AdvancedModel, Campaign, Cluster, Membership, Unit
from clusters.services import activities as activity_services
from clusters.services import organisation as organisation_services

# --- The regulation ----------------------------------------------------------------------------

ARTICLES = (
    (
        "Điều 1. Phạm vi điều chỉnh, đối tượng áp dụng",
        "Quy chế này quy định việc tổ chức, hoạt động của {cluster}: thành viên, cụm trưởng, "
        "cụm phó, nội dung thi đua, chấm điểm, bình xét và đề nghị khen thưởng hằng năm.",
    ),
    (
        "Điều 2. Thành viên",
        "Thành viên của {cluster} gồm: {members}.",
    ),
    (
        "Điều 3. Cụm trưởng, cụm phó",
        "Cụm trưởng, cụm phó do các thành viên bầu tại hội nghị tổng kết hằng năm, luân phiên "
        "giữa các đơn vị. Cụm trưởng chủ trì hội nghị ký kết giao ước, chấm điểm các đơn vị "
        "thành viên; cụm phó chấm điểm đơn vị cụm trưởng.",
    ),
    (
        "Điều 4. Nội dung thi đua và chấm điểm",
        "Các đơn vị thi đua theo bản giao ước và thang bảng điểm do Công an tỉnh ban hành; tự "
        "chấm điểm, gửi cụm trưởng thẩm định trước ngày 05 tháng 12 hằng năm.",
    ),
    (
        "Điều 5. Bình xét, đề nghị khen thưởng",
        "Cụm họp bình xét, bỏ phiếu kín; đơn vị được đề nghị khi đạt trên 50% tổng số phiếu "
        "của thành viên dự họp. Kết quả gửi Cơ quan Thường trực Hội đồng Thi đua - Khen "
        "thưởng Công an tỉnh.",
    ),
    (
        "Điều 6. Giao lưu, trao đổi kinh nghiệm",
        "Mỗi năm cụm tổ chức ít nhất một hoạt động giao lưu, trao đổi kinh nghiệm, nhân rộng "
        "mô hình, điển hình tiên tiến giữa các đơn vị.",
    ),
)
REGULATION_DAY = dt.date(2023, 2, 20)


def regulation_document(cluster: Cluster) -> Document:
    """The cluster's regulation as the documents' model (clusters/documents/base.py)."""
    from clusters.demo import UNITS_BY_CODE

    campaign = cluster.campaign
    members = Membership.objects.filter(cluster=cluster).select_related("unit")
    names = ", ".join(m.unit.name for m in members.order_by("unit__code"))
    leader = members.filter(role=MemberRole.LEADER).first()
    words = {"cluster": cluster.name, "members": names}
    blocks: list = [
        para(
            f"Căn cứ Luật Thi đua, khen thưởng năm 2022; căn cứ kế hoạch phát động phong trào "
            f"thi đua “Vì an ninh Tổ quốc” năm {campaign.year} của {campaign.organiser.name}, "
            f"{cluster.name} thống nhất ban hành Quy chế tổ chức và hoạt động như sau:"
        )
    ]
    for title, text in ARTICLES:
        blocks += [heading(title), para(text.format(**words))]
    signer = UNITS_BY_CODE.get(leader.unit.code) if leader else None
    blocks.append(
        Signatures(
            [
                Signer(
                    role=f"TM. {upper(cluster.name)}",
                    position="CỤM TRƯỞNG",
                    name=signer.signatory if signer else "",
                )
            ]
        )
    )
    return Document(
        header=Header(
            organiser=upper(campaign.organiser.name),
            issuer=upper(cluster.name),
            place_date=date_line(place_name(campaign.organiser), REGULATION_DAY),
            number="Số: 01/QC-CTĐ",
        ),
        title="QUY CHẾ",
        subtitles=[f"Tổ chức và hoạt động của {cluster.name}", MOVEMENT.format(year=campaign.year)],
        blocks=blocks,
        file_name=f"quy-che-cum-{cluster.number}.docx",
        recipients=Recipients(
            ["Thường trực Hội đồng Thi đua - Khen thưởng (để báo cáo)", "Các đơn vị thành viên"],
            archive="VT, Cụm trưởng",
        ),
    )


def seed_regulations(campaign: Campaign) -> None:
    """Each cluster's regulation, stored once."""
    for cluster in campaign.clusters.order_by("number"):
        if cluster.regulation:
            continue
        document = regulation_document(cluster)
        organisation_services.cluster_regulation_set(
            cluster=cluster, regulation=ContentFile(to_docx(document), name=document.file_name)
        )


# --- Photos ------------------------------------------------------------------------------------


def photo(seed: str, name: str) -> ContentFile:
    """A small JPEG drawn from ``seed`` (sky, ground, a row of figures in uniform green): the
    same picture every run."""
    rng = random.Random(seed)
    width, height = 640, 400
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    sky = (rng.randint(120, 170), rng.randint(170, 210), 235)
    for y in range(height):  # sky then ground, in bands
        ground = y > height * 0.62
        base = (150, 130, 95) if ground else sky
        shade = int(30 * y / height)
        draw.line([(0, y), (width, y)], fill=tuple(max(0, c - shade) for c in base))
    banner = (190, 30, 30)
    draw.rectangle([60, 40, width - 60, 95], fill=banner)
    draw.rectangle([70, 50, width - 70, 85], outline=(250, 220, 80), width=3)
    for i in range(rng.randint(6, 10)):
        x = 50 + i * 60 + rng.randint(-8, 8)
        top = 190 + rng.randint(-10, 10)
        draw.ellipse([x, top, x + 26, top + 26], fill=(225, 190, 160))
        draw.rectangle([x - 6, top + 28, x + 32, top + 110], fill=(40, 90, 50))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return ContentFile(out.getvalue(), name=name)


# --- Exchange activities and models ----------------------------------------------------------

# (clusters, date, host, participants, title, content, photo captions)
ACTIVITIES = (
    (
        ("CUM4",),
        dt.date(2023, 6, 15),
        "CADM",
        ("CAGN", "CACJ", "CAKN", "CADS", "CADR", "CADG", "CATD"),
        "Giao lưu, trao đổi kinh nghiệm xây dựng mô hình “Camera an ninh” ở địa bàn nông thôn",
        "Công an huyện Đắk Mil giới thiệu cách vận động nhân dân lắp đặt camera, kết nối với "
        "trụ sở Công an xã; các đơn vị trao đổi khó khăn khi nhân rộng mô hình.",
        ("Lãnh đạo các đơn vị tham quan phòng giám sát camera", "Chụp ảnh lưu niệm"),
    ),
    (
        ("CUM3",),
        dt.date(2023, 8, 18),
        "PC02",
        ("PC01", "PC03", "PC04", "PC06", "PC08"),
        "Hội thao nghiệp vụ Cụm thi đua số 3: bắn súng, võ thuật Công an nhân dân",
        "Các đơn vị thi đấu bắn súng ngắn K54 và võ thuật; Phòng Cảnh sát hình sự đăng cai.",
        ("Lễ khai mạc hội thao",),
    ),
    (
        ("CUM1", "CUM2"),
        dt.date(2023, 10, 5),
        "PV01",
        ("PV06", "PA04", "PA05"),
        "Trao đổi kinh nghiệm công tác tham mưu, tổng hợp và chuyển đổi số giữa Cụm thi đua "
        "số 1 và Cụm thi đua số 2",
        "Phòng Tham mưu giới thiệu quy trình tổng hợp báo cáo trên hệ thống; Phòng An ninh "
        "mạng hướng dẫn bảo đảm an toàn thông tin khi làm việc trên máy tính.",
        ("Toàn cảnh buổi trao đổi",),
    ),
)

# (unit, title, area, description, since, replicated by)
MODELS = (
    (
        "CADM",
        "Mô hình “Camera an ninh – khu dân cư an toàn”",
        "Phòng ngừa, đấu tranh với tội phạm",
        "Nhân dân tự nguyện lắp đặt camera tại các tuyến đường, kết nối về Công an xã để "
        "phát hiện, xử lý kịp thời các vụ việc.",
        dt.date(2021, 3, 1),
        ("CACJ", "CAKN", "CADG"),
    ),
    (
        "CADR",
        "Mô hình “Tổ liên gia tự quản về an ninh, trật tự”",
        "Phong trào toàn dân bảo vệ an ninh Tổ quốc",
        "Các hộ liền kề cùng tự quản, báo tin cho Công an xã khi có người lạ, vụ việc.",
        dt.date(2020, 6, 1),
        ("CATD",),
    ),
    (
        "PA05",
        "Điển hình tiên tiến: Tổ công tác phòng, chống tội phạm sử dụng công nghệ cao",
        "An ninh mạng",
        "Tổ công tác tuyên truyền, cảnh báo thủ đoạn lừa đảo qua mạng, hỗ trợ nhân dân thu "
        "hồi tài sản.",
        dt.date(2022, 1, 1),
        (),
    ),
)


def seed_activities(campaign: Campaign) -> None:
    """The year's exchange activities with their photos, once."""
    if Activity.objects.filter(campaign=campaign).exists():
        return
    clusters = {c.code: c for c in campaign.clusters.all()}
    units = {u.code: u for u in Unit.objects.filter(memberships__campaign=campaign)}
    for codes, held_on, host, participants, title, content, captions in ACTIVITIES:
        activity = activity_services.activity_record(
            clusters=[clusters[c] for c in codes],
            held_on=held_on,
            host=units[host],
            participants=[units[c] for c in participants],
            title=title,
            content=content,
        )
        for number, caption in enumerate(captions, start=1):
            activity_services.activity_photo_add(
                activity=activity,
                image=photo(f"{title}-{number}", f"anh-{held_on:%Y%m%d}-{number}.jpg"),
                caption=caption,
            )


def seed_models() -> None:
    """The models and advanced examples, each once (they outlive a campaign), each with a
    photo (added to a model of an earlier demo that has none)."""
    units = {u.code: u for u in Unit.objects.filter(code__in=[m[0] for m in MODELS])}
    others = {u.code: u for u in Unit.objects.filter(code__in=[c for m in MODELS for c in m[5]])}
    for number, (code, title, area, description, since, replicated) in enumerate(MODELS, 1):
        if code not in units:
            continue
        model = AdvancedModel.objects.filter(unit=units[code], title=title).first()
        if model is None:
            model = activity_services.advanced_model_record(
                unit=units[code],
                title=title,
                area=area,
                description=description,
                since=since,
                replicated_by=[others[c] for c in replicated if c in others],
            )
        if not model.photos.exists():
            activity_services.model_photo_add(
                model=model,
                image=photo(title, f"mo-hinh-{number}.jpg"),
                caption=f"{units[code].name}: {area or title}",
            )
