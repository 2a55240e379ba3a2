// The workflow buttons of an opened report and the forms behind them, plus the message
// composer. Which buttons exist comes from the API (`Report.availableActions`); a form being
// filled in survives live refreshes of the report as long as its action is still available.

import { UserErrors } from "./api.js";
import { ACTIONS, chosenFiles, messageFields, messageInput } from "./actions.js";
import { announce, h, replace } from "./dom.js";
import { MUTATIONS, REPORT_ID_BY_CODE } from "./ops.js";
import { request } from "./session.js";

export class ActionBar {
  /**
   * @param {object} options
   * @param {() => object} options.current the report as the panel shows it now
   * @param {(report: object|null) => Promise<void>} options.onDone after a change: the
   *   mutation's report, or null when only a message was posted (reload to see it)
   * @param {() => void} options.onStale the report changed under us: reload it
   */
  constructor({ toolbar, formsHost, composer, agencies, current, onDone, onStale }) {
    Object.assign(this, { toolbar, formsHost, composer, agencies, current, onDone, onStale });
    this.forms = new Map(); // action -> its open <form>
  }

  /** Buttons from `availableActions`; an open form survives a refresh if its action remains. */
  render(report) {
    const available = report.availableActions.filter((action) => ACTIONS[action]);
    for (const [action, form] of this.forms) {
      if (!available.includes(action)) {
        form.remove();
        this.forms.delete(action);
      }
    }
    replace(
      this.toolbar,
      available.length
        ? available.map((action) => {
            const spec = ACTIONS[action];
            const classes = spec.primary ? "primary" : spec.danger ? "danger" : "secondary";
            return h(
              "button",
              {
                type: "button",
                class: classes,
                dataset: { action },
                "aria-expanded": String(this.forms.get(action)?.hidden === false),
                onclick: (event) => this.toggleForm(action, event.currentTarget),
              },
              spec.label,
            );
          })
        : h("p", { class: "muted" }, "Không có bước xử lý nào cho bạn ở trạng thái này."),
    );
  }

  toggleForm(action, button) {
    let form = this.forms.get(action);
    if (!form) {
      form = this.actionForm(action);
      this.forms.set(action, form);
      this.formsHost.append(form);
      form.hidden = true;
    }
    form.hidden = !form.hidden;
    button.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) form.querySelector("textarea, select, input")?.focus();
  }

  actionForm(action) {
    const spec = ACTIONS[action];
    const error = h("p", { class: "error", role: "alert" });
    const form = h(
      "form",
      { class: "action-form", dataset: { action }, "aria-label": spec.label },
      h("h4", {}, spec.label),
      spec.fields({ report: this.current(), agencies: this.agencies }),
      error,
      h(
        "div",
        { class: "form-buttons" },
        h("button", { type: "submit", class: spec.danger ? "danger" : "primary" }, `Xác nhận: ${spec.label}`),
        h("button", { type: "button", class: "secondary", onclick: () => this.closeForm(action) }, "Huỷ"),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitAction(action, form, error);
    });
    return form;
  }

  closeForm(action) {
    const form = this.forms.get(action);
    if (form) form.hidden = true;
    this.toolbar.querySelector(`[data-action="${action}"]`)?.setAttribute("aria-expanded", "false");
  }

  async submitAction(action, form, errorBox) {
    const spec = ACTIONS[action];
    errorBox.textContent = "";
    const report = this.current();
    const ctx = { report, lookup: (code) => this.lookup(code) };
    await this.busy(form, async () => {
      const files = spec.files ? spec.files(form) : null;
      const input = {
        reportId: report.id,
        expectedVersion: report.version,
        ...(await spec.input(form, ctx)),
      };
      const data = await request(MUTATIONS[spec.mutation], { input }, files);
      const payload = data[spec.mutation];
      if (payload.userErrors.length) throw new UserErrors(payload.userErrors);
      form.reset();
      form.remove();
      this.forms.delete(action);
      announce(`Đã thực hiện: ${spec.label}.`);
      await this.onDone(payload.report);
    }, errorBox);
  }

  renderComposer(report) {
    const error = h("p", { class: "error", role: "alert" });
    const form = h(
      "form",
      { class: "message-form", "aria-label": "Viết tin nhắn" },
      h("h4", {}, "Viết tin nhắn"),
      messageFields(),
      error,
      h("div", { class: "form-buttons" }, h("button", { type: "submit", class: "primary" }, "Gửi tin nhắn")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      await this.busy(form, async () => {
        const files = chosenFiles(form, "photos", "input.attachments");
        const input = { reportId: this.current().id, ...messageInput(form) };
        const data = await request(MUTATIONS.postMessage, { input }, files);
        const payload = data.postMessage;
        if (payload.userErrors.length) throw new UserErrors(payload.userErrors);
        form.reset();
        announce("Đã gửi tin nhắn.");
        await this.onDone(null);
      }, error);
    });
    replace(this.composer, form);
    this.composer.hidden = !report.availableActions.includes("POST_MESSAGE");
  }

  /** Disable a form while its request runs; show what went wrong in its alert. */
  async busy(form, work, errorBox) {
    const controls = [...form.elements];
    controls.forEach((control) => {
      control.disabled = true;
    });
    try {
      await work();
    } catch (error) {
      errorBox.textContent = error.message;
      if (error instanceof UserErrors && error.codes.includes("STALE")) {
        errorBox.textContent =
          "Phản ánh vừa được người khác cập nhật. Đã tải lại — hãy kiểm tra rồi thử lại.";
        this.onStale();
      }
    } finally {
      controls.forEach((control) => {
        control.disabled = false;
      });
    }
  }

  async lookup(code) {
    const { report } = await request(REPORT_ID_BY_CODE, { code: code.toUpperCase() });
    if (!report) throw new Error(`Không tìm thấy phản ánh ${code}.`);
    if (report.id === this.current().id) throw new Error("Phản ánh không thể trùng với chính nó.");
    return report.id;
  }
}
