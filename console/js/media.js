// Photos and videos of a report. `/media/{id}` answers private files (a report still in triage,
// an internal note's photo) only with the bearer token, which an <img src> cannot send; so
// the console fetches them and shows blob: URLs, which the page's CSP allows for images.

import { h } from "./dom.js";

/**
 * A gallery of attachments. `token` is null on public pages, where plain links work and
 * the browser may cache them. Returns the element and a `release()` that frees blob URLs.
 */
export function gallery(attachments, token, label = "Ảnh đính kèm") {
  const urls = [];
  const list = h("ul", { class: "gallery", "aria-label": label });
  attachments.forEach((attachment, index) => {
    const caption = `${label} ${index + 1}`;
    const item = h("li");
    list.append(item);
    if (!attachment.contentType.startsWith("image/")) {
      // CSP keeps media-src at 'self' (no blob:), so a private video opens as a download.
      item.append(downloadLink(attachment, token, `Tải video ${index + 1}`, urls));
      return;
    }
    const img = h("img", { alt: caption, loading: "lazy", width: 160, height: 120 });
    const link = h("a", { href: attachment.url, target: "_blank", rel: "noopener" }, img);
    item.append(link);
    if (!token) {
      img.src = attachment.url;
      return;
    }
    fetchBlob(attachment.url, token)
      .then((url) => {
        urls.push(url);
        img.src = url;
        link.href = url;
      })
      .catch(() => item.replaceChildren(h("span", { class: "muted" }, "Không tải được ảnh")));
  });
  return { element: list, release: () => urls.forEach((url) => URL.revokeObjectURL(url)) };
}

function downloadLink(attachment, token, text, urls) {
  const link = h("a", { href: attachment.url, download: "" }, text);
  if (token) {
    link.addEventListener("click", async (event) => {
      if (link.dataset.ready) return;
      event.preventDefault();
      const url = await fetchBlob(attachment.url, token);
      urls.push(url);
      link.href = url;
      link.dataset.ready = "1";
      link.click();
    });
  }
  return link;
}

async function fetchBlob(url, token) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return URL.createObjectURL(await response.blob());
}
