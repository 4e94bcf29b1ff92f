import { createInflateRaw, inflateRawSync } from "node:zlib";
import { Readable } from "node:stream";
import { centralDirectory, entryBytes, type Entry } from "./xlsxExtent";

/**
 * The first worksheet of an .xlsx, row by row, read straight from the zip: the sheet's XML is inflated
 * as a stream and scanned for <row>/<c> elements, so memory holds the shared strings and one chunk of
 * the sheet, never the sheet. Replaces exceljs' streaming reader for imports: that one took 4 s and
 * ~110 MB for 100,000 rows, and garbled a CJK character now and then where a multi-byte sequence
 * straddled two chunks of sharedStrings.xml (U+FFFD in ~0.6 % of the rows of bench/import-files.ts).
 *
 * A cell's text is what exceljs gave before: shared and inline strings (rich text joined, phonetic
 * runs dropped), numbers (integers without exponent), booleans as true/false, errors as "", a formula's
 * cached result, and numbers in a date format as YYYY-MM-DD.
 */

export interface RawRow {
  rowNumber: number;
  /** Sparse: index = column − 1. Only cells that hold a value. */
  cells: string[];
  /** The rightmost column holding a value (0 when none): the real extent, whatever the cells' count. */
  widest: number;
}

// A plain error: table.ts turns it into the one Chinese "broken file" refusal.
const broken = () => new Error("xlsx: a required part is missing or unreadable");

function inflate(zip: Buffer, e: Entry): Buffer {
  const data = entryBytes(zip, e);
  if (!data) throw broken();
  if (e.method === 0) return data;
  if (e.method !== 8) throw broken();
  return inflateRawSync(data);
}

async function* inflateStream(zip: Buffer, e: Entry): AsyncGenerator<Buffer> {
  const data = entryBytes(zip, e);
  if (!data) throw broken();
  if (e.method === 0) return yield data;
  if (e.method !== 8) throw broken();
  yield* Readable.from([data]).pipe(createInflateRaw({ chunkSize: 256 * 1024 })) as AsyncIterable<Buffer>;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
function unescapeXml(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) =>
    e[0] === "#"
      ? String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
      : (ENTITIES[e] ?? m),
  );
}

const T = /<(?:\w+:)?t(?:\s[^>]*)?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?t>)/g;
/**
 * The big XML parts are read as latin1 (one byte per character: half the memory of a decoded string,
 * and no multi-byte sequence can be cut between chunks); a value is decoded from UTF-8 on its own,
 * before its entities are resolved, so it owns its characters and keeps no part alive.
 */
const utf8 = (latin1: string) =>
  /[\u0080-\u00ff]/.test(latin1) ? Buffer.from(latin1, "latin1").toString("utf8") : latin1;

/** The text of an <si> or <is> (latin1, as read): every <t> joined, phonetic guides (<rPh>) left out. */
function richText(xml: string, latin1 = true): string {
  if (xml.includes("rPh")) xml = xml.replace(/<(?:\w+:)?rPh\b[\s\S]*?<\/(?:\w+:)?rPh>/g, "");
  T.lastIndex = 0;
  const first = T.exec(xml);
  if (!first) return "";
  let out = first[1] ?? "";
  for (let m = T.exec(xml); m; m = T.exec(xml)) out += m[1] ?? ""; // rich text: several runs
  return unescapeXml(latin1 ? utf8(out) : out);
}

function sharedStrings(xml: string, latin1: boolean): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(/<(?:\w+:)?si(?:\s[^>]*)?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?si>)/g))
    out.push(richText(m[1] ?? "", latin1));
  return out;
}

const attrRes = new Map<string, RegExp>();
function attr(attrs: string, name: string): string | undefined {
  let re = attrRes.get(name);
  if (!re) attrRes.set(name, (re = new RegExp(`\\s${name}="([^"]*)"`)));
  return re.exec(attrs)?.[1];
}

/** Built-in number formats that are dates (ECMA-376 §18.8.30), and custom ones that show y/m/d/h/s. */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57]);
function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\\.|\[[^\]]*\]/g, "");
  return /[ymdhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** Which cell style indexes (the `s` of a cell) show a date. */
function dateStyles(xml: string | null): Set<number> {
  const out = new Set<number>();
  if (!xml) return out;
  const custom = new Map<number, string>();
  for (const m of xml.matchAll(/<(?:\w+:)?numFmt\s([^>]*)\/?>/g)) {
    const id = Number(attr(` ${m[1]}`, "numFmtId"));
    custom.set(id, unescapeXml(attr(` ${m[1]}`, "formatCode") ?? ""));
  }
  const xfs = /<(?:\w+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:\w+:)?cellXfs>/.exec(xml)?.[1] ?? "";
  let k = 0;
  for (const m of xfs.matchAll(/<(?:\w+:)?xf\b([^>]*)>/g)) {
    const id = Number(attr(` ${m[1]}`, "numFmtId") ?? 0);
    const code = custom.get(id);
    if (code !== undefined ? isDateFormat(code) : DATE_FORMAT_IDS.has(id)) out.add(k);
    k++;
  }
  return out;
}

/** "AB12" → 28 (the column); 0 when the reference is missing. */
function columnOf(ref: string | undefined): number {
  if (!ref) return 0;
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    col = col * 26 + (c - 64);
  }
  return col;
}

function numberText(v: string, date: boolean, date1904: boolean): string {
  const n = Number(v);
  if (!Number.isFinite(n)) return v;
  if (date) {
    const ms = Math.round((n - (date1904 ? 24107 : 25569)) * 86_400_000);
    const d = new Date(ms);
    if (!Number.isNaN(d.getTime())) return d.toISOString().slice(0, 10);
  }
  return Number.isInteger(n) ? BigInt(n).toString() : String(n);
}

const ROW = /<(?:\w+:)?row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?row>)/g;
const CELL = /<(?:\w+:)?c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?c>)/g;
const V = /<(?:\w+:)?v(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?v>/;
const IS = /<(?:\w+:)?is(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?is>/;

/** The part a relationship of `from` (e.g. xl/workbook.xml) points to, as a zip entry name. */
function resolvePart(from: string, target: string): string {
  if (target.startsWith("/")) return target.slice(1);
  const parts = from.split("/").slice(0, -1);
  for (const p of target.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  return parts.join("/");
}

/** Rows of the first worksheet; a row is yielded as soon as its </row> has been inflated. */
export async function* xlsxSheetRows(zip: Buffer): AsyncGenerator<RawRow> {
  const entries = new Map((centralDirectory(zip) ?? []).map((e) => [e.name, e]));
  const text = (name: string) => {
    const e = entries.get(name);
    return e ? new TextDecoder("utf-8").decode(inflate(zip, e)) : null;
  };
  const workbook = text("xl/workbook.xml");
  if (workbook === null) throw broken();
  const rels = new Map<string, { type: string; target: string }>();
  for (const m of (text("xl/_rels/workbook.xml.rels") ?? "").matchAll(/<(?:\w+:)?Relationship\s([^>]*?)\/?>/g)) {
    const a = ` ${m[1]}`;
    rels.set(attr(a, "Id") ?? "", { type: attr(a, "Type") ?? "", target: attr(a, "Target") ?? "" });
  }
  const part = (suffix: string, fallback: string) => {
    const r = [...rels.values()].find((x) => x.type.endsWith(suffix));
    return r ? resolvePart("xl/workbook.xml", r.target) : fallback;
  };
  const firstSheet = /<(?:\w+:)?sheet\s([^>]*?)\/?>/.exec(workbook)?.[1];
  const sheetRel = firstSheet && /\s(?:\w+:)?id="([^"]*)"/.exec(` ${firstSheet}`)?.[1];
  const sheetName = sheetRel && rels.get(sheetRel) ? resolvePart("xl/workbook.xml", rels.get(sheetRel)!.target) : null;
  const sheet = entries.get(sheetName ?? "xl/worksheets/sheet1.xml");
  if (!sheet) throw broken();
  const date1904 = /date1904="(1|true)"/.test(workbook);
  const sst = entries.get(part("/sharedStrings", "xl/sharedStrings.xml"));
  const strings = sst ? sharedStrings(inflate(zip, sst).toString("utf8"), false) : [];
  const dates = dateStyles(text(part("/styles", "xl/styles.xml")));

  let pending = "";
  let lastRow = 0;
  const parse = function* (final: boolean): Generator<RawRow> {
    ROW.lastIndex = 0;
    let consumed = 0;
    for (let m = ROW.exec(pending); m; m = ROW.exec(pending)) {
      consumed = ROW.lastIndex;
      const r = attr(m[1]!, "r");
      const rowNumber = r ? Number(r) : lastRow + 1;
      lastRow = rowNumber;
      const cells: string[] = [];
      let widest = 0;
      let col = 0;
      for (const c of (m[2] ?? "").matchAll(CELL)) {
        const a = c[1]!;
        col = columnOf(attr(a, "r")) || col + 1;
        const body = c[2] ?? "";
        const type = attr(a, "t") ?? "n";
        let value: string | null = null;
        if (type === "inlineStr") {
          const is = IS.exec(body)?.[1];
          value = is === undefined ? null : richText(is);
        } else {
          const v = V.exec(body)?.[1];
          if (v !== undefined) {
            if (type === "s") value = strings[Number(v)] ?? "";
            else if (type === "str") value = unescapeXml(utf8(v));
            else if (type === "b") value = v === "1" || v === "true" ? "true" : "false";
            else if (type === "e") value = "";
            else if (type === "d") value = unescapeXml(v).slice(0, 10);
            else value = numberText(v, dates.has(Number(attr(a, "s") ?? 0)), date1904);
          }
        }
        if (value === null) continue;
        widest = Math.max(widest, col);
        if (col <= 100) cells[col - 1] = value;
      }
      yield { rowNumber, cells, widest };
    }
    // What follows the last whole row waits for the next chunk (at the end there is nothing left to wait for).
    pending = final ? "" : pending.slice(consumed);
  };
  for await (const chunk of inflateStream(zip, sheet)) {
    pending += chunk.toString("latin1");
    yield* parse(false);
  }
  yield* parse(true);
}
