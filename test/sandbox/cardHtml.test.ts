import { describe, expect, it } from "vitest";
import { confirmationCard } from "../../cards/tasks";
import { renderCard } from "../../src/sandbox/cardHtml";

const ctx = { messageId: "om_1", as: "ou_me", names: new Map([["ou_wang", "王检查"]]) };
const plain = (content: string) => ({ tag: "plain_text", content });
const card = (elements: Record<string, unknown>[]) => ({
  schema: "2.0",
  config: { update_multi: true },
  header: { title: plain("标题"), template: "green" },
  body: { elements },
});

describe("the sandbox draws Card JSON 2.0 as Feishu does", () => {
  it("markdown with mentions and escapes, div with lark_md, hr, column_set", () => {
    const html = renderCard(
      card([
        { tag: "markdown", content: "**任务**：<at id=ou_wang></at> 负责 \\*不是粗体\\*\n第二行 <script>" },
        { tag: "div", text: { tag: "lark_md", content: "**说明**" } },
        { tag: "hr" },
        {
          tag: "column_set",
          columns: [
            { tag: "column", weight: 2, elements: [{ tag: "markdown", content: "左" }] },
            { tag: "column", elements: [{ tag: "markdown", content: "右" }] },
          ],
        },
      ]),
      ctx,
    );
    expect(html).toContain('class="card green"');
    expect(html).toContain("<b>任务</b>");
    expect(html).toContain('<span class="at">@王检查</span>');
    expect(html).toContain("*不是粗体*");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).toContain("<b>说明</b>");
    expect(html).toContain("<hr>");
    expect(html).toMatch(
      /class="cols"><div class="colm" style="flex:2 1 0"><div class="md">左<\/div><\/div><div class="colm" style="flex:1 1 0"><div class="md">右/,
    );
  });

  it("table and chart (as its data)", () => {
    const html = renderCard(
      card([
        {
          tag: "table",
          columns: [
            { name: "n", display_name: "名称" },
            { name: "k", display_name: "类别" },
          ],
          rows: [{ n: "甲公司", k: [{ text: "高风险", color: "red" }] }],
        },
        {
          tag: "chart",
          chart_spec: { type: "bar", title: { text: "各月完成" }, data: { values: [{ 月: "1月", 户数: 3 }] } },
        },
      ]),
      ctx,
    );
    expect(html).toContain("<th>名称</th><th>类别</th>");
    expect(html).toContain("<td>甲公司</td><td>高风险</td>");
    expect(html).toContain("各月完成");
    expect(html).toContain("<th>月</th><th>户数</th>");
    expect(html).toContain("<td>1月</td><td>3</td>");
  });

  it("a form posts every input with the clicked button's name and value; required and confirm carry over", () => {
    const html = renderCard(
      card([
        {
          tag: "form",
          name: "f",
          elements: [
            { tag: "input", name: "reason", required: true, max_length: 300, placeholder: plain("理由") },
            {
              tag: "select_static",
              name: "category",
              initial_option: "b",
              placeholder: plain("类别"),
              options: [
                { text: plain("甲"), value: "a" },
                { text: plain("乙"), value: "b" },
              ],
            },
            {
              tag: "multi_select_static",
              name: "many",
              selected_values: ["x"],
              placeholder: plain("多选"),
              options: [
                { text: plain("X"), value: "x" },
                { text: plain("Y"), value: "y" },
              ],
            },
            { tag: "date_picker", name: "day", initial_date: "2026-06-01", placeholder: plain("日期") },
            { tag: "checker", name: "ok", checked: true, text: plain("已核对") },
            {
              tag: "button",
              name: "go",
              text: plain("提交"),
              type: "primary_filled",
              form_action_type: "submit",
              behaviors: [{ type: "callback", value: { action: "x.submit", id: 7 } }],
              confirm: { title: plain("确定？"), text: plain("不能撤回") },
            },
          ],
        },
        {
          tag: "button",
          name: "alone",
          text: plain("单独按钮"),
          behaviors: [{ type: "callback", value: { action: "y" } }],
        },
        { tag: "unknown_thing" },
      ]),
      ctx,
    );
    const form = /<form method="post" action="\/sandbox\/click" class="card-form">([^]*?)<\/form>/.exec(html)![1]!;
    expect(form).toContain(
      '<input type="hidden" name="message" value="om_1"><input type="hidden" name="as" value="ou_me">',
    );
    expect(form).toMatch(/<input name="f_reason" placeholder="理由" value="" maxlength="300" required>/);
    expect(form).toContain('<option value="b" selected>乙</option>');
    expect(form).toMatch(
      /<select multiple name="fm_many"><option value="x" selected>X<\/option><option value="y">Y<\/option>/,
    );
    expect(form).toContain('<input type="date" name="f_day" value="2026-06-01">');
    expect(form).toContain('<input type="checkbox" name="fc_ok" checked>');
    expect(form).toContain(
      `name="btn" value="${JSON.stringify({ name: "go", value: { action: "x.submit", id: 7 } }).replace(/"/g, "&quot;")}"`,
    );
    expect(form).toContain('data-confirm="确定？\n不能撤回"');
    expect(html).toMatch(/<form method="post" action="\/sandbox\/click" class="inline">.*单独按钮<\/button><\/form>/);
    expect(html).toContain("沙盒暂不显示「unknown_thing」元素");
  });

  it("draws the bot's own cards", () => {
    const html = renderCard(
      confirmationCard({
        resultId: 3,
        taskCode: "T2026-01",
        targetName: "甲公司",
        creditCode: "91330122MA2000012U",
        result: {
          inspectionDate: "2026-06-01",
          category: "未发现问题",
          problem: "",
          disposal: null,
          rectifyDeadline: null,
          remark: "",
          submittedBy: "王检查",
          version: 1,
        } as never,
      }) as never,
      ctx,
    );
    expect(html).toContain("检查结果 · 请同组确认");
    expect(html).toContain("确认无误");
    expect(html).toContain("有异议");
  });
});
