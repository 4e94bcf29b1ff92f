import type { Db } from "../store/db";

const esc = (s: unknown) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

const STATUS: Record<string, string> = { committed: "待见证", revealed: "已揭示", cancelled: "已取消" };

/** The sandbox's read-only console: registers, the plan, and every draw attempt with its proof. */
export async function renderConsole(db: Db, opts: { sandbox: boolean }): Promise<string> {
  const [items, targets, inspectors, conflicts, tasks, draws] = await Promise.all([
    db.item.count(),
    db.target.count(),
    db.inspector.count(),
    db.conflict.count(),
    db.task.findMany({ orderBy: { code: "asc" } }),
    db.draw.findMany({ orderBy: [{ taskCode: "asc" }, { attempt: "asc" }] }),
  ]);
  const taskRows = tasks
    .map((t) => {
      const mine = draws.filter((d) => d.taskCode === t.code);
      const state = mine.length
        ? mine.map((d) => `${esc(d.id)}：${STATUS[d.status] ?? esc(d.status)}`).join("<br>")
        : "未抽取";
      return `<tr><td>${esc(t.code)}</td><td>${esc(t.name)}</td><td>${esc(t.itemCode)}</td><td>${esc(t.startDate)} 至 ${esc(t.endDate)}</td><td>${t.inspectorsPerTarget}</td><td>${esc(t.jointUnits.replace(/;/g, "、") || "—")}</td><td>${state}</td></tr>`;
    })
    .join("");
  const drawRows = draws
    .map(
      (d) =>
        `<tr><td>${esc(d.id)}</td><td>${STATUS[d.status] ?? esc(d.status)}</td><td><code>${esc(d.poolHash.slice(0, 16))}…</code></td><td><code>${esc(d.commitment.slice(0, 16))}…</code></td><td>${
          d.status === "revealed" ? `<a href="/draws/${encodeURIComponent(d.id)}/record.json">抽取记录 JSON</a>` : "—"
        }</td></tr>`,
    )
    .join("");
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>双随机抽查助手</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem;color:#1f2329}table{border-collapse:collapse;margin:1rem 0;display:block;overflow-x:auto;max-width:100%}@media (max-width:720px){body{margin:.8rem}}td,th{border:1px solid #dee0e3;padding:.4rem .7rem;text-align:left}th{background:#f5f6f7}code{font-size:.85em}.note{color:#646a73}</style></head>
<body><h1>双随机抽查助手${opts.sandbox ? "（沙盒）" : ""}</h1>
<p class="note">${opts.sandbox ? "未配置飞书应用（LARK_APP_ID），当前为沙盒模式，已载入示例数据。" : "已连接飞书应用。"}抽取须在飞书群中公开进行；任何人可用 <code>npx drbot verify 抽取记录.json</code> 离线核验。${opts.sandbox ? ' <a href="/sandbox">进入模拟飞书，以示例人员身份试用 →</a>' : ""}</p>
<h2>一单两库</h2><p>抽查事项 ${items} 项 · 检查对象 ${targets} 户 · 执法检查人员 ${inspectors} 名 · 回避关系 ${conflicts} 条</p>
<h2>年度抽查计划</h2><table><tr><th>任务编号</th><th>任务名称</th><th>事项编码</th><th>时间</th><th>每户人数</th><th>联合单位</th><th>抽取</th></tr>${taskRows || '<tr><td colspan="7">尚未导入计划</td></tr>'}</table>
<h2>抽取记录（含已取消）</h2><table><tr><th>抽取编号</th><th>状态</th><th>号池哈希</th><th>承诺值</th><th>公开记录</th></tr>${drawRows || '<tr><td colspan="5">暂无</td></tr>'}</table>
</body></html>`;
}
