import Router from "@koa/router";
import Koa from "koa";
import { publishedRecord } from "../features/draw/service";
import { errorOutcome } from "../bot/errorReply";
import type { Logger } from "../logger";
import type { Db } from "../store/db";
import type { Health } from "../lark/health";
import { renderConsole } from "./console";

export interface HttpDeps {
  db: Db;
  logger: Logger;
  sandbox: boolean;
  /** Feishu's routes (/lark/events, /lark/cards), when the bot runs. */
  feishu?: Router;
  /** The sandbox's simulated chat. */
  sandboxChat?: Router;
  /** The full health report (processing, backlog, long connection); without it only the database is checked. */
  health?: () => Promise<Health>;
}

/**
 * The HTTP surface. Production serves only Feishu's routes and /healthz (interface.md §3); the
 * console, `/` and record downloads exist in the sandbox only.
 */
export function createHttpApp(deps: HttpDeps): Koa {
  const app = new Koa();
  const router = new Router();

  router.get("/healthz", async (ctx) => {
    const health = deps.health ? await deps.health() : await dbOnly(deps.db);
    if (health.status !== "ok") {
      deps.logger.warn({ health }, "health check failed");
      ctx.status = 503;
    }
    ctx.body = health;
  });

  if (deps.sandbox) sandboxRoutes(router, deps);

  // One error path (errorOutcome): coded errors become their status and Chinese message; anything else is logged.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      const outcome = errorOutcome(e);
      if (!outcome.known) deps.logger.error({ err: e }, "unhandled request error");
      ctx.status = outcome.status;
      ctx.body = { error: outcome.code, message: outcome.reply };
    }
  });
  app.use(router.routes()).use(router.allowedMethods());
  if (deps.feishu) app.use(deps.feishu.routes());
  if (deps.sandboxChat) app.use(deps.sandboxChat.routes());
  return app;
}

async function dbOnly(db: Db): Promise<Health> {
  try {
    await db.$queryRaw`SELECT 1`;
    return { status: "ok", backlog: 0, oldestPendingSeconds: 0 };
  } catch {
    return { status: "db", backlog: 0, oldestPendingSeconds: 0 };
  }
}

/** The console and record downloads: sandbox only. */
function sandboxRoutes(router: Router, deps: HttpDeps): void {
  router.get("/", async (ctx) => {
    ctx.type = "html";
    ctx.body = await renderConsole(deps.db, { sandbox: deps.sandbox });
  });

  router.get("/draws/:id/record.json", async (ctx) => {
    const draw = await deps.db.draw.findUnique({ where: { id: ctx.params.id } });
    if (!draw) return ctx.throw(404, "找不到该抽取");
    const record = publishedRecord(draw);
    ctx.set("Content-Disposition", `attachment; filename="${encodeURIComponent(draw.id)}.json"`);
    ctx.body = record;
  });
}
