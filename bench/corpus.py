"""Vietnamese report texts and map points for the seeded benchmark data, drawn from a seeded rng.

Texts are assembled from parts whose folded forms (models.text.fold) are computed once, so that a
million `search_text` values cost string joins, not a million Unicode normalisations. Folding a
space-joined text equals joining the folded parts with spaces (fold keeps only [0-9a-z] words),
and `check_folding` asserts it on a sample before seeding.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from models import demo_data
from models.geometry import point_in_ring
from models.text import fold

# Where reports are, by the demo's leaf areas: (code, share of reports, streets there).
PLACES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    (
        "QT-DONGHOI",
        0.28,
        (
            "Lý Thường Kiệt",
            "Trần Hưng Đạo",
            "Quang Trung",
            "Hùng Vương",
            "Mẹ Suốt",
            "Trương Pháp",
            "Nguyễn Du",
            "Lê Lợi",
            "Hai Bà Trưng",
            "Phan Đình Phùng",
            "Tố Hữu",
            "Võ Nguyên Giáp",
            "Hà Huy Tập",
        ),
    ),
    ("QT-DONGHOI-HAIDINH1", 0.05, ("Quách Xuân Kỳ", "Nguyễn Trãi", "Lê Quý Đôn")),
    ("QT-DONGHOI-DONGPHU3", 0.05, ("Dương Văn An", "Bà Triệu", "Cô Tám")),
    ("QT-DONGHOI-NAMLY5", 0.05, ("Hữu Nghị", "Lê Thành Đồng", "Phan Huy Chú")),
    (
        "QT-DONGTHUAN",
        0.14,
        ("Hữu Nghị", "F325", "Lý Thái Tổ", "Trần Quang Khải", "Nguyễn Văn Linh"),
    ),
    ("QT-DONGSON", 0.11, ("Tôn Đức Thắng", "Lê Trực", "Hồ Xuân Hương", "Đặng Dung", "Nghĩa Ninh")),
    ("QT-BADON", 0.10, ("Hùng Vương", "Quang Trung", "Trần Hưng Đạo", "Chu Văn An", "Lê Lợi")),
    ("QT-CANHDUONG", 0.05, ("liên thôn ven biển", "ra bến cá", "Cảnh Thượng", "Tân Cảnh")),
    (
        "QT-DONGHA",
        0.17,
        ("Lê Duẩn", "Hùng Vương", "Quốc lộ 9", "Hàm Nghi", "Nguyễn Trãi", "Lê Lợi"),
    ),
)

# Per category code: titles ({s} is a street) and what citizens write about it.
TITLES: dict[str, tuple[str, ...]] = {
    "giao_thong": (
        "Ổ gà lớn trên đường {s}",
        "Mặt đường {s} bong tróc, nhiều ổ voi",
        "Đèn tín hiệu giao thông trên đường {s} không hoạt động",
        "Biển báo giao thông bị che khuất trên đường {s}",
        "Xe tải làm rơi vãi đất cát trên đường {s}",
        "Nắp cống sụt lún giữa lòng đường {s}",
    ),
    "moi_truong": (
        "Rác thải đổ bừa bãi trên đường {s}",
        "Bãi rác tự phát cuối đường {s}",
        "Nước thải chảy tràn ra đường {s}",
        "Mùi hôi thối từ cống thoát nước đường {s}",
        "Đốt rác gây khói bụi ở khu dân cư đường {s}",
    ),
    "ha_tang": (
        "Mất nắp hố ga trên đường {s}",
        "Vỉa hè đường {s} hư hỏng, gạch vỡ",
        "Mương thoát nước tắc nghẽn trên đường {s}",
        "Ngập úng kéo dài sau mưa trên đường {s}",
        "Lan can cầu trên đường {s} bị gãy",
    ),
    "chieu_sang_cay_xanh": (
        "Đèn đường không sáng trên đường {s}",
        "Cây xanh gãy đổ chắn vỉa hè đường {s}",
        "Cây cổ thụ có nguy cơ gãy đổ trên đường {s}",
        "Cả dãy đèn chiếu sáng đường {s} chập chờn",
    ),
    "cap_dien": (
        "Mất điện kéo dài ở khu vực đường {s}",
        "Cột điện nghiêng sát nhà dân trên đường {s}",
        "Dây điện võng thấp trên đường {s}",
        "Điện chập chờn vào buổi tối ở đường {s}",
    ),
    "cap_nuoc": (
        "Mất nước sinh hoạt nhiều ngày ở đường {s}",
        "Vỡ đường ống cấp nước trên đường {s}",
        "Nước máy đục, có mùi ở khu vực đường {s}",
        "Nước yếu vào giờ cao điểm ở đường {s}",
    ),
    "trat_tu_xay_dung": (
        "Xây dựng không phép trên đường {s}",
        "Công trình lấn chiếm hành lang an toàn đường {s}",
        "Vật liệu xây dựng tập kết trên vỉa hè đường {s}",
        "Cơi nới nhà lấn chiếm đất công trên đường {s}",
    ),
    "an_ninh_trat_tu": (
        "Hàng quán lấn chiếm vỉa hè đường {s}",
        "Karaoke gây ồn ào sau 22 giờ trên đường {s}",
        "Thanh niên tụ tập đua xe trên đường {s}",
        "Đỗ xe ô tô chắn lối đi trên đường {s}",
    ),
    "chat_luong_dich_vu": (
        "Hồ sơ đất đai trễ hẹn nhiều lần",
        "Thái độ tiếp dân chưa đúng mực tại bộ phận một cửa",
        "Thủ tục hành chính phải đi lại nhiều lần",
    ),
    "khac": (
        "Chó thả rông không rọ mõm trên đường {s}",
        "Quảng cáo rao vặt dán tràn lan trên đường {s}",
        "Loa phát thanh công cộng trên đường {s} quá to",
    ),
}

SENTENCES: dict[str, tuple[str, ...]] = {
    "giao_thong": (
        "Ổ gà sâu khoảng 20 cm, nhiều xe máy đã bị ngã.",
        "Buổi tối không có đèn nên người đi đường rất khó thấy.",
        "Xe tải chạy qua làm bụi bay mù mịt cả ngày.",
    ),
    "moi_truong": (
        "Rác tồn đọng nhiều ngày, ruồi nhặng bu đầy.",
        "Mùi hôi bốc lên nồng nặc, nhất là buổi trưa nắng.",
        "Người dân xung quanh đã nhắc nhở nhưng tình trạng vẫn tiếp diễn.",
    ),
    "ha_tang": (
        "Mỗi khi mưa lớn nước tràn vào nhà dân.",
        "Hố ga không có nắp rất nguy hiểm cho trẻ em đi học.",
        "Gạch vỉa hè vỡ nát, người đi bộ phải xuống lòng đường.",
    ),
    "chieu_sang_cay_xanh": (
        "Đèn tắt từ tuần trước, đoạn đường tối om.",
        "Cây nghiêng hẳn ra lòng đường sau trận gió lớn.",
        "Cành cây khô có thể rơi trúng người đi đường.",
    ),
    "cap_dien": (
        "Mất điện từ sáng đến chiều, ảnh hưởng sinh hoạt và buôn bán.",
        "Dây điện chỉ cách mặt đất khoảng 3 mét.",
        "Điện yếu làm hỏng tủ lạnh và máy bơm của nhiều hộ.",
    ),
    "cap_nuoc": (
        "Nước chảy rất yếu, không đủ dùng cho sinh hoạt.",
        "Nước có màu vàng và mùi clo nồng.",
        "Đường ống vỡ, nước chảy lênh láng ra đường.",
    ),
    "trat_tu_xay_dung": (
        "Công trình thi công cả ban đêm, không có biển báo cấp phép.",
        "Phần xây dựng lấn ra vỉa hè khoảng 2 mét.",
        "Vật liệu để ngổn ngang gây cản trở giao thông.",
    ),
    "an_ninh_trat_tu": (
        "Tiếng ồn kéo dài đến nửa đêm, người già và trẻ nhỏ không ngủ được.",
        "Bàn ghế bày kín vỉa hè, người đi bộ phải đi dưới lòng đường.",
        "Tình trạng diễn ra hằng ngày vào giờ cao điểm.",
    ),
    "chat_luong_dich_vu": (
        "Hồ sơ nộp đã quá hạn trả kết quả hơn hai tuần.",
        "Cán bộ hướng dẫn không rõ ràng, phải bổ sung giấy tờ nhiều lần.",
        "Không có thông báo lý do chậm trễ.",
    ),
    "khac": (
        "Nhiều người dân, nhất là trẻ em, cảm thấy bất an.",
        "Tình trạng kéo dài đã lâu mà chưa được xử lý.",
        "Ảnh hưởng đến mỹ quan đô thị.",
    ),
}

CLOSINGS = (
    "Đề nghị cơ quan chức năng kiểm tra, xử lý sớm.",
    "Kính đề nghị chính quyền quan tâm giải quyết.",
    "Mong được xử lý dứt điểm trước mùa mưa bão.",
    "Người dân khu vực rất bức xúc.",
    "",
)

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Phan", "Trương", "Đặng", "Ngô")
MIDDLE = ("Văn", "Thị", "Minh", "Quang", "Thu", "Đức", "Ngọc", "Hữu")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phương", "Sơn", "Thảo")


@cache
def folded(text: str) -> str:
    return fold(text)


@dataclass(frozen=True, slots=True)
class Text:
    title: str
    description: str
    address: str
    search_title: str
    search_text: str


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def report_text(
    rng: random.Random, category: str, area_name: str, streets: tuple[str, ...]
) -> Text:
    """A title, description and address for one report, with their folded search columns."""
    street = rng.choice(streets)
    title = rng.choice(TITLES[category]).format(s=street)
    pool = SENTENCES[category]
    picked = rng.sample(pool, k=rng.randint(1, len(pool)))
    closing = rng.choice(CLOSINGS)
    description = _join(*picked, closing)
    number = rng.randint(1, 250)
    if rng.random() < 0.3:
        address = f"Kiệt {number} đường {street}, {area_name}"
        address_folded = _join("kiet", str(number), "duong", folded(street), folded(area_name))
    else:
        address = f"Số {number} đường {street}, {area_name}"
        address_folded = _join("so", str(number), "duong", folded(street), folded(area_name))
    description_folded = _join(*(folded(sentence) for sentence in picked), folded(closing))
    title_folded = folded(title)
    return Text(
        title=title,
        description=description,
        address=address,
        search_title=title_folded,
        search_text=_join(title_folded, description_folded, address_folded),
    )


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


class PointSampler:
    """Points inside a demo area and outside its sub-areas (so the area is the deepest one)."""

    def __init__(self) -> None:
        by_code = {area.code: area for area in demo_data.AREAS}
        self._rings: dict[str, tuple[demo_data.Ring, list[demo_data.Ring], tuple[float, ...]]] = {}
        for code, _, _ in PLACES:
            ring = by_code[code].boundary
            inner = [a.boundary for a in demo_data.AREAS if a.parent == code and a.boundary]
            lons = [lon for lon, _ in ring]
            lats = [lat for _, lat in ring]
            self._rings[code] = (ring, inner, (min(lons), max(lons), min(lats), max(lats)))

    def point(self, rng: random.Random, code: str) -> tuple[float, float]:
        """(latitude, longitude) rounded to 6 decimals (about 0.1 m)."""
        ring, inner, (west, east, south, north) = self._rings[code]
        while True:
            lon = round(rng.uniform(west, east), 6)
            lat = round(rng.uniform(south, north), 6)
            if point_in_ring(lon, lat, ring) and not any(point_in_ring(lon, lat, r) for r in inner):
                return lat, lon


def check_folding(samples: int = 500) -> None:
    """The pre-folded columns must equal what the application computes (models.text.fold)."""
    rng = random.Random(1)
    for _ in range(samples):
        category = rng.choice(sorted(TITLES))
        code, _, streets = rng.choice(PLACES)
        text = report_text(rng, category, code, streets)
        expected = fold(f"{text.title} {text.description} {text.address}")
        if text.search_text != expected or text.search_title != fold(text.title):
            raise AssertionError(f"folding differs: {text.search_text!r} != {expected!r}")
