"""The demo data set's content (Quảng Trị after the 2025 reorganisation), as plain constants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.enums import Role, Satisfaction, Visibility

# --- Shapes ------------------------------------------------------------------------------------

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) points; the last equals the first


@dataclass(frozen=True)
class AreaSeed:
    code: str
    name: str
    kind: str
    parent: str | None
    boundary: Ring = ()


@dataclass(frozen=True)
class CategorySeed:
    code: str
    name: str
    description: str
    due_days: int
    notice: str | None = None


@dataclass(frozen=True)
class AgencySeed:
    code: str
    name: str
    area: str
    description: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class StaffSeed:
    username: str
    role: Role
    display_name: str
    agency: str | None = None


@dataclass(frozen=True)
class CitizenSeed:
    phone: str
    display_name: str


# Steps of a report's story; `hours` is the time since the previous step (or the submission).
# `by` is a staff username, or REPORTER for the report's author.
REPORTER = "<reporter>"


@dataclass(frozen=True)
class Assign:
    hours: float
    agency: str
    by: str = "dieuphoi"
    due_days: int | None = None  # working days; the category's default when None
    note: str | None = None


@dataclass(frozen=True)
class Acknowledge:
    hours: float
    by: str
    note: str | None = None


@dataclass(frozen=True)
class Resolve:
    hours: float
    by: str
    answer: str


@dataclass(frozen=True)
class SendBack:
    hours: float
    note: str
    by: str = "dieuphoi"


@dataclass(frozen=True)
class Rate:
    hours: float
    satisfaction: Satisfaction
    comment: str | None = None
    by: str = REPORTER


@dataclass(frozen=True)
class Close:
    hours: float = 0.0
    by: str = REPORTER


@dataclass(frozen=True)
class Reject:
    hours: float
    reason: str
    by: str = "dieuphoi"
    duplicate_of: str | None = None  # the key of an earlier report


@dataclass(frozen=True)
class Return:
    hours: float
    by: str
    reason: str


@dataclass(frozen=True)
class Extend:
    hours: float
    days: int  # working days added to the current due date
    reason: str
    by: str = "dieuphoi"


@dataclass(frozen=True)
class Reopen:
    hours: float
    note: str
    by: str = "dieuphoi"
    due_days: int | None = None


@dataclass(frozen=True)
class Post:
    hours: float
    by: str
    visibility: Visibility
    body: str


Step = (
    Assign
    | Acknowledge
    | Resolve
    | SendBack
    | Rate
    | Close
    | Reject
    | Return
    | Extend
    | Reopen
    | Post
)


@dataclass(frozen=True)
class ReportSeed:
    key: str
    category: str
    area: str
    reporter: str  # a citizen's phone
    days_ago: float
    title: str
    description: str
    address: str
    steps: tuple[Step, ...] = ()
    anonymous: bool = False


# --- Areas -------------------------------------------------------------------------------------

ROOT_AREA_CODE = "QT"

AREAS: tuple[AreaSeed, ...] = (
    AreaSeed(ROOT_AREA_CODE, "Tỉnh Quảng Trị", "Tỉnh", None),
    AreaSeed(
        "QT-DONGHOI",
        "Phường Đồng Hới",
        "Phường",
        ROOT_AREA_CODE,
        (
            (106.600, 17.440),
            (106.652, 17.442),
            (106.664, 17.468),
            (106.650, 17.490),
            (106.604, 17.486),
            (106.600, 17.440),
        ),
    ),
    AreaSeed(
        "QT-DONGTHUAN",
        "Phường Đồng Thuận",
        "Phường",
        ROOT_AREA_CODE,
        (
            (106.565, 17.492),
            (106.618, 17.490),
            (106.620, 17.520),
            (106.600, 17.540),
            (106.562, 17.528),
            (106.565, 17.492),
        ),
    ),
    AreaSeed(
        "QT-DONGSON",
        "Phường Đồng Sơn",
        "Phường",
        ROOT_AREA_CODE,
        (
            (106.545, 17.425),
            (106.596, 17.422),
            (106.598, 17.470),
            (106.575, 17.482),
            (106.542, 17.462),
            (106.545, 17.425),
        ),
    ),
    AreaSeed(
        "QT-BADON",
        "Phường Ba Đồn",
        "Phường",
        ROOT_AREA_CODE,
        (
            (106.395, 17.725),
            (106.445, 17.728),
            (106.452, 17.760),
            (106.420, 17.782),
            (106.392, 17.758),
            (106.395, 17.725),
        ),
    ),
    AreaSeed(
        "QT-CANHDUONG",
        "Xã Cảnh Dương",
        "Xã",
        ROOT_AREA_CODE,
        (
            (106.415, 17.852),
            (106.455, 17.856),
            (106.462, 17.888),
            (106.430, 17.898),
            (106.410, 17.880),
            (106.415, 17.852),
        ),
    ),
    AreaSeed(
        "QT-DONGHA",
        "Phường Đông Hà",
        "Phường",
        ROOT_AREA_CODE,
        (
            (107.065, 16.785),
            (107.135, 16.790),
            (107.142, 16.835),
            (107.100, 16.860),
            (107.060, 16.840),
            (107.065, 16.785),
        ),
    ),
    AreaSeed(
        "QT-DONGHOI-HAIDINH1",
        "Tổ dân phố Hải Đình 1",
        "Tổ dân phố",
        "QT-DONGHOI",
        (
            (106.615, 17.465),
            (106.626, 17.464),
            (106.627, 17.475),
            (106.616, 17.476),
            (106.615, 17.465),
        ),
    ),
    AreaSeed(
        "QT-DONGHOI-DONGPHU3",
        "Tổ dân phố Đồng Phú 3",
        "Tổ dân phố",
        "QT-DONGHOI",
        (
            (106.630, 17.450),
            (106.641, 17.451),
            (106.640, 17.461),
            (106.629, 17.460),
            (106.630, 17.450),
        ),
    ),
    AreaSeed(
        "QT-DONGHOI-NAMLY5",
        "Tổ dân phố Nam Lý 5",
        "Tổ dân phố",
        "QT-DONGHOI",
        (
            (106.606, 17.448),
            (106.614, 17.447),
            (106.615, 17.458),
            (106.607, 17.459),
            (106.606, 17.448),
        ),
    ),
)

# --- Categories --------------------------------------------------------------------------------

EMERGENCY_NOTICE = "Trường hợp khẩn cấp, gọi 113 (công an), 114 (cứu hỏa), 115 (cấp cứu)."

CATEGORIES: tuple[CategorySeed, ...] = (
    CategorySeed(
        "trat_tu_xay_dung",
        "Trật tự xây dựng",
        "Xây dựng không phép, sai phép; lấn chiếm đất công, hành lang an toàn.",
        10,
    ),
    CategorySeed(
        "moi_truong",
        "Môi trường",
        "Rác thải, nước thải, khói bụi, mùi hôi, ô nhiễm nguồn nước.",
        7,
    ),
    CategorySeed(
        "ha_tang",
        "Hạ tầng đô thị",
        "Vỉa hè, mương và cống thoát nước, hố ga, công trình công cộng hư hỏng.",
        10,
    ),
    CategorySeed(
        "giao_thong",
        "Giao thông",
        "Đường hư hỏng, ổ gà, biển báo, đèn tín hiệu, vật liệu rơi vãi trên đường.",
        7,
    ),
    CategorySeed(
        "chieu_sang_cay_xanh",
        "Chiếu sáng, cây xanh",
        "Đèn đường không sáng; cây xanh gãy đổ hoặc có nguy cơ gãy đổ.",
        5,
    ),
    CategorySeed(
        "cap_dien",
        "Cấp điện",
        "Mất điện, điện yếu, cột điện nghiêng, dây điện võng thấp.",
        3,
        "Thấy dây điện đứt hoặc chạm đất, không lại gần và báo ngay cho ngành điện.",
    ),
    CategorySeed(
        "cap_nuoc",
        "Cấp nước sinh hoạt",
        "Mất nước, nước yếu, nước đục hoặc có mùi, vỡ đường ống.",
        3,
    ),
    CategorySeed(
        "an_ninh_trat_tu",
        "An ninh, trật tự công cộng",
        "Gây ồn ào, tụ tập gây rối, lấn chiếm vỉa hè và lòng đường.",
        5,
        EMERGENCY_NOTICE,
    ),
    CategorySeed(
        "chat_luong_dich_vu",
        "Chất lượng dịch vụ công",
        "Thái độ phục vụ, thời gian giải quyết thủ tục hành chính và dịch vụ công.",
        10,
    ),
    CategorySeed("khac", "Vấn đề khác", "Phản ánh không thuộc các lĩnh vực trên.", 15),
)

# --- Agencies and routing ----------------------------------------------------------------------

AGENCIES: tuple[AgencySeed, ...] = (
    AgencySeed(
        "so_xay_dung",
        "Sở Xây dựng",
        ROOT_AREA_CODE,
        "Quản lý trật tự xây dựng, hạ tầng kỹ thuật đô thị và giao thông trên địa bàn tỉnh.",
        ("trat_tu_xay_dung", "ha_tang", "giao_thong"),
    ),
    AgencySeed(
        "so_nong_nghiep_moi_truong",
        "Sở Nông nghiệp và Môi trường",
        ROOT_AREA_CODE,
        "Quản lý đất đai, tài nguyên nước, bảo vệ môi trường và thủy lợi.",
        ("moi_truong",),
    ),
    AgencySeed(
        "cong_an_tinh",
        "Công an tỉnh Quảng Trị",
        ROOT_AREA_CODE,
        "Bảo đảm an ninh, trật tự an toàn xã hội và trật tự an toàn giao thông.",
        ("an_ninh_trat_tu", "giao_thong"),
    ),
    AgencySeed(
        "dien_luc",
        "Công ty Điện lực Quảng Trị",
        ROOT_AREA_CODE,
        "Cung cấp điện, quản lý vận hành lưới điện phân phối trên địa bàn tỉnh.",
        ("cap_dien",),
    ),
    AgencySeed(
        "cap_nuoc",
        "Công ty Cổ phần Cấp nước Quảng Trị",
        ROOT_AREA_CODE,
        "Sản xuất và cung cấp nước sạch, quản lý mạng lưới đường ống cấp nước.",
        ("cap_nuoc",),
    ),
    AgencySeed(
        "moi_truong_do_thi",
        "Công ty Cổ phần Môi trường và Phát triển đô thị Quảng Bình",
        ROOT_AREA_CODE,
        "Thu gom rác thải, quản lý chiếu sáng công cộng và cây xanh đô thị.",
        ("moi_truong", "chieu_sang_cay_xanh"),
    ),
    AgencySeed(
        "bql_du_an_giao_thong",
        "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông",
        ROOT_AREA_CODE,
        "Chủ đầu tư các dự án giao thông; giám sát nhà thầu thi công.",
        ("giao_thong", "ha_tang"),
    ),
    AgencySeed(
        "trung_tam_hcc",
        "Trung tâm Phục vụ hành chính công tỉnh",
        ROOT_AREA_CODE,
        "Tiếp nhận, trả kết quả thủ tục hành chính; giám sát chất lượng phục vụ.",
        ("chat_luong_dich_vu",),
    ),
    AgencySeed(
        "ubnd_dong_hoi",
        "UBND phường Đồng Hới",
        "QT-DONGHOI",
        "Chính quyền phường: trật tự đô thị, môi trường, dịch vụ hành chính trên địa bàn.",
        ("trat_tu_xay_dung", "moi_truong", "an_ninh_trat_tu", "chat_luong_dich_vu", "khac"),
    ),
    AgencySeed(
        "ubnd_ba_don",
        "UBND phường Ba Đồn",
        "QT-BADON",
        "Chính quyền phường: trật tự đô thị, môi trường, dịch vụ hành chính trên địa bàn.",
        ("trat_tu_xay_dung", "moi_truong", "chat_luong_dich_vu", "khac"),
    ),
    AgencySeed(
        "ubnd_canh_duong",
        "UBND xã Cảnh Dương",
        "QT-CANHDUONG",
        "Chính quyền xã: trật tự xây dựng, môi trường làng biển, dịch vụ hành chính.",
        ("trat_tu_xay_dung", "moi_truong", "chat_luong_dich_vu", "khac"),
    ),
)

# (category, area, agency): the nearest ancestor's rule applies; "khac" has none on purpose.
ROUTINGS: tuple[tuple[str, str, str], ...] = (
    ("trat_tu_xay_dung", ROOT_AREA_CODE, "so_xay_dung"),
    ("moi_truong", ROOT_AREA_CODE, "so_nong_nghiep_moi_truong"),
    ("ha_tang", ROOT_AREA_CODE, "so_xay_dung"),
    ("giao_thong", ROOT_AREA_CODE, "so_xay_dung"),
    ("chieu_sang_cay_xanh", ROOT_AREA_CODE, "moi_truong_do_thi"),
    ("cap_dien", ROOT_AREA_CODE, "dien_luc"),
    ("cap_nuoc", ROOT_AREA_CODE, "cap_nuoc"),
    ("an_ninh_trat_tu", ROOT_AREA_CODE, "cong_an_tinh"),
    ("chat_luong_dich_vu", ROOT_AREA_CODE, "trung_tam_hcc"),
    ("trat_tu_xay_dung", "QT-DONGHOI", "ubnd_dong_hoi"),
    ("moi_truong", "QT-DONGHOI", "ubnd_dong_hoi"),
    ("an_ninh_trat_tu", "QT-DONGHOI", "ubnd_dong_hoi"),
    ("chat_luong_dich_vu", "QT-DONGHOI", "ubnd_dong_hoi"),
    ("trat_tu_xay_dung", "QT-BADON", "ubnd_ba_don"),
    ("moi_truong", "QT-BADON", "ubnd_ba_don"),
    ("chat_luong_dich_vu", "QT-BADON", "ubnd_ba_don"),
    ("trat_tu_xay_dung", "QT-CANHDUONG", "ubnd_canh_duong"),
    ("moi_truong", "QT-CANHDUONG", "ubnd_canh_duong"),
    ("chat_luong_dich_vu", "QT-CANHDUONG", "ubnd_canh_duong"),
)

# --- Holidays (days off for public servants; weekend holidays carry a make-up day) -------------

_TET = "Tết Nguyên Đán"
_HUNG_KINGS = "Giỗ Tổ Hùng Vương (10/3 âm lịch)"
_REUNIFICATION = "Ngày Giải phóng miền Nam, thống nhất đất nước"
_LABOUR = "Ngày Quốc tế Lao động"
_NATIONAL = "Quốc khánh"

HOLIDAYS: tuple[tuple[date, str], ...] = (
    (date(2025, 1, 1), "Tết Dương lịch"),
    (date(2025, 1, 27), f"{_TET} (28 tháng Chạp)"),
    (date(2025, 1, 28), f"{_TET} (giao thừa)"),
    (date(2025, 1, 29), f"{_TET} (mùng 1)"),
    (date(2025, 1, 30), f"{_TET} (mùng 2)"),
    (date(2025, 1, 31), f"{_TET} (mùng 3)"),
    (date(2025, 4, 7), _HUNG_KINGS),
    (date(2025, 4, 30), _REUNIFICATION),
    (date(2025, 5, 1), _LABOUR),
    (date(2025, 5, 2), "Nghỉ hoán đổi (làm bù thứ Bảy 26/4)"),
    (date(2025, 9, 1), f"{_NATIONAL} (ngày liền kề)"),
    (date(2025, 9, 2), _NATIONAL),
    (date(2026, 1, 1), "Tết Dương lịch"),
    (date(2026, 2, 16), f"{_TET} (giao thừa)"),
    (date(2026, 2, 17), f"{_TET} (mùng 1)"),
    (date(2026, 2, 18), f"{_TET} (mùng 2)"),
    (date(2026, 2, 19), f"{_TET} (mùng 3)"),
    (date(2026, 2, 20), f"{_TET} (mùng 4)"),
    (date(2026, 4, 26), _HUNG_KINGS),
    (date(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương"),
    (date(2026, 4, 30), _REUNIFICATION),
    (date(2026, 5, 1), _LABOUR),
    (date(2026, 9, 1), f"{_NATIONAL} (ngày liền kề)"),
    (date(2026, 9, 2), _NATIONAL),
    (date(2027, 1, 1), "Tết Dương lịch"),
    (date(2027, 2, 5), f"{_TET} (giao thừa)"),
    (date(2027, 2, 6), f"{_TET} (mùng 1)"),
    (date(2027, 2, 7), f"{_TET} (mùng 2)"),
    (date(2027, 2, 8), f"{_TET} (mùng 3)"),
    (date(2027, 2, 9), f"{_TET} (mùng 4)"),
    (date(2027, 2, 10), f"Nghỉ bù {_TET}"),
    (date(2027, 2, 11), f"Nghỉ bù {_TET}"),
    (date(2027, 4, 16), _HUNG_KINGS),
    (date(2027, 4, 30), _REUNIFICATION),
    (date(2027, 5, 1), _LABOUR),
    (date(2027, 5, 3), f"Nghỉ bù {_LABOUR}"),
    (date(2027, 9, 2), _NATIONAL),
    (date(2027, 9, 3), f"{_NATIONAL} (ngày liền kề)"),
)

# --- People ------------------------------------------------------------------------------------

THU_THUY = "+84912345678"
HUNG = "+84987654321"

STAFF: tuple[StaffSeed, ...] = (
    StaffSeed("admin", Role.ADMIN, "Quản trị hệ thống"),
    StaffSeed("dieuphoi", Role.COORDINATOR, "Trần Thị Phương"),
    StaffSeed("dieuphoi2", Role.COORDINATOR, "Phạm Văn Khánh"),
    StaffSeed("xaydung", Role.AGENCY_OFFICER, "Nguyễn Văn Dũng", "so_xay_dung"),
    StaffSeed("moitruong", Role.AGENCY_OFFICER, "Hoàng Thị Mai", "so_nong_nghiep_moi_truong"),
    StaffSeed("dienluc", Role.AGENCY_OFFICER, "Phan Văn Lực", "dien_luc"),
    StaffSeed("phuongdonghoi", Role.AGENCY_OFFICER, "Võ Thị Hoa", "ubnd_dong_hoi"),
    StaffSeed("capnuoc", Role.AGENCY_OFFICER, "Trương Minh Tuấn", "cap_nuoc"),
    StaffSeed("congan", Role.AGENCY_OFFICER, "Đỗ Quang Huy", "cong_an_tinh"),
    StaffSeed("dothi", Role.AGENCY_OFFICER, "Lê Thị Hằng", "moi_truong_do_thi"),
    StaffSeed("canhduong", Role.AGENCY_OFFICER, "Ngô Văn Biển", "ubnd_canh_duong"),
)

CITIZENS: tuple[CitizenSeed, ...] = (
    CitizenSeed(THU_THUY, "Nguyễn Thị Thu Thủy"),
    CitizenSeed(HUNG, "Lê Văn Hùng"),
)

# --- Reports -----------------------------------------------------------------------------------

_VS = Satisfaction.VERY_SATISFIED
_S = Satisfaction.SATISFIED
_DS = Satisfaction.DISSATISFIED
_PUBLIC = Visibility.PUBLIC
_PARTICIPANTS = Visibility.PARTICIPANTS
_INTERNAL = Visibility.INTERNAL

# Each: key, category, area, reporter, days ago, title, description, address, steps.
REPORTS: tuple[ReportSeed, ...] = (
    # --- CLOSED ---
    ReportSeed(
        "rac_song_cau_rao",
        "moi_truong",
        "QT-DONGHOI-DONGPHU3",
        HUNG,
        56,
        "Rác thải đổ bừa bãi ven sông Cầu Rào",
        "Đoạn bờ sông Cầu Rào gần cầu Hải Thành có nhiều túi rác sinh hoạt và xà bần bị đổ "
        "trộm, bốc mùi hôi thối, nhất là vào buổi chiều. Đề nghị dọn dẹp và có biện pháp "
        "ngăn chặn việc đổ rác.",
        "Bờ sông Cầu Rào, tổ dân phố Đồng Phú 3, phường Đồng Hới",
        (
            Assign(3, "ubnd_dong_hoi"),
            Acknowledge(18, "phuongdonghoi", "Đã tiếp nhận, tổ công tác sẽ kiểm tra hiện trường."),
            Post(
                6,
                "phuongdonghoi",
                _PUBLIC,
                "Tổ công tác đã kiểm tra, khối lượng rác khoảng 3 tấn; phường đang phối hợp "
                "đơn vị thu gom để xử lý.",
            ),
            Resolve(
                40,
                "phuongdonghoi",
                "UBND phường đã phối hợp đơn vị thu gom dọn toàn bộ rác thải, lắp biển cấm đổ "
                "rác và giao tổ dân phố tăng cường giám sát. Trường hợp đổ trộm sẽ bị xử phạt "
                "theo quy định.",
            ),
            Rate(20, _VS, "Phường xử lý rất nhanh, cảm ơn các anh chị."),
            Close(),
        ),
    ),
    ReportSeed(
        "o_ga_ly_thuong_kiet",
        "giao_thong",
        "QT-DONGHOI",
        HUNG,
        48,
        "Ổ gà lớn trên đường Lý Thường Kiệt",
        "Mặt đường Lý Thường Kiệt đoạn gần ngã tư Quang Trung có nhiều ổ gà sâu 10–15 cm, "
        "trời mưa đọng nước, xe máy đi qua rất dễ té ngã.",
        "Đường Lý Thường Kiệt, phường Đồng Hới",
        (
            Assign(5, "so_xay_dung"),
            Acknowledge(20, "xaydung", "Đã giao đơn vị bảo trì đường bộ kiểm tra."),
            Resolve(
                70,
                "xaydung",
                "Sở Xây dựng đã chỉ đạo đơn vị bảo trì vá ổ gà bằng bê tông nhựa trên đoạn dài "
                "120 m và đưa tuyến đường vào kế hoạch thảm lại mặt đường năm tới.",
            ),
            Rate(30, _S, "Đã vá xong, đi lại an toàn hơn."),
            Close(),
        ),
    ),
    ReportSeed(
        "den_duong_nhat_le",
        "chieu_sang_cay_xanh",
        "QT-DONGHOI-HAIDINH1",
        HUNG,
        41,
        "Cả dãy đèn đường không sáng gần cầu Nhật Lệ",
        "Khoảng 8 cột đèn chiếu sáng trên đường Quách Xuân Kỳ đoạn gần cầu Nhật Lệ không sáng "
        "hơn một tuần, buổi tối rất tối, người đi bộ thể dục ven sông không an toàn.",
        "Đường Quách Xuân Kỳ, tổ dân phố Hải Đình 1, phường Đồng Hới",
        (
            Assign(2, "moi_truong_do_thi"),
            Acknowledge(5, "dothi"),
            Resolve(
                26,
                "dothi",
                "Đơn vị đã thay bộ điều khiển tủ điện chiếu sáng và 3 bóng đèn LED hư hỏng; toàn "
                "tuyến đã sáng trở lại từ tối cùng ngày.",
            ),
            Rate(14, _VS, "Đèn đã sáng, cảm ơn."),
            Close(),
        ),
    ),
    ReportSeed(
        "mat_dien_cho_ba_don",
        "cap_dien",
        "QT-BADON",
        HUNG,
        37,
        "Mất điện kéo dài quanh chợ Ba Đồn",
        "Khu vực quanh chợ Ba Đồn mất điện từ 14 giờ đến gần 22 giờ mà không có thông báo "
        "trước, nhiều hộ kinh doanh hàng đông lạnh bị thiệt hại.",
        "Đường Hùng Vương, gần chợ Ba Đồn, phường Ba Đồn",
        (
            Assign(1.5, "dien_luc"),
            Acknowledge(1, "dienluc", "Điện lực đã cử đội thao tác lưu động kiểm tra."),
            Post(2, REPORTER, _PARTICIPANTS, "Đến giờ vẫn chưa có điện, bao giờ mới có lại ạ?"),
            Post(
                0.5,
                "dienluc",
                _PARTICIPANTS,
                "Sự cố do cháy đầu cáp tại trạm biến áp, dự kiến cấp điện lại trước 22 giờ.",
            ),
            Resolve(
                5,
                "dienluc",
                "Nguyên nhân do cháy đầu cáp ngầm tại trạm biến áp Chợ Ba Đồn. Điện lực đã thay "
                "thế và cấp điện trở lại lúc 21 giờ 40; đơn vị xin lỗi vì chưa thông báo kịp "
                "thời đến khách hàng.",
            ),
            Rate(15, _S, "Khắc phục trong ngày là tốt, nhưng nên thông báo sớm hơn."),
            Close(),
        ),
    ),
    ReportSeed(
        "nuoc_duc_dong_son",
        "cap_nuoc",
        "QT-DONGSON",
        HUNG,
        33,
        "Nước máy có mùi clo nồng, màu vàng đục",
        "Mấy ngày nay nước máy ở khu dân cư có màu vàng đục và mùi clo rất nồng, gia đình "
        "không dám dùng để nấu ăn. Nhiều hộ trong xóm cũng bị như vậy.",
        "Khu dân cư Nghĩa Ninh, phường Đồng Sơn",
        (
            Assign(4, "cap_nuoc"),
            Acknowledge(3, "capnuoc"),
            Post(
                2,
                "capnuoc",
                _PARTICIPANTS,
                "Đề nghị anh cho biết số nhà để nhân viên đến lấy mẫu nước kiểm tra.",
            ),
            Post(1, REPORTER, _PARTICIPANTS, "Nhà tôi ở số 27, ngõ 5; chiều nay tôi ở nhà."),
            Post(
                0.5,
                "capnuoc",
                _INTERNAL,
                "Giao tổ quản lý mạng Đồng Sơn xúc xả tuyến ống và lấy mẫu gửi phòng thí nghiệm.",
            ),
            Resolve(
                48,
                "capnuoc",
                "Mẫu nước đạt QCVN 01-1:2018/BYT. Nước đục do cặn lắng sau khi sửa chữa đường "
                "ống; công ty đã xúc xả toàn tuyến và điều chỉnh liều lượng clo.",
            ),
            Rate(24, _S),
            Close(),
        ),
    ),
    ReportSeed(
        "lan_chiem_bai_bien_canh_duong",
        "trat_tu_xay_dung",
        "QT-CANHDUONG",
        THU_THUY,
        52,
        "Xây nhà lấn chiếm lối xuống bến thuyền",
        "Một hộ đang đổ móng, xây nhà kiên cố lấn ra bãi cát sát bờ biển, chắn lối đi xuống bến "
        "thuyền của bà con ngư dân. Đề nghị kiểm tra giấy phép xây dựng.",
        "Khu vực bến thuyền, xã Cảnh Dương",
        (
            Assign(6, "so_xay_dung"),
            Return(
                20,
                "xaydung",
                "Công trình nhà ở riêng lẻ tại xã thuộc thẩm quyền kiểm tra, xử lý của UBND xã; "
                "đề nghị chuyển UBND xã Cảnh Dương.",
            ),
            Assign(3, "ubnd_canh_duong", by="dieuphoi2"),
            Acknowledge(16, "canhduong"),
            Post(
                30,
                "canhduong",
                _PUBLIC,
                "UBND xã đã lập biên bản yêu cầu tạm dừng thi công và đang xác minh nguồn gốc đất.",
            ),
            Post(
                1,
                "canhduong",
                _INTERNAL,
                "Chủ hộ chưa có giấy phép; đang chuẩn bị hồ sơ xử phạt vi phạm hành chính.",
            ),
            Resolve(
                96,
                "canhduong",
                "UBND xã đã ban hành quyết định xử phạt vi phạm hành chính, buộc chủ hộ tháo dỡ "
                "phần móng lấn chiếm, trả lại lối đi xuống bến thuyền. Phần móng đã được tháo dỡ.",
            ),
            Rate(40, _VS, "Bà con ngư dân rất phấn khởi vì lối xuống bến đã thông."),
            Close(),
        ),
    ),
    # --- RESOLVED ---
    ReportSeed(
        "karaoke_nam_ly",
        "an_ninh_trat_tu",
        "QT-DONGHOI-NAMLY5",
        HUNG,
        21,
        "Karaoke gây ồn ào sau 22 giờ",
        "Một quán karaoke trong khu dân cư mở nhạc rất to đến hơn 23 giờ hằng đêm, người già và "
        "trẻ nhỏ không ngủ được. Đã nhắc nhiều lần nhưng không thay đổi.",
        "Tổ dân phố Nam Lý 5, phường Đồng Hới",
        (
            Assign(10, "ubnd_dong_hoi"),
            Acknowledge(14, "phuongdonghoi"),
            Post(
                4,
                "phuongdonghoi",
                _INTERNAL,
                "Đề nghị công an phường bố trí kiểm tra đột xuất trong khung giờ 22–23 giờ.",
            ),
            Resolve(
                60,
                "phuongdonghoi",
                "Công an phường đã kiểm tra, lập biên bản nhắc nhở chủ cơ sở và yêu cầu cam kết "
                "không hoạt động sau 22 giờ.",
            ),
            Rate(50, _DS, "Mấy hôm đầu có giảm nhưng nay lại hát đến khuya như cũ."),
        ),
        anonymous=True,
    ),
    ReportSeed(
        "cay_gay_huu_nghi",
        "chieu_sang_cay_xanh",
        "QT-DONGTHUAN",
        HUNG,
        6,
        "Cây xanh gãy đổ chắn vỉa hè đường Hữu Nghị",
        "Sau trận mưa lớn đêm qua, một cây xà cừ bị gãy cành lớn, đổ chắn hết vỉa hè và một "
        "phần lòng đường, rất nguy hiểm cho người đi đường.",
        "Đường Hữu Nghị, phường Đồng Thuận",
        (
            Assign(1, "moi_truong_do_thi"),
            Acknowledge(1, "dothi"),
            Resolve(
                6,
                "dothi",
                "Đội cây xanh đã cắt dọn toàn bộ cành gãy, thông vỉa hè và lòng đường; đồng thời "
                "cắt tỉa các cây có nguy cơ gãy đổ trên tuyến.",
            ),
        ),
    ),
    ReportSeed(
        "mot_cua_dong_hoi",
        "chat_luong_dich_vu",
        "QT-DONGHOI",
        THU_THUY,
        15,
        "Thái độ tiếp dân chưa đúng mực tại bộ phận một cửa",
        "Khi đến nộp hồ sơ chứng thực tại bộ phận một cửa của phường, tôi phải chờ hơn 2 tiếng, "
        "cán bộ trả lời cộc lốc và không hướng dẫn cụ thể hồ sơ cần bổ sung.",
        "Trung tâm phục vụ hành chính công phường Đồng Hới",
        (
            Assign(5, "ubnd_dong_hoi"),
            Acknowledge(20, "phuongdonghoi"),
            Resolve(30, "phuongdonghoi", "Đã tiếp thu."),
            SendBack(
                4,
                "Câu trả lời chưa nêu kết quả kiểm tra và biện pháp khắc phục; đề nghị bổ sung.",
            ),
            Post(
                1,
                "dieuphoi",
                _INTERNAL,
                "Đề nghị phường báo cáo rõ việc kiểm điểm cán bộ và bố trí thêm quầy giờ cao điểm.",
            ),
            Resolve(
                48,
                "phuongdonghoi",
                "UBND phường đã làm việc với cán bộ liên quan, yêu cầu rút kinh nghiệm và xin lỗi "
                "công dân; từ tuần này bố trí thêm một quầy tiếp nhận buổi sáng và niêm yết danh "
                "mục hồ sơ chứng thực tại quầy.",
            ),
        ),
    ),
    ReportSeed(
        "muong_tac_dong_ha",
        "ha_tang",
        "QT-DONGHA",
        HUNG,
        26,
        "Mương thoát nước tắc, nước tràn vào nhà dân",
        "Mương thoát nước dọc đường bị rác và bùn đất lấp đầy, mỗi khi mưa lớn nước tràn lên "
        "đường và vào nhà dân, nhiều giờ sau mới rút.",
        "Kiệt 12 đường Lê Duẩn, phường Đông Hà",
        (
            Assign(8, "so_xay_dung"),
            Acknowledge(24, "xaydung"),
            Resolve(
                120,
                "xaydung",
                "Sở đã chỉ đạo đơn vị quản lý hạ tầng nạo vét 150 m mương thoát nước và thay 4 tấm "
                "đan hư hỏng.",
            ),
            Rate(30, _DS, "Mới nạo vét một đoạn, phía cuối kiệt vẫn tắc, mưa vẫn ngập."),
        ),
    ),
    ReportSeed(
        "cot_dien_nghieng_canh_duong",
        "cap_dien",
        "QT-CANHDUONG",
        THU_THUY,
        9,
        "Cột điện nghiêng sát mái nhà dân",
        "Sau đợt gió mùa, cột điện hạ thế bị nghiêng hẳn về phía mái nhà, dây điện võng thấp, "
        "trẻ em đi học qua lại rất nguy hiểm.",
        "Đường liên thôn ven biển, xã Cảnh Dương",
        (
            Assign(1, "dien_luc"),
            Acknowledge(2, "dienluc"),
            Post(
                1,
                "dienluc",
                _INTERNAL,
                "Đội quản lý vận hành khu vực xử lý trong ngày; cần cắt điện nhánh hạ thế.",
            ),
            Post(
                1,
                "dienluc",
                _PUBLIC,
                "Điện lực tạm ngừng cấp điện khu vực từ 14 giờ đến 16 giờ để dựng lại cột.",
            ),
            Resolve(
                6,
                "dienluc",
                "Đã dựng lại và gia cố móng cột điện, căng lại dây hạ thế bảo đảm khoảng cách "
                "an toàn.",
            ),
        ),
    ),
    # --- IN_PROGRESS ---
    ReportSeed(
        "xay_khong_phep_dong_son",
        "trat_tu_xay_dung",
        "QT-DONGSON",
        HUNG,
        44,
        "Xây nhà không phép trên đất trồng lúa",
        "Trên cánh đồng gần đường tránh, một hộ đang xây nhà cấp 4 và tường rào kiên cố trên "
        "đất trồng lúa, không treo biển báo giấy phép xây dựng.",
        "Cánh đồng gần đường tránh Quốc lộ 1, phường Đồng Sơn",
        (
            Assign(6, "so_xay_dung"),
            Acknowledge(30, "xaydung", "Đã tiếp nhận, phối hợp UBND phường Đồng Sơn kiểm tra."),
            Post(
                50,
                "xaydung",
                _INTERNAL,
                "Phường đã lập biên bản; chờ Sở Nông nghiệp và Môi trường xác minh hồ sơ đất.",
            ),
            Post(200, REPORTER, _PARTICIPANTS, "Công trình vẫn tiếp tục thi công, đã lên mái."),
        ),
        anonymous=True,
    ),
    ReportSeed(
        "bai_rac_ly_thai_to",
        "moi_truong",
        "QT-DONGTHUAN",
        THU_THUY,
        12,
        "Bãi rác tự phát cuối đường Lý Thái Tổ",
        "Khu đất trống cuối đường Lý Thái Tổ bị biến thành bãi rác tự phát, có cả rác xây dựng "
        "và rác sinh hoạt, thỉnh thoảng bị đốt gây khói mù mịt.",
        "Cuối đường Lý Thái Tổ, phường Đồng Thuận",
        (
            Assign(3, "so_nong_nghiep_moi_truong"),
            Acknowledge(20, "moitruong"),
            Post(
                24,
                "moitruong",
                _PUBLIC,
                "Sở đã kiểm tra hiện trường; khu đất thuộc một dự án chưa triển khai, đang làm "
                "việc với chủ đầu tư để dọn dẹp và rào chắn.",
            ),
            Extend(
                48,
                10,
                "Cần thời gian làm việc với chủ đầu tư dự án để thu dọn và rào chắn khu đất.",
            ),
        ),
    ),
    ReportSeed(
        "ho_ga_tran_hung_dao",
        "ha_tang",
        "QT-DONGHOI",
        HUNG,
        3,
        "Mất nắp hố ga trên đường Trần Hưng Đạo",
        "Hố ga trên vỉa hè đường Trần Hưng Đạo bị mất nắp, miệng hố sâu khoảng 1 m, ban đêm "
        "rất dễ sụp chân. Người dân tạm cắm cành cây để cảnh báo.",
        "Đường Trần Hưng Đạo, phường Đồng Hới",
        (
            Assign(2, "so_xay_dung"),
            Acknowledge(4, "xaydung", "Đã rào chắn, đặt biển cảnh báo tạm thời; sẽ thay nắp mới."),
        ),
    ),
    ReportSeed(
        "den_tin_hieu_quang_trung",
        "giao_thong",
        "QT-DONGHOI",
        THU_THUY,
        10,
        "Đèn tín hiệu giao thông ở ngã tư hoạt động sai",
        "Đèn tín hiệu tại ngã tư Quang Trung – Lê Lợi thường xuyên bật xanh cả hai hướng vào giờ "
        "cao điểm buổi sáng, nhiều lần suýt xảy ra va chạm.",
        "Ngã tư Quang Trung – Lê Lợi, phường Đồng Hới",
        (
            Assign(3, "so_xay_dung"),
            Acknowledge(6, "xaydung"),
            Resolve(50, "xaydung", "Đã kiểm tra và cài đặt lại chu kỳ đèn tín hiệu."),
            Rate(70, _DS, "Sáng nay đèn lại bật xanh hai hướng, chưa khắc phục được."),
            Reopen(
                5,
                "Người phản ánh chưa hài lòng, lỗi vẫn tái diễn; đề nghị Sở Xây dựng kiểm tra lại "
                "tủ điều khiển.",
            ),
            Acknowledge(3, "xaydung", "Đã mời đơn vị bảo trì thay bộ điều khiển."),
        ),
    ),
    ReportSeed(
        "mat_nuoc_f325",
        "cap_nuoc",
        "QT-DONGTHUAN",
        HUNG,
        2,
        "Mất nước sinh hoạt nhiều ngày",
        "Khu dân cư mất nước liên tục 3 ngày nay, chỉ có nước yếu khoảng 1–3 giờ sáng. Các hộ "
        "phải mua nước bình để dùng.",
        "Đường F325, phường Đồng Thuận",
        (
            Assign(1, "cap_nuoc"),
            Acknowledge(2, "capnuoc"),
            Post(
                3,
                REPORTER,
                _PARTICIPANTS,
                "Hôm nay vẫn chưa có nước, công ty có cấp nước bằng xe bồn được không?",
            ),
            Post(
                2,
                "capnuoc",
                _PARTICIPANTS,
                "Công ty đang sửa điểm vỡ ống D200 trên đường F325; chiều nay sẽ bố trí xe bồn "
                "cấp nước tạm cho khu vực.",
            ),
        ),
    ),
    # --- ASSIGNED ---
    ReportSeed(
        "via_he_quang_trung",
        "an_ninh_trat_tu",
        "QT-DONGHOI",
        THU_THUY,
        1.5,
        "Hàng quán lấn chiếm vỉa hè đường Quang Trung",
        "Nhiều quán cà phê bày bàn ghế, dựng mái che kín vỉa hè đường Quang Trung, người đi bộ "
        "phải xuống lòng đường, nhất là vào buổi tối.",
        "Đường Quang Trung, phường Đồng Hới",
        (Assign(4, "ubnd_dong_hoi"),),
    ),
    ReportSeed(
        "nuoc_thai_kenh_dong_ha",
        "moi_truong",
        "QT-DONGHA",
        HUNG,
        36,
        "Cơ sở chế biến xả nước thải ra kênh thủy lợi",
        "Một cơ sở chế biến nông sản xả nước thải chưa qua xử lý ra kênh thủy lợi, nước kênh "
        "đen và bốc mùi hôi, cá chết nổi nhiều.",
        "Kênh thủy lợi cạnh Quốc lộ 9, phường Đông Hà",
        (
            Assign(8, "so_nong_nghiep_moi_truong"),
            Post(
                400,
                REPORTER,
                _PUBLIC,
                "Đã hơn hai tuần nhưng chưa thấy cơ quan nào xuống kiểm tra, nước kênh vẫn đen.",
            ),
        ),
        anonymous=True,
    ),
    ReportSeed(
        "dien_chap_chon_dong_ha",
        "cap_dien",
        "QT-DONGHA",
        THU_THUY,
        0.8,
        "Điện chập chờn vào buổi tối",
        "Từ khoảng 18 giờ đến 21 giờ điện áp rất yếu, đèn chập chờn, tủ lạnh và máy bơm không "
        "chạy được. Tình trạng kéo dài cả tuần nay.",
        "Đường Hùng Vương, phường Đông Hà",
        (Assign(2, "dien_luc"),),
    ),
    ReportSeed(
        "thi_cong_duong_ba_don",
        "giao_thong",
        "QT-BADON",
        HUNG,
        2.5,
        "Thi công đường để vật liệu tràn ra lòng đường",
        "Đơn vị thi công nâng cấp đường để cát, đá tràn ra hơn nửa lòng đường, buổi tối không có "
        "đèn hay biển cảnh báo, đã có người đi xe máy bị ngã.",
        "Đường Quang Trung, phường Ba Đồn",
        (
            Assign(
                3,
                "bql_du_an_giao_thong",
                note="Đề nghị yêu cầu nhà thầu bố trí ngay biển báo và đèn cảnh báo.",
            ),
        ),
    ),
    ReportSeed(
        "ho_so_dat_ba_don",
        "chat_luong_dich_vu",
        "QT-BADON",
        THU_THUY,
        3,
        "Hồ sơ cấp đổi giấy chứng nhận đất trễ hẹn nhiều lần",
        "Tôi nộp hồ sơ cấp đổi giấy chứng nhận quyền sử dụng đất đã quá hẹn hơn một tháng, mỗi "
        "lần hỏi đều được hẹn thêm mà không có văn bản giải thích lý do.",
        "Trung tâm phục vụ hành chính công phường Ba Đồn",
        (Assign(20, "ubnd_ba_don", by="dieuphoi2"),),
    ),
    # --- SUBMITTED ---
    ReportSeed(
        "cho_tha_rong_cong_vien",
        "khac",
        "QT-DONGHOI",
        THU_THUY,
        0.6,
        "Chó thả rông không rọ mõm ở công viên",
        "Buổi sáng có nhiều chó thả rông, không đeo rọ mõm chạy quanh khu vui chơi trẻ em ở "
        "công viên, có cháu bé đã bị chó đuổi cắn.",
        "Công viên ven sông Nhật Lệ, phường Đồng Hới",
    ),
    ReportSeed(
        "duong_ra_ben_ca",
        "ha_tang",
        "QT-CANHDUONG",
        THU_THUY,
        0.3,
        "Đường bê tông ra bến cá bị nứt vỡ",
        "Đoạn đường bê tông từ thôn ra bến cá bị nứt vỡ, sụt lún nhiều chỗ, xe chở hải sản đi "
        "lại rất khó khăn, mùa mưa đọng nước thành vũng.",
        "Đường ra bến cá, xã Cảnh Dương",
    ),
    ReportSeed(
        "mui_hoi_che_bien_hai_san",
        "moi_truong",
        "QT-CANHDUONG",
        THU_THUY,
        5,
        "Mùi hôi từ các cơ sở chế biến hải sản",
        "Các cơ sở phơi cá khô, làm nước mắm xả nước thải ra bãi biển, mùi hôi nồng nặc cả khu "
        "dân cư, ruồi nhặng rất nhiều.",
        "Khu vực bãi biển, xã Cảnh Dương",
        (
            Assign(5, "so_nong_nghiep_moi_truong"),
            Return(
                30,
                "moitruong",
                "Các cơ sở chế biến hải sản quy mô hộ gia đình thuộc thẩm quyền quản lý của UBND "
                "xã; đề nghị chuyển UBND xã Cảnh Dương.",
            ),
        ),
    ),
    ReportSeed(
        "cay_che_den_dong_son",
        "chieu_sang_cay_xanh",
        "QT-DONGSON",
        HUNG,
        0.15,
        "Cây xanh che khuất đèn đường và biển báo",
        "Tán cây bàng lớn che kín đèn chiếu sáng và biển báo giao lộ, buổi tối đoạn đường rất "
        "tối, lái xe khó quan sát.",
        "Đường liên phường Nghĩa Ninh, phường Đồng Sơn",
    ),
    ReportSeed(
        "cat_roi_vai_le_duan",
        "giao_thong",
        "QT-DONGHA",
        HUNG,
        1.2,
        "Xe chở cát làm rơi vãi trên đường Lê Duẩn",
        "Xe tải chở cát không che phủ bạt chạy qua đường Lê Duẩn làm cát rơi vãi khắp mặt đường, "
        "bụi mù mịt, xe máy dễ trượt ngã.",
        "Đường Lê Duẩn, phường Đông Hà",
    ),
    # --- REJECTED ---
    ReportSeed(
        "rac_song_cau_rao_trung",
        "moi_truong",
        "QT-DONGHOI-DONGPHU3",
        THU_THUY,
        55,
        "Bãi rác bờ sông Cầu Rào bốc mùi",
        "Rác chất đống ở bờ sông gần cầu Hải Thành, ruồi muỗi nhiều, ảnh hưởng các hộ dân xung "
        "quanh.",
        "Bờ sông Cầu Rào, phường Đồng Hới",
        (
            Reject(
                2,
                "Nội dung đã được chuyển xử lý; mời theo dõi kết quả tại phản ánh gốc.",
                duplicate_of="rac_song_cau_rao",
            ),
        ),
    ),
    ReportSeed(
        "hoi_thu_tuc_ket_hon",
        "chat_luong_dich_vu",
        "QT-BADON",
        THU_THUY,
        30,
        "Hỏi thủ tục đăng ký kết hôn",
        "Cho tôi hỏi đăng ký kết hôn với người nước ngoài cần những giấy tờ gì và nộp ở đâu?",
        "Phường Ba Đồn",
        (
            Reject(
                6,
                "Nội dung là câu hỏi về thủ tục hành chính, không phải phản ánh hiện trường. Mời "
                "tra cứu trên Cổng dịch vụ công hoặc liên hệ Trung tâm phục vụ hành chính công.",
                by="dieuphoi2",
            ),
        ),
    ),
    ReportSeed(
        "tranh_chap_ranh_gioi",
        "trat_tu_xay_dung",
        "QT-DONGTHUAN",
        HUNG,
        24,
        "Tranh chấp ranh giới đất với nhà bên cạnh",
        "Nhà bên cạnh xây tường rào lấn sang đất nhà tôi khoảng 30 cm, hai bên đã cãi nhau "
        "nhiều lần.",
        "Phường Đồng Thuận",
        (
            Reject(
                10,
                "Tranh chấp ranh giới đất giữa các hộ gia đình là tranh chấp dân sự, được hòa giải "
                "tại cơ sở hoặc giải quyết theo thủ tục tranh chấp đất đai, không thuộc phạm vi "
                "phản ánh hiện trường.",
            ),
        ),
    ),
    ReportSeed(
        "duong_hu_hong_thieu_thong_tin",
        "giao_thong",
        "QT-DONGHA",
        THU_THUY,
        16,
        "Đường hư hỏng",
        "Đường hư hỏng nặng, đề nghị sửa.",
        "",
        (
            Reject(
                4,
                "Phản ánh chưa đủ thông tin để xác minh (vị trí cụ thể, mức độ hư hỏng, hình ảnh). "
                "Mời gửi phản ánh mới với thông tin đầy đủ hơn.",
            ),
        ),
    ),
)
