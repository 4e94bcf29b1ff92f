import { networkInterfaces } from "node:os";
import type { Db } from "../store/db";
import { isLoopback } from "./access";

/** What a trainer needs at start-up: where the console is (with its token off loopback) and who can be played. */
export async function sandboxBanner(db: Db, host: string, port: number, accessToken: string | null): Promise<string> {
  const query = accessToken ? `?token=${accessToken}` : "";
  const hosts = isLoopback(host)
    ? ["localhost"]
    : host === "0.0.0.0" || host === "::"
      ? [
          "localhost",
          ...Object.values(networkInterfaces()).flatMap((list) =>
            (list ?? []).filter((a) => a.family === "IPv4" && !a.internal).map((a) => a.address),
          ),
        ]
      : [host];
  const people = await db.inspector.findMany({ where: { openId: { not: null } }, orderBy: { certNo: "asc" } });
  return [
    "沙盒已启动（模拟飞书，未连接真实飞书）。控制台 / sandbox console:",
    ...hosts.map((h) => `  http://${h}:${port}/sandbox${query}`),
    ...(accessToken ? ["  非本机地址：打开控制台需要上面链接中的访问令牌。"] : []),
    "示例人员（在控制台顶部切换身份）：",
    ...people.map((p) => `  ${p.name}（${p.roles.replace(/;/g, "、")}）`),
  ].join("\n");
}
