// Vietnamese names for the API's enums. The API speaks English identifiers; people read these.

export const STATUS = {
  SUBMITTED: "Chờ phân loại",
  ASSIGNED: "Đã chuyển xử lý",
  IN_PROGRESS: "Đang xử lý",
  RESOLVED: "Đã trả lời",
  CLOSED: "Đã đóng",
  REJECTED: "Không tiếp nhận",
};

export const EVENT = {
  SUBMITTED: "Gửi phản ánh",
  ASSIGNED: "Chuyển đến cơ quan xử lý",
  REJECTED: "Không tiếp nhận",
  ACKNOWLEDGED: "Tiếp nhận xử lý",
  RETURNED: "Trả lại Ban chỉ đạo (không thuộc thẩm quyền)",
  RESOLVED: "Trả lời kết quả",
  ANSWER_SENT_BACK: "Yêu cầu trả lời lại",
  REOPENED: "Mở lại",
  CLOSED: "Đóng phản ánh",
  DEADLINE_EXTENDED: "Gia hạn xử lý",
  DEADLINE_APPROACHING: "Sắp đến hạn",
  OVERDUE: "Quá hạn xử lý",
  MESSAGE_POSTED: "Trao đổi",
  RATED: "Đánh giá kết quả",
};

export const VISIBILITY = {
  PUBLIC: "Công khai",
  PARTICIPANTS: "Người phản ánh và cán bộ xử lý",
  INTERNAL: "Nội bộ (chỉ cán bộ)",
};

export const SATISFACTION = {
  VERY_SATISFIED: "Rất hài lòng",
  SATISFIED: "Hài lòng",
  DISSATISFIED: "Không hài lòng",
};

export const ROLE = {
  CITIZEN: "Người dân",
  COORDINATOR: "Ban chỉ đạo",
  AGENCY_OFFICER: "Cán bộ cơ quan",
  ADMIN: "Quản trị",
};

/** Unknown values (an enum the server grew after this page was written) show as they are. */
export function label(table, value) {
  return table[value] ?? value;
}
