// Draws the app icon (three stacked bricks with studs, like a tiny network) and writes build/icon.png at
// 1024×1024; electron-builder derives the .icns/.ico and Linux sizes from it. Plain Node: zlib + a PNG writer.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 1024;
const pixels = new Uint8Array(SIZE * SIZE * 4);

function blend(x, y, [r, g, b], alpha = 1) {
  if (x < 0 || y < 0 || x >= SIZE || y >= SIZE) return;
  const o = (y * SIZE + x) * 4;
  const a = alpha + (pixels[o + 3] / 255) * (1 - alpha);
  const mix = (c, i) => (a === 0 ? 0 : Math.round((c * alpha + pixels[o + i] * (pixels[o + 3] / 255) * (1 - alpha)) / a));
  pixels[o] = mix(r, 0);
  pixels[o + 1] = mix(g, 1);
  pixels[o + 2] = mix(b, 2);
  pixels[o + 3] = Math.round(a * 255);
}

/** Rounded rectangle with 1-pixel anti-aliased edges. */
function roundRect(x0, y0, w, h, radius, color) {
  for (let y = Math.floor(y0); y < y0 + h; y++) {
    for (let x = Math.floor(x0); x < x0 + w; x++) {
      const dx = Math.max(x0 + radius - x - 0.5, 0, x + 0.5 - (x0 + w - radius));
      const dy = Math.max(y0 + radius - y - 0.5, 0, y + 0.5 - (y0 + h - radius));
      const outside = Math.hypot(dx, dy) - radius;
      const alpha = Math.max(0, Math.min(1, 0.5 - outside));
      if (alpha > 0) blend(x, y, color, alpha);
    }
  }
}

function circle(cx, cy, r, color) {
  for (let y = Math.floor(cy - r - 1); y <= cy + r + 1; y++) {
    for (let x = Math.floor(cx - r - 1); x <= cx + r + 1; x++) {
      const alpha = Math.max(0, Math.min(1, r + 0.5 - Math.hypot(x + 0.5 - cx, y + 0.5 - cy)));
      if (alpha > 0) blend(x, y, color, alpha);
    }
  }
}

const shade = ([r, g, b], f) => [Math.round(r * f), Math.round(g * f), Math.round(b * f)];

// Background tile.
roundRect(64, 64, 896, 896, 180, [24, 32, 48]);

// Three bricks: input (green), hidden (blue), output (red) — the palette's category colours.
const bricks = [
  { y: 620, x: 200, w: 624, color: [41, 163, 106] },
  { y: 430, x: 260, w: 504, color: [46, 134, 222] },
  { y: 240, x: 320, w: 384, color: [228, 87, 46] },
];
for (const { x, y, w, color } of bricks) {
  roundRect(x, y + 18, w, 150, 26, shade(color, 0.6)); // side
  roundRect(x, y, w, 150, 26, color);
  const studs = Math.round(w / 130);
  for (let i = 0; i < studs; i++) {
    const cx = x + (w / studs) * (i + 0.5);
    circle(cx, y - 2, 34, shade(color, 0.75));
    circle(cx, y - 12, 34, shade(color, 1.12).map((c) => Math.min(255, c)));
  }
}

function crc32(buffer) {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icon.png');
writeFileSync(out, encodePng(SIZE, SIZE, pixels));
console.log(`wrote ${out}`);
