import type { Context, Next } from "koa";
import { randomBytes, timingSafeEqual } from "node:crypto";

/** 127.0.0.0/8, ::1 and localhost: only this machine can reach the console. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

export const newAccessToken = () => randomBytes(18).toString("base64url");

const COOKIE = "drbot_sandbox";
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The sandbox lets anyone act as anyone, so off loopback (training on phones) every console route
 * needs the token printed at start-up: `?token=…` once, then a same-site cookie keeps it.
 */
export function requireToken(token: string | null) {
  return async (ctx: Context, next: Next) => {
    if (token === null) return next();
    const given = typeof ctx.query["token"] === "string" ? ctx.query["token"] : "";
    if (given && same(given, token)) {
      ctx.cookies.set(COOKIE, token, { httpOnly: true, sameSite: "strict", overwrite: true });
      return next();
    }
    const cookie = ctx.cookies.get(COOKIE) ?? "";
    if (cookie && same(cookie, token)) return next();
    ctx.status = 401;
    ctx.type = "html";
    ctx.body = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>需要访问令牌</title><link rel="icon" href="data:,"></head><body><h1>需要访问令牌</h1><p>沙盒监听在非本机地址上，请使用启动时打印的链接（<code>/sandbox?token=…</code>）打开。</p></body></html>`;
  };
}
