import { constants, inflateRawSync } from "node:zlib";

/**
 * What an .xlsx declares before anything is parsed: each worksheet's <dimension ref="A1:XFD1048576"/>
 * (read from the first few KB of the sheet's XML, straight out of the zip) and the total
 * uncompressed size the zip's central directory claims. A malformed zip yields nothing here; the
 * streaming reader then refuses it as a broken file.
 */
export interface DeclaredExtent {
  sheet: string; // the part name, e.g. xl/worksheets/sheet1.xml
  rows: number;
  columns: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Enough compressed bytes to reach <dimension>, which comes right after the <worksheet> tag. */
const HEAD_BYTES = 4096;

export interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

export function centralDirectory(zip: Buffer): Entry[] | null {
  const from = Math.max(0, zip.length - 22 - 0xffff);
  let eocd = -1;
  for (let k = zip.length - 22; k >= from; k--) {
    if (zip.readUInt32LE(k) === EOCD) {
      eocd = k;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries: Entry[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== CENTRAL) return null;
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    entries.push({
      name: zip.toString("utf8", p + 46, p + 46 + nameLength),
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      uncompressedSize: zip.readUInt32LE(p + 24),
      localOffset: zip.readUInt32LE(p + 42),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The entry's stored (compressed) bytes, or null when its local header is not where the directory says. */
export function entryBytes(zip: Buffer, e: Entry, max = Infinity): Buffer | null {
  const p = e.localOffset;
  if (p + 30 > zip.length || zip.readUInt32LE(p) !== LOCAL) return null;
  const start = p + 30 + zip.readUInt16LE(p + 26) + zip.readUInt16LE(p + 28);
  return zip.subarray(start, Math.min(zip.length, start + Math.min(e.compressedSize || max, max)));
}

function head(zip: Buffer, e: Entry): string | null {
  const data = entryBytes(zip, e, HEAD_BYTES);
  if (!data) return null;
  if (e.method === 0) return data.toString("utf8");
  if (e.method !== 8) return null;
  try {
    // A prefix of a deflate stream: flush what it holds instead of failing on the missing end.
    return inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 }).toString("utf8");
  } catch {
    return null;
  }
}

/** "XFD1048576" → { row: 1048576, column: 16384 }. */
function cellRef(ref: string): { row: number; column: number } | null {
  const m = /^\$?([A-Z]{1,3})\$?(\d{1,7})$/.exec(ref.toUpperCase());
  if (!m) return null;
  let column = 0;
  for (const ch of m[1]!) column = column * 26 + (ch.charCodeAt(0) - 64);
  return { row: Number(m[2]), column };
}

export function declaredExtents(zip: Buffer): { sheets: DeclaredExtent[]; uncompressedBytes: number } {
  const entries = centralDirectory(zip) ?? [];
  const sheets: DeclaredExtent[] = [];
  for (const e of entries) {
    if (!/^xl\/worksheets\/[^/]+\.xml$/.test(e.name)) continue;
    const text = head(zip, e);
    const ref =
      text &&
      /<(?:\w+:)?dimension\s+ref="([^"]+)"/.exec(text.slice(0, text.search(/<(?:\w+:)?sheetData[\s>]/) >>> 0))?.[1];
    if (!ref) continue;
    const last = cellRef(ref.split(":").at(-1)!);
    if (last) sheets.push({ sheet: e.name, rows: last.row, columns: last.column });
  }
  return { sheets, uncompressedBytes: entries.reduce((n, e) => n + e.uncompressedSize, 0) };
}
