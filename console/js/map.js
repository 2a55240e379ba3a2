// The report's map point without map tiles: the console must work with no internet, and tiles
// would also tell a tile server which places officers look at. A small drawn marker, the exact
// coordinates, and a link that opens a full map only if the person chooses to.

import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

function degrees(value, positive, negative) {
  return `${Math.abs(value).toFixed(6)}° ${value >= 0 ? positive : negative}`;
}

export function mapPoint(location, area = null) {
  const { latitude, longitude, address } = location;
  const width = 240;
  const height = 150;
  const grid = [];
  for (let x = 20; x < width; x += 40) grid.push(svg("line", { x1: x, y1: 0, x2: x, y2: height, class: "grid" }));
  for (let y = 15; y < height; y += 40) grid.push(svg("line", { x1: 0, y1: y, x2: width, y2: y, class: "grid" }));
  const cx = width / 2;
  const cy = height / 2;
  // A pin whose tip marks the point, over a crosshair: readable without any map behind it.
  const drawing = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-labelledby": "map-caption" },
    svg("title", {}, `Vị trí: ${latitude}, ${longitude}`),
    svg("rect", { x: 0, y: 0, width, height, class: "map-bg" }),
    ...grid,
    svg("line", { x1: cx, y1: 0, x2: cx, y2: height, class: "crosshair" }),
    svg("line", { x1: 0, y1: cy, x2: width, y2: cy, class: "crosshair" }),
    svg("circle", { cx, cy, r: 14, class: "pin-halo" }),
    svg("path", {
      d: `M ${cx} ${cy} C ${cx - 4} ${cy - 10}, ${cx - 12} ${cy - 16}, ${cx - 12} ${cy - 24} A 12 12 0 1 1 ${cx + 12} ${cy - 24} C ${cx + 12} ${cy - 16}, ${cx + 4} ${cy - 10}, ${cx} ${cy} Z`,
      class: "pin",
    }),
    svg("circle", { cx, cy: cy - 24, r: 4.5, class: "pin-dot" }),
  );
  const osm = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;
  return h(
    "figure",
    { class: "map-point" },
    drawing,
    h(
      "figcaption",
      { id: "map-caption" },
      address ? h("span", { class: "address" }, address) : null,
      area ? h("span", { class: "muted" }, area.name) : null,
      h("span", { class: "coords" }, `${degrees(latitude, "B", "N")}, ${degrees(longitude, "Đ", "T")}`),
      h(
        "span",
        { class: "map-links" },
        h("a", { href: `geo:${latitude},${longitude}` }, "Mở bằng ứng dụng bản đồ"),
        " · ",
        h("a", { href: osm, target: "_blank", rel: "noopener noreferrer" }, "OpenStreetMap (cần Internet)"),
      ),
    ),
  );
}
