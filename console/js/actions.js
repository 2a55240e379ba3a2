// The forms behind each workflow button. Which buttons exist is decided by the API
// (`Report.availableActions`), never guessed here: the policy lives in one place, the server.

import { h, todayInVietnam } from "./dom.js";

// Files the API accepts for answers and messages (see SubmitReportInput.attachments).
const ACCEPT = "image/jpeg,image/png,image/webp,video/mp4";
const MAX_FILES = 5;

let uid = 0;
function fieldId(name) {
  uid += 1;
  return `f-${name}-${uid}`;
}

function field(labelText, control, hint = null) {
  const id = control.id || fieldId(control.name || "x");
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, labelText),
    control,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
  );
}

function textArea(name, { required = false, rows = 3 } = {}) {
  return h("textarea", { name, rows, required, maxlength: 5000 });
}

function filePicker(name) {
  return h("input", { type: "file", name, accept: ACCEPT, multiple: true });
}

/** The Vietnamese end of a chosen day, as the API wants it (ISO 8601 with offset). */
export function endOfDay(date) {
  return `${date}T23:59:59+07:00`;
}

/** The files picked in a form, as the variable paths the multipart request fills. */
export function chosenFiles(form, name, path) {
  const input = form.elements.namedItem(name);
  const files = input ? [...input.files] : [];
  if (files.length > MAX_FILES) throw new Error(`Tối đa ${MAX_FILES} tệp.`);
  const map = {};
  files.forEach((file, index) => {
    map[`${path}.${index}`] = file;
  });
  return map;
}

/**
 * Every action the console offers: its button, its form, and how the form becomes the
 * mutation's input. `ctx` gives the report and, for assigning, the list of agencies.
 */
export const ACTIONS = {
  ACKNOWLEDGE: {
    label: "Tiếp nhận xử lý",
    mutation: "acknowledgeReport",
    primary: true,
    fields: () => [field("Ghi chú (công khai, không bắt buộc)", textArea("note"))],
    input: (form) => ({ note: form.note.value.trim() || null }),
  },
  RESOLVE: {
    label: "Trả lời kết quả",
    mutation: "resolveReport",
    primary: true,
    fields: () => [
      field("Nội dung trả lời (công khai)", textArea("response", { required: true, rows: 5 })),
      field("Ảnh kết quả", filePicker("photos"), "Tối đa 5 ảnh (JPEG, PNG, WebP) hoặc video MP4."),
    ],
    input: (form) => ({ response: form.response.value.trim() }),
    files: (form) => chosenFiles(form, "photos", "input.attachments"),
  },
  RETURN: {
    label: "Trả lại (không thuộc thẩm quyền)",
    mutation: "returnReport",
    fields: () => [field("Lý do trả lại (công khai)", textArea("note", { required: true }))],
    input: (form) => ({ note: form.note.value.trim() }),
  },
  EXTEND_DEADLINE: {
    label: "Gia hạn",
    mutation: "extendDeadline",
    fields: () => [
      field("Hạn mới", h("input", { type: "date", name: "due", required: true, min: todayInVietnam() })),
      field("Lý do gia hạn (công khai)", textArea("reason", { required: true })),
    ],
    input: (form) => ({ dueAt: endOfDay(form.due.value), reason: form.reason.value.trim() }),
  },
  ASSIGN: {
    label: "Chuyển xử lý",
    mutation: "assignReport",
    primary: true,
    fields: (ctx) => {
      const suggested = ctx.report.suggestedAgency;
      const current = ctx.report.assignedAgency;
      const preferred = suggested?.id ?? current?.id ?? "";
      const select = h(
        "select",
        { name: "agency", required: true },
        h("option", { value: "" }, "— Chọn cơ quan —"),
        ctx.agencies.map((agency) =>
          h(
            "option",
            { value: agency.id, defaultSelected: agency.id === preferred },
            agency.id === suggested?.id ? `${agency.name} (đề xuất)` : agency.name,
          ),
        ),
      );
      const days = ctx.report.category.defaultDueDays;
      return [
        field("Cơ quan xử lý", select, suggested ? `Theo quy tắc phân công: ${suggested.name}.` : null),
        field(
          "Hạn xử lý",
          h("input", { type: "date", name: "due", min: todayInVietnam() }),
          `Để trống: ${days} ngày làm việc theo lĩnh vực (trừ ngày nghỉ, lễ).`,
        ),
        field("Ghi chú (công khai, không bắt buộc)", textArea("note")),
      ];
    },
    input: (form) => ({
      agencyId: form.agency.value,
      dueAt: form.due.value ? endOfDay(form.due.value) : null,
      note: form.note.value.trim() || null,
    }),
  },
  REJECT: {
    label: "Không tiếp nhận",
    mutation: "rejectReport",
    danger: true,
    fields: () => [
      field("Lý do (bắt buộc, trừ khi trùng lặp)", textArea("reason")),
      field(
        "Trùng với phản ánh (mã)",
        h("input", { type: "text", name: "duplicate", placeholder: "PA-2026-000123", autocomplete: "off" }),
        "Nhập mã phản ánh gốc nếu đây là phản ánh trùng lặp.",
      ),
    ],
    // The duplicate is named by its public code in the form; ctx.lookup turns it into its id.
    input: async (form, ctx) => {
      const code = form.duplicate.value.trim();
      const reason = form.reason.value.trim() || null;
      if (!code && !reason) throw new Error("Cần nêu lý do hoặc mã phản ánh gốc.");
      return { reason, duplicateOfId: code ? await ctx.lookup(code) : null };
    },
  },
  SEND_BACK: {
    label: "Yêu cầu trả lời lại",
    mutation: "sendBackAnswer",
    fields: () => [field("Vì sao câu trả lời chưa đạt (công khai)", textArea("note", { required: true }))],
    input: (form) => ({ note: form.note.value.trim() }),
  },
  REOPEN: {
    label: "Mở lại",
    mutation: "reopenReport",
    fields: () => [field("Lý do mở lại (công khai)", textArea("note", { required: true }))],
    input: (form) => ({ note: form.note.value.trim() }),
  },
  CLOSE: {
    label: "Đóng phản ánh",
    mutation: "closeReport",
    fields: () => [field("Ghi chú (không bắt buộc)", textArea("note"))],
    input: (form) => ({ note: form.note.value.trim() || null }),
  },
};

/** The message composer: to the citizen (public or participants only) or an internal note. */
export function messageFields() {
  const choices = [
    ["PARTICIPANTS", "Gửi người phản ánh", "Chỉ người phản ánh và cán bộ xử lý thấy."],
    ["PUBLIC", "Công khai", "Mọi người xem được trên trang theo dõi."],
    ["INTERNAL", "Ghi chú nội bộ", "Chỉ cán bộ thấy; người dân không bao giờ thấy."],
  ];
  const group = h(
    "fieldset",
    { class: "visibility-choice" },
    h("legend", {}, "Ai được xem"),
    choices.map(([value, text, hint], index) => {
      const id = fieldId(`vis-${value}`);
      return h(
        "div",
        { class: "choice" },
        h("input", { type: "radio", name: "visibility", value, id, defaultChecked: index === 0 }),
        h("label", { for: id }, h("strong", {}, text), ` — ${hint}`),
      );
    }),
  );
  return [
    field("Nội dung", textArea("body", { required: true, rows: 3 })),
    group,
    field("Ảnh kèm theo", filePicker("photos"), "Không bắt buộc; tối đa 5 tệp."),
  ];
}

export function messageInput(form) {
  return { body: form.body.value.trim(), visibility: form.visibility.value };
}
