// End-to-end tests of the rectify web UI in real headless Chromium (Debian's, never a
// downloaded build). Run through scripts/e2e.sh, which starts the server on a fresh database
// holding the demo and passes its address in RECTIFY_E2E_BASE_URL.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { crc32, inflateRawSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const BASE = process.env.RECTIFY_E2E_BASE_URL ?? "http://127.0.0.1:8080";
const SHOTS = process.env.RECTIFY_E2E_SCREENSHOTS ?? join(here, "screenshots");
const CHROMIUM = process.env.RECTIFY_E2E_CHROMIUM ?? "/usr/bin/chromium";
mkdirSync(SHOTS, { recursive: true });

/** The demo accounts of `seed_demo_users` (printed by `rectify demo` as 演示账号（仅供演示）). */
const DEMO_PASSWORD = process.env.RECTIFY_E2E_PASSWORD ?? "Demo#Zhenggai2024";

let browser;
let context;
/** The measure the department claims and the reviewers approve, shared by the workflow tests. */
let claimed;
/** Console errors and uncaught exceptions of every page, by URL. */
const problems = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  context = await signedIn("office");
});

/** A browser context signed in as `username` through the login form. */
/** The authenticator secrets of the administrators enrolled so far, and the last time step used. */
const enrolled = new Map();

async function signedIn(username, options = {}) {
  const ctx = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
  const page = await ctx.newPage();
  await page.goto(BASE + "/login");
  await page.fill("#username", username);
  await page.fill("#password", DEMO_PASSWORD);
  const known = enrolled.get(username);
  if (known) {
    // A code is taken once: wait for the next 30-second step if this one was used.
    while (Math.floor(Date.now() / 30000) <= known.step) await new Promise((r) => setTimeout(r, 500));
    known.step = Math.floor(Date.now() / 30000);
    await page.fill("#totp", totp(known.secret));
  }
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.getByRole("button", { name: "登录" }).click()]);
  await page.close();
  return ctx;
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) of a base32 secret, as an authenticator app shows it. */
function totp(secret, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}

after(async () => {
  await browser?.close();
});

async function open(path, ctx = context) {
  const page = await ctx.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`${page.url()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`${page.url()}: ${err.message}`));
  const response = await page.goto(BASE + path);
  assert.equal(response.status(), 200, `${path} answered ${response.status()}`);
  return page;
}

async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

function rows(page) {
  return page.locator("#ledger-results .ptitle").count();
}

test("home shows the headline figures and what needs attention", async () => {
  const page = await open("/");
  assert.equal(await page.title(), "巡察整改管理系统");
  const figures = await page.locator(".figures").first().innerText();
  for (const label of ["问题数", "已完成", "正在整改", "整改完成率", "整改措施", "建章立制", "涉及资金", "问责"]) {
    assert.ok(figures.includes(label), `figure ${label} missing`);
  }
  assert.match(figures, /\d+(\.\d+)?%（\d+\/\d+）/);
  assert.ok((await page.locator(".attention .light.red").count()) > 0, "overdue measures are listed");
  await shot(page, "01-home");
  await page.close();
});

test("the ledger filters by status and searches a word without a full reload", async () => {
  const page = await open("/");
  await page.getByRole("link", { name: "整改台账" }).first().click();
  await page.waitForURL(/\/inspections\/\d+\/ledger/);
  assert.equal(await rows(page), 20, "first page holds 20 problems");
  // A marker on the window survives htmx swaps but not a page load.
  await page.evaluate(() => (window.__noReload = true));

  await Promise.all([
    page.waitForResponse((r) => r.url().includes("status=completed")),
    page.selectOption("#f-status", "completed"),
  ]);
  await page.waitForFunction(() => document.querySelector("#ledger-results .summary")?.textContent.includes("筛选出"));
  const completed = await rows(page);
  assert.ok(completed > 0 && completed < 20, `completed problems: ${completed}`);
  const badges = await page.locator("#ledger-results td.st .badge").allInnerTexts();
  assert.ok(badges.every((b) => b === "已完成"), badges.join(","));
  assert.match(page.url(), /status=completed/, "the filter is in the URL");

  await page.fill("#f-q", "制度");
  await Promise.all([page.waitForResponse((r) => r.url().includes("q=")), page.press("#f-q", "Enter")]);
  await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "制度");
  const found = await rows(page);
  assert.ok(found > 0 && found <= completed, `found ${found}`);
  for (const text of await page.locator("#ledger-results tbody tr").allInnerTexts()) {
    assert.ok(text.includes("制度"), `row without the word: ${text.slice(0, 60)}`);
  }
  assert.equal(await page.evaluate(() => window.__noReload), true, "htmx refreshed the table in place");
  await shot(page, "02-ledger-filtered");

  // The same URL opened directly (no JS involved) shows the same rows.
  const direct = await open(new URL(page.url()).pathname + new URL(page.url()).search);
  assert.equal(await rows(direct), found);
  await direct.close();
  await page.close();
});

test("a problem and one of its measures open with responsibility and timeline", async () => {
  const page = await open("/ledger");
  const title = await page.locator(".ptitle").nth(1).innerText();
  await page.locator(".ptitle").nth(1).click();
  await page.waitForURL(/\/problems\/\d+/);
  assert.equal(await page.locator("h1").innerText(), title);
  const body = await page.locator("main").innerText();
  for (const part of ["责任领导", "责任部门", "整改措施（", "整改进展", "整改成效", "一是"]) {
    assert.ok(body.includes(part), `problem page lacks ${part}`);
  }
  await shot(page, "03-problem");
  await page.locator(".measure-cards a").first().click();
  await page.waitForURL(/\/measures\/\d+/);
  const measure = await page.locator("main").innerText();
  for (const part of ["完成时限", "责任部门", "整改进展", "一是"]) {
    assert.ok(measure.includes(part), `measure page lacks ${part}`);
  }
  assert.ok((await page.locator(".crumbs a").count()) >= 3, "breadcrumb leads back");
  await shot(page, "04-measure");
  await page.close();
});

test("the dashboard draws its charts without console errors", async () => {
  const before = problems.length;
  const page = await open("/dashboard");
  for (const id of ["chart-aspects", "chart-lights", "chart-leaders", "chart-departments", "chart-timeline"]) {
    await page.waitForSelector(`#${id} canvas`, { timeout: 10000 });
    const box = await page.locator(`#${id} canvas`).first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, `${id} has a drawn canvas`);
  }
  assert.deepEqual(problems.slice(before), [], "no console errors");
  await shot(page, "05-dashboard");
  await page.close();
});

test("a phone shows the ledger as cards without sideways scrolling", async () => {
  const phone = await signedIn("office", {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const page = await open("/ledger", phone);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
  assert.equal(await page.locator(".ledger thead").isVisible(), false, "rows become cards");
  await shot(page, "06-phone-ledger", false);
  // The completion rate stays on one line in its half-width cell, even at 100.00%.
  const home = await open("/", phone);
  const lines = await home.evaluate(() => {
    const rate = document.querySelector(".figures .rate-text");
    rate.textContent = "100.00%（124/124）";
    return rate.getClientRects().length;
  });
  assert.equal(lines, 1, "the rate does not wrap");
  await phone.close();
});

test("the progress report downloads as a real .docx", async () => {
  const page = await open("/documents");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator('a[href$="/export/report.docx"]').first().click(),
  ]);
  assert.match(download.suggestedFilename(), /公开版）\.docx$/);
  const bytes = readFileSync(await download.path());
  assert.ok(bytes.length > 1000, "not empty");
  assert.equal(bytes.subarray(0, 2).toString("latin1"), "PK");
  await page.close();
});

test("a report is imported through upload, preview and confirmation", async () => {
  const page = await open("/documents");
  await page.setInputFiles("#file", join(here, "fixtures", "report.txt"));
  await shot(page, "07-upload");
  await Promise.all([page.waitForURL(/\/documents\/preview\//), page.getByRole("button", { name: "上传并预览" }).click()]);
  const preview = await page.locator("main").innerText();
  assert.ok(preview.includes("2 个方面、4 个问题、9 条整改措施"), preview.slice(0, 400));
  assert.ok(preview.includes("半角标点"), "the linter's finding is shown in Chinese");
  await shot(page, "08-preview");
  await Promise.all([page.waitForURL(/\/inspections\/\d+\/ledger/), page.getByRole("button", { name: "确认导入" }).click()]);
  assert.ok((await page.locator(".notice.ok").innerText()).includes("导入成功"));
  assert.equal(await rows(page), 4);
  await shot(page, "09-imported");
  await page.close();
});

test("signing in is required, and a wrong password is refused in Chinese", async () => {
  const anon = await browser.newContext({ locale: "zh-CN" });
  const page = await anon.newPage();
  await page.goto(BASE + "/ledger");
  assert.match(page.url(), /\/login\?next=%2Fledger$/);
  await page.fill("#username", "dept");
  await page.fill("#password", "wrong-Password1");
  await page.getByRole("button", { name: "登录" }).click();
  assert.ok((await page.locator(".notice.error").innerText()).includes("用户名或口令错误"));
  await shot(page, "10-login-refused");
  await anon.close();
});

/** The measure links of every ledger page the account sees. */
async function ledgerMeasures(ctx) {
  const page = await ctx.newPage();
  await page.goto(BASE + "/ledger");
  const hrefs = new Set();
  for (;;) {
    for (const href of await page.locator('#ledger-results a[href^="/measures/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")))) hrefs.add(href);
    const next = page.locator('.pager a[rel="next"]');
    if (!(await next.count())) break;
    await Promise.all([page.waitForResponse(() => true), next.click()]);
    await page.waitForLoadState("networkidle");
  }
  await page.close();
  return hrefs;
}

test("a department reports progress with evidence and claims completion", async () => {
  // A measure of the department that the demo leader in charge reviews.
  const leader = await signedIn("leader");
  const leaders = await ledgerMeasures(leader);
  await leader.close();
  const ctx = await signedIn("dept");
  const page = await ctx.newPage();
  await page.goto(BASE + "/");
  const todo = await page.locator(".todo-update a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(todo.length > 0, "the department has measures to update");
  await shot(page, "11-department-home");
  claimed = todo.find((href) => leaders.has(href));
  assert.ok(claimed, "a measure both the department and the leader work on");
  await page.goto(BASE + claimed);
  const start = page.getByRole("button", { name: "开始整改" });
  if (await start.count()) {
    await Promise.all([page.waitForURL(/done=start/), start.click()]);
  }
  await page.fill("#p-text", "召开专题会议研究部署，制定整改方案并印发执行。");
  await page.setInputFiles("#p-file", join(here, "fixtures", "evidence.pdf"));
  await page.fill("#p-title", "专题会议纪要");
  await Promise.all([page.waitForURL(/done=progress/), page.getByRole("button", { name: "报送进展" }).click()]);
  assert.ok((await page.locator(".timeline").innerText()).includes("召开专题会议研究部署"));
  assert.ok((await page.locator('a[href^="/api/evidence/"]').count()) > 0, "the evidence can be downloaded");
  await Promise.all([page.waitForURL(/done=claim/), page.getByRole("button", { name: "申请销号" }).click()]);
  assert.ok((await page.locator(".wf-state").innerText()).includes("待分管领导审核"));
  await shot(page, "12-department-claimed");
  await ctx.close();
});

/** The leader's comment on approving, which the measure's history shows. */
const APPROVAL_COMMENT = "佐证材料齐全，同意提交领导小组确认";

for (const [username, button, next] of [
  ["leader", "审核通过", "待整改领导小组确认"],
  ["group", "确认整改完成", "待巡察办核验销号"],
  ["office", "核验通过并销号", "已销号"],
]) {
  test(`${username} approves the claim in the inbox`, async () => {
    assert.ok(claimed, "the department claimed a measure first");
    const ctx = await signedIn(username);
    const page = await ctx.newPage();
    await page.goto(BASE + "/inbox");
    const row = page.locator("tr", { has: page.locator(`a[href="${claimed}"]`) });
    assert.equal(await row.count(), 1, `the claim waits in ${username}'s inbox`);
    await shot(page, `13-inbox-${username}`);
    // The leader gives a comment (审核意见) with the approval; the history keeps it.
    if (username === "leader") await row.locator('input[name="comment"]').fill(APPROVAL_COMMENT);
    await Promise.all([page.waitForURL(/\/inbox$/), row.getByRole("button", { name: button }).click()]);
    await page.goto(BASE + claimed);
    assert.ok((await page.locator(".wf-state").innerText()).includes(next));
    await ctx.close();
  });
}

test("the audit administrator enrols TOTP and sees only the audit trail", async () => {
  const ctx = await signedIn("auditor");
  const page = await ctx.newPage();
  await page.goto(BASE + "/audit");
  assert.match(page.url(), /\/account\/totp$/, "administrators enrol a second factor first");
  const secret = (await page.locator("#totp-secret").innerText()).trim();
  await shot(page, "14-totp-enrolment");
  await page.fill("#code", totp(secret));
  await Promise.all([page.waitForURL(/enrolled=1/), page.getByRole("button", { name: "绑定" }).click()]);
  enrolled.set("auditor", { secret, step: Math.floor(Date.now() / 30000) });
  assert.equal(await page.getByRole("link", { name: "整改台账" }).count(), 0, "no ledger for the audit admin");
  await page.goto(BASE + "/audit");
  const trail = await page.locator("table.audit").innerText();
  // Actions by their Chinese names, times in Beijing time, people by their names.
  for (const action of ["登录成功", "申请销号", "审核通过", "绑定动态口令"]) {
    assert.ok(trail.includes(action), `${action} is in the trail`);
  }
  assert.ok(!trail.includes("login.ok"), "no English action codes on the page");
  await page.getByRole("link", { name: "校验完整性" }).click();
  await page.waitForSelector("#audit-verify");
  assert.ok((await page.locator("#audit-verify").innerText()).includes("校验通过"));
  await shot(page, "15-audit");
  const ledger = await page.goto(BASE + "/ledger");
  assert.equal(ledger.status(), 403);
  await ctx.close();
});

test("the measure's history shows the closure steps in Chinese", async () => {
  assert.ok(claimed, "the department claimed a measure first");
  const page = await open(claimed);
  const history = await page.locator(".history").innerText();
  for (const label of ["报送进展", "申请销号", "审核通过"]) {
    assert.ok(history.includes(label), `${label} is in the measure's history`);
  }
  assert.ok(!/measure\.|login\./.test(history), "no raw action codes");
  assert.ok(history.includes(`审核意见：${APPROVAL_COMMENT}`), "the approval's comment is in the history");
  await page.locator(".history").scrollIntoViewIfNeeded();
  await shot(page, "16-measure-history");
  await page.close();
});

// Only a unit with a published report is on the portal and takes feedback (issue 13,
// finding 2): the report is published before the citizen writes.
test("the leading group publishes the report through its preview and the public page withholds what it must", async () => {
  const group = await signedIn("group");
  const api = await group.request.get(BASE + "/api/inspections");
  const [inspection] = (await api.json()).items;
  const problemsJson = (await (await group.request.get(`${BASE}/api/inspections/${inspection.id}/problems?limit=500`)).json()).items;
  const withheld = problemsJson
    .filter((p) => (p.problem?.disclosure ?? p.disclosure ?? "public") !== "public")
    .map((p) => p.problem?.title ?? p.title);
  assert.ok(withheld.length > 0, "the demo withholds some problems");
  const page = await open(`/inspections/${inspection.id}/ledger`, group);
  // 发布通报 opens the preview: the public page itself, marked 预览, with 确认发布.
  await Promise.all([page.waitForURL(/\/publish\??$/), page.getByRole("button", { name: "发布通报" }).click()]);
  assert.equal(await page.locator(".preview-badge").innerText(), "预览");
  assert.equal(await page.getByRole("link", { name: "对本通报反映意见建议" }).count(), 0, "the preview links nowhere public");
  const previewed = await page.locator("article.report-paper").innerText();
  for (const title of withheld) assert.ok(!previewed.includes(title), `withheld problem previewed: ${title}`);
  await shot(page, "23-publish-preview", false);
  await Promise.all([page.waitForURL(/published=\d+/), page.getByRole("button", { name: "确认发布" }).click()]);
  const notice = page.locator(".notice", { hasText: "已公开发布" });
  assert.equal(await notice.count(), 1, "the ledger confirms the publication");
  await shot(page, "23-published-notice", false);
  await Promise.all([page.waitForURL(/\/public\/reports\/\d+$/), notice.getByRole("link", { name: "查看公开通报" }).click()]);
  const text = await page.locator("main").innerText();
  assert.ok(text.includes("整改"), "the report is shown");
  assert.equal(await page.locator("article.report-paper").innerText(), previewed, "the public sees what was previewed");
  for (const title of withheld) assert.ok(!text.includes(title), `withheld problem shown: ${title}`);
  await shot(page, "24-public-report");
  await group.close();

  // Anyone finds it from the public index, linked from every page's footer.
  const citizen = await browser.newContext({ locale: "zh-CN" });
  const index = await open("/public", citizen);
  assert.ok((await index.locator(".reports li").count()) > 0, "the public index lists the report");
  await shot(index, "25-public-index");
  await citizen.close();
  const office = await open("/");
  assert.equal(await office.locator('footer a[href="/public"]').count(), 1, "the footer links the public portal");
  await office.close();
});

/** The unit's feedback page and the receipt code of the anonymous feedback, across tests. */
let feedbackUrl;
let receipt;
const FEEDBACK_SUBJECT = "小区停车整改后仍不方便";
const FEEDBACK_ANSWER = "已协调增设临时停车位，并将于下月完成划线。";

test("a citizen scans the unit's QR sheet and submits anonymous feedback", async () => {
  // The liaison prints the unit's QR sheet from the feedback inbox.
  const liaison = await signedIn("liaison");
  const inbox = await open("/feedback", liaison);
  const sheetHref = await inbox.getByRole("link", { name: "打印本单位意见建议二维码" }).getAttribute("href");
  assert.match(sheetHref, /^\/public\/units\/.+\/qr$/);
  await liaison.close();

  const citizen = await browser.newContext({ locale: "zh-CN", viewport: { width: 390, height: 844 }, isMobile: true });
  const sheet = await open(sheetHref, citizen);
  const printed = (await sheet.locator(".sheet .url").innerText()).trim();
  assert.ok(printed.startsWith(BASE + "/public/u/"), `the sheet prints the short link, got ${printed}`);
  await shot(sheet, "17-qr-sheet");
  // Scanning the code opens the printed link, which leads to the unit's feedback form.
  const page = await citizen.newPage();
  await page.goto(printed);
  assert.match(page.url(), /\/public\/units\/.+\/feedback$/);
  feedbackUrl = new URL(page.url()).pathname;
  assert.ok(await page.locator('input[name="identity"][value="anonymous"]').isChecked(), "anonymous by default");
  await page.fill("#subject", FEEDBACK_SUBJECT);
  await page.fill("#body", "整改通报说已增设停车位，但小区东门外仍然没有划线，晚上车辆乱停，行人通行困难。");
  await shot(page, "18-feedback-form");
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "提交" }).click()]);
  receipt = (await page.locator("#receipt-code").innerText()).trim();
  assert.match(receipt, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  assert.ok((await page.locator("main").innerText()).includes("未保存您的姓名"));
  await shot(page, "19-feedback-receipt");
  await citizen.close();
});

test("the liaison sees the count, answers in the inbox, and the citizen reads the answer", async () => {
  assert.ok(receipt, "the citizen submitted first");
  const liaison = await signedIn("liaison");
  const home = await open("/", liaison);
  const nav = home.locator(".mainnav").getByRole("link", { name: /群众意见/ });
  assert.match(await nav.innerText(), /群众意见\s*\d+/, "the navigation counts unanswered feedback");
  await nav.click();
  await home.waitForURL(/\/feedback/);
  const row = home.locator("tr", { hasText: FEEDBACK_SUBJECT });
  assert.equal(await row.count(), 1);
  assert.ok((await row.innerText()).includes("匿名"));
  await shot(home, "20-feedback-inbox");
  await Promise.all([home.waitForURL(/\/feedback\/\d+$/), row.getByRole("link", { name: FEEDBACK_SUBJECT }).click()]);
  assert.ok(!(await home.locator("main").innerText()).includes(receipt), "staff never see the citizen's code");
  await home.fill("#answer", FEEDBACK_ANSWER);
  await Promise.all([home.waitForLoadState("load"), home.getByRole("button", { name: "保存答复" }).click()]);
  assert.ok((await home.locator(".qa").innerText()).includes(FEEDBACK_ANSWER));
  await shot(home, "21-feedback-answered");
  await liaison.close();

  const citizen = await browser.newContext({ locale: "zh-CN" });
  const page = await open("/public/feedback/lookup", citizen);
  await page.fill("#code", receipt.toLowerCase());
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "查询" }).click()]);
  const result = await page.locator("#lookup-result").innerText();
  assert.ok(result.includes("已答复") && result.includes(FEEDBACK_ANSWER), result);
  await shot(page, "22-feedback-lookup");
  await citizen.close();
});

/** What the citizen reads through the receipt code. */
async function lookedUp() {
  const citizen = await browser.newContext({ locale: "zh-CN" });
  const page = await open("/public/feedback/lookup", citizen);
  await page.fill("#code", receipt);
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "查询" }).click()]);
  const result = await page.locator("#lookup-result").innerText();
  await citizen.close();
  return result;
}

/** Turns the unit's 答复需审核 on or off as the leading group, in the feedback inbox. */
async function answersNeedApproval(group, on) {
  const inbox = await open("/feedback", group);
  const box = inbox.getByLabel("答复需审核");
  if (on) await box.check();
  else await box.uncheck();
  await Promise.all([inbox.waitForLoadState("load"), inbox.getByRole("button", { name: "保存设置" }).click()]);
  assert.equal(await inbox.getByLabel("答复需审核").isChecked(), on);
  return inbox;
}

test("with 答复需审核 a revised reply reaches the citizen only once the leading group approves it", async () => {
  assert.ok(receipt, "the liaison answered first");
  const REVISED = "已协调增设临时停车位12个，东门外划线将于本月20日前完成。";
  const group = await signedIn("group");
  await answersNeedApproval(group, true);

  const liaison = await signedIn("liaison");
  const inbox = await open("/feedback", liaison);
  await Promise.all([inbox.waitForURL(/\/feedback\/\d+$/), inbox.getByRole("link", { name: FEEDBACK_SUBJECT }).click()]);
  await inbox.fill("#answer", REVISED);
  await Promise.all([inbox.waitForURL(/done=submitted/), inbox.getByRole("button", { name: "保存答复" }).click()]);
  assert.ok((await inbox.locator(".pending-answer").innerText()).includes(REVISED));
  assert.equal(await inbox.getByRole("button", { name: "审核通过并公开" }).count(), 0, "the replier does not approve");
  await shot(inbox, "21b-feedback-pending");
  await liaison.close();
  let result = await lookedUp();
  assert.ok(result.includes(FEEDBACK_ANSWER) && !result.includes(REVISED), "the citizen still reads the approved answer");

  const pending = await open("/feedback?status=pending_approval", group);
  const row = pending.locator("tr", { hasText: FEEDBACK_SUBJECT });
  assert.ok((await row.innerText()).includes("待审核"));
  await Promise.all([pending.waitForURL(/\/feedback\/\d+$/), row.getByRole("link", { name: FEEDBACK_SUBJECT }).click()]);
  await shot(pending, "21c-feedback-approval");
  await Promise.all([pending.waitForURL(/done=approved/), pending.getByRole("button", { name: "审核通过并公开" }).click()]);
  result = await lookedUp();
  assert.ok(result.includes(REVISED), result);
  await answersNeedApproval(group, false);
  await group.close();
});

/** The first round on the office's list of rounds, opened. */
async function firstRound() {
  const page = await open("/rounds");
  await Promise.all([page.waitForURL(/\/rounds\/\d+$/), page.locator('main a[href^="/rounds/"]').first().click()]);
  return page;
}

test("the office sees a round's units, filters them, exports and prints what is shown", async () => {
  const page = await firstRound();
  const lead = await page.locator("p.lead").first().innerText();
  assert.match(lead, /共 \d+ 个单位，反馈问题 \d+ 个，已完成整改 \d+ 个，完成率/);
  const units = await page.locator(".overview-table tbody tr").count();
  assert.ok(units >= 1, "at least the demo unit");
  await shot(page, "20-round-overview");
  // Only units with overdue measures: the demo unit has some, so it stays.
  await page.selectOption('select[name="only"]', "red");
  await Promise.all([page.waitForURL(/only=red/), page.getByRole("button", { name: "查看" }).click()]);
  assert.ok((await page.locator(".overview-table tbody tr").count()) >= 1, "the demo unit has red lights");
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "导出本表（Excel）" }).click()]);
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString("latin1"), "PK");
  const url = new URL(page.url());
  const print = await open(`${url.pathname}?print=1&only=red`);
  assert.equal(await print.locator("nav").count(), 0, "the print view has no navigation");
  assert.ok((await print.locator(".overview-table tbody tr").count()) >= 1);
  await shot(print, "21-round-print");
  await print.close();
  await page.close();
});

test("the round's aggregate report downloads as a real .docx", async () => {
  const page = await firstRound();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Word" }).click()]);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 2).toString("latin1"), "PK");
  assert.match(download.suggestedFilename(), /\.docx$/);
  const id = new URL(page.url()).pathname.split("/").pop();
  // The web version is a download too (a file to pass on); read it as the recipient would.
  const answer = await context.request.get(`${BASE}/rounds/${id}/report?format=html`);
  assert.equal(answer.status(), 200);
  const html = await context.newPage();
  await html.setContent(await answer.text());
  const text = await html.locator("body").innerText();
  assert.match(text, /完成率/);
  assert.ok(!text.includes("巡察巡察"), "no doubled 巡察");
  await shot(html, "22-round-report");
  await html.close();
  await page.close();
});

test("the office ranks a round's units by outcome and adjusts a score with a reason", async () => {
  const round = await firstRound();
  await Promise.all([round.waitForURL(/\/evaluations$/), round.getByRole("link", { name: "整改评估" }).click()]);
  const first = round.locator(".evaluation-table tbody tr").first();
  assert.match(await first.locator("td").first().innerText(), /^\d+$/, "a rank");
  assert.match(await first.locator(".tier").innerText(), /^(好|较好|一般|差)$/);
  await shot(round, "23-evaluation");
  await Promise.all([round.waitForURL(/\/inspections\/\d+\/evaluation$/), first.locator("th a").click()]);
  await round.fill("#points", "-1.5");
  await round.fill("#reason", "回头看发现个别问题整改不到位，酌情扣分");
  await Promise.all([round.waitForLoadState("load"), round.getByRole("button", { name: "保存调整" }).click()]);
  const sheet = await round.locator("main").innerText();
  assert.ok(sheet.includes("酌情扣分") && sheet.includes("-1.5"), sheet.slice(0, 600));
  await shot(round, "24-evaluation-unit");
  await round.close();
});

test("a word typed in the header search finds problems with the word marked", async () => {
  const page = await open("/");
  await page.fill('header input[name="q"]', "整改");
  await Promise.all([page.waitForURL(/\/search\?/), page.locator("header .search-box button").click()]);
  const hits = page.locator(".hits li");
  assert.ok((await hits.count()) > 0, "hits for 整改");
  assert.equal(await page.locator(".hits li mark").first().innerText(), "整改");
  await shot(page, "25-search");
  await Promise.all([page.waitForLoadState("load"), hits.first().locator("a").first().click()]);
  assert.match(new URL(page.url()).pathname, /^\/(problems|measures|inspections)\//);
  await page.close();
});

/** A signed-in administrator context; enrols the authenticator first when asked to. */
async function signedInAdmin(username) {
  const ctx = await signedIn(username);
  const page = await ctx.newPage();
  await page.goto(BASE + "/");
  if (new URL(page.url()).pathname === "/account/totp") {
    const secret = (await page.locator("#totp-secret").innerText()).trim();
    await page.fill("#code", totp(secret));
    await Promise.all([page.waitForURL(/enrolled=1/), page.getByRole("button", { name: "绑定" }).click()]);
    enrolled.set(username, { secret, step: Math.floor(Date.now() / 30000) });
  }
  await page.close();
  return ctx;
}

/** The entries of a .xlsx (a zip) by name, inflated: enough of the format to read a workbook back. */
function unzip(bytes) {
  const entries = new Map();
  // The end of central directory record: its signature in the last 64 KiB.
  let end = bytes.length - 22;
  while (end >= 0 && bytes.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, "a zip file");
  let at = bytes.readUInt32LE(end + 16);
  for (let i = 0; i < bytes.readUInt16LE(end + 10); i++) {
    assert.equal(bytes.readUInt32LE(at), 0x02014b50, "a central directory entry");
    const method = bytes.readUInt16LE(at + 10);
    const size = bytes.readUInt32LE(at + 20);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extra = bytes.readUInt16LE(at + 30);
    const comment = bytes.readUInt16LE(at + 32);
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    const data = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const raw = bytes.subarray(data, data + size);
    entries.set(name, method === 8 ? inflateRawSync(raw) : raw);
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

/** Every text of a workbook: its shared strings and inline strings, unescaped. */
function workbookTexts(bytes) {
  const files = unzip(bytes);
  const xml = [...files.entries()]
    .filter(([name]) => name === "xl/sharedStrings.xml" || name.startsWith("xl/worksheets/"))
    .map(([, data]) => data.toString("utf8"))
    .join("");
  const unescape = (t) => t.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  return [...xml.matchAll(/<t(?: [^>]*)?>([^<]*)<\/t>/g)].map((m) => unescape(m[1]));
}

const NEW_ASPECT = "关于落实意识形态工作责任制方面的整改";
const NEW_PROBLEM = "针对网络意识形态阵地管理不到位的问题";
const NEW_MEASURE = "建立单位网站和新媒体账号信息发布三审三校制度。";

test("a liaison builds and edits the ledger in the browser and sees it in the ledger", async () => {
  const liaison = await signedIn("liaison");
  const page = await open("/ledger", liaison);
  await Promise.all([page.waitForURL(/\/inspections\/\d+\/edit$/), page.getByRole("link", { name: "编辑台账" }).click()]);
  const inspection = new URL(page.url()).pathname.split("/")[2];
  const aspectForm = page.locator("#new-aspect form");
  await aspectForm.locator('input[name="number"]').fill("五");
  await aspectForm.locator('input[name="title"]').fill(NEW_ASPECT);
  await Promise.all([page.waitForURL(/\/edit#/), aspectForm.getByRole("button", { name: "添加方面" }).click()]);
  const aspect = page.locator("section.edit-aspect", { has: page.locator(`input[name="title"][value="${NEW_ASPECT}"]`) });
  assert.equal(await aspect.count(), 1, "the aspect is listed");
  const problemForm = aspect.locator('form[action$="/problems"]');
  await problemForm.locator('input[name="number"]').fill("1");
  await problemForm.locator('input[name="title"]').fill(NEW_PROBLEM);
  await Promise.all([page.waitForURL(/\/problems\/\d+\/edit\?created=1/), problemForm.getByRole("button", { name: "添加问题" }).click()]);
  const problem = new URL(page.url()).pathname.split("/")[2];

  const add = page.locator("#new-measure");
  await add.locator('textarea[name="text"]').fill(NEW_MEASURE);
  await add.locator('select[name="kind"]').selectOption({ label: "限期整改" });
  await add.locator('input[name="deadline"]').fill("2027-06-30");
  await add.locator('input[name="departments"]').fill("办公室");
  await Promise.all([page.waitForURL(/saved=1|\/edit#/), add.getByRole("button", { name: "添加措施" }).click()]);
  const measure = page.locator('form.edit-measure[id^="m-"]').first();
  assert.equal(await measure.locator('textarea[name="text"]').inputValue(), NEW_MEASURE);
  // The deadline moves: edited in place, saved with the form's version.
  await measure.locator('input[name="deadline"]').fill("2027-09-30");
  await Promise.all([page.waitForURL(/saved=1/), measure.getByRole("button", { name: "保存措施" }).click()]);
  assert.ok((await page.locator(".notice.ok").innerText()).includes("已保存"));
  assert.equal(await page.locator('form.edit-measure[id^="m-"] input[name="deadline"]').first().inputValue(), "2027-09-30");
  await shot(page, "26-ledger-edit");

  // The ledger shows it at once, found by a word of its title.
  await page.goto(`${BASE}/inspections/${inspection}/ledger?q=${encodeURIComponent("网络意识形态")}`);
  const row = page.locator("#ledger-results tbody tr", { hasText: NEW_PROBLEM });
  assert.equal(await row.count(), 1, "the new problem is in the ledger");
  await shot(page, "27-ledger-edited");
  await Promise.all([page.waitForURL(new RegExp(`/problems/${problem}$`)), row.locator(".ptitle").click()]);
  const body = await page.locator("main").innerText();
  assert.ok(body.includes(NEW_MEASURE.replace(/。$/, "")), "the measure is on the problem's page");
  assert.ok(body.includes("2027年9月30日"), "with its edited deadline");
  assert.ok(!body.includes("2027年6月30日"), "not the first one");
  await liaison.close();
});

test("the office filters the ledger and the Excel export holds exactly the filtered problems", async () => {
  // The demo unit's ledger (a second unit was imported above, so /ledger offers a choice).
  const { items } = await (await context.request.get(BASE + "/api/inspections?limit=500")).json();
  const demo = items.reduce((a, b) => ((b.problems ?? 0) > (a.problems ?? 0) ? b : a));
  const page = await open(`/inspections/${demo.id}/ledger`);
  const all = await page.locator("#ledger-results .ptitle").allInnerTexts();
  await Promise.all([page.waitForResponse((r) => r.url().includes("status=completed")), page.selectOption("#f-status", "completed")]);
  await page.waitForFunction(() => document.querySelector("#ledger-results .summary")?.textContent.includes("筛选出"));
  const completed = await page.locator("#ledger-results .ptitle").allInnerTexts();
  const others = all.filter((t) => !completed.includes(t));
  assert.ok(completed.length > 0 && others.length > 0, `${completed.length} completed, ${others.length} not`);
  // The export link follows the filter swapped in by htmx, without a page load.
  const link = page.locator("#ledger-export a");
  assert.equal(await link.innerText(), "下载筛选结果（Excel）");
  assert.match(await link.getAttribute("href"), /status=completed/);
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const texts = workbookTexts(readFileSync(await download.path()));
  const cells = texts.join("\n");
  for (const title of completed) assert.ok(cells.includes(title.trim()), `exported: ${title}`);
  for (const title of others) assert.ok(!cells.includes(title.trim()), `not filtered out: ${title}`);
  await shot(page, "28-ledger-export-filtered", false);
  await page.close();
});

test("mail and the group robot set up by the system administrator deliver a reminder", async () => {
  // A local SMTP sink (enough of RFC 5321 for one message per session) and a robot receiver.
  const mails = [];
  const smtp = createTcpServer((socket) => {
    socket.setEncoding("utf8");
    let buffer = "";
    let data = null;
    let rcpt = [];
    socket.write("220 sink ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line === ".") {
            mails.push({ rcpt, data });
            data = null;
            rcpt = [];
            socket.write("250 queued\r\n");
          } else data += line + "\n";
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250 sink\r\n");
        else if (verb === "MAIL" || verb === "RSET" || verb === "NOOP") socket.write("250 OK\r\n");
        else if (verb === "RCPT") {
          rcpt.push(line);
          socket.write("250 OK\r\n");
        } else if (verb === "DATA") {
          data = "";
          socket.write("354 go ahead\r\n");
        } else if (verb === "QUIT") socket.end("221 bye\r\n");
        else socket.write("502 not here\r\n");
      }
    });
    socket.on("error", () => {});
  });
  const posts = [];
  const robot = createHttpServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (c) => (body += c));
    request.on("end", () => {
      posts.push({ path: request.url, body });
      response.writeHead(200, { "content-type": "application/json" });
      response.end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise((done) => smtp.listen(0, "127.0.0.1", done));
  await new Promise((done) => robot.listen(0, "127.0.0.1", done));
  try {
    const admin = await signedInAdmin("sysadmin");
    const settings = await open("/admin/notifications", admin);
    await settings.fill('input[name="smtp_host"]', "127.0.0.1");
    await settings.fill('input[name="smtp_port"]', String(smtp.address().port));
    await settings.selectOption('select[name="smtp_security"]', "plain");
    await settings.fill('input[name="smtp_from"]', "整改系统 <zhenggai@example.gov.cn>");
    await settings.fill('input[name="webhook_url"]', `http://127.0.0.1:${robot.address().port}/robot/send?key=e2e`);
    await settings.selectOption('select[name="webhook_format"]', "text");
    await Promise.all([settings.waitForLoadState("load"), settings.getByRole("button", { name: "保存" }).click()]);
    assert.equal(await settings.locator(".notice.error").count(), 0, "the settings are accepted");

    // The department gives its mailbox; the office reminds it of one of its measures.
    const dept = await signedIn("dept");
    const inbox = await open("/notifications", dept);
    await inbox.fill('input[name="email"]', "dept@example.gov.cn");
    await Promise.all([inbox.waitForURL(/done=email/), inbox.getByRole("button", { name: "保存" }).click()]);
    const home = await open("/", dept);
    const measures = await home.locator(".todo-update a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    const target = measures.find((href) => href !== claimed);
    assert.ok(target, "a measure of the department to remind");
    const office = await open(target);
    const message = "请于本周内报送整改进展（端到端测试）";
    await office.fill('input[name="message"]', message);
    await Promise.all([office.waitForURL(/done=remind/), office.getByRole("button", { name: "催办责任部门" }).click()]);
    await office.close();

    // The delivery worker sends the copies on its next round.
    const deadline = Date.now() + 60_000;
    const mailed = () => mails.find((m) => m.rcpt.some((r) => r.includes("dept@example.gov.cn")));
    const posted = () => posts.find((p) => p.body.includes(message));
    while ((!mailed() || !posted()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    assert.ok(mailed(), `a mail to the department (mails: ${mails.length})`);
    assert.match(mailed().data, /^Subject: /m, "a real message with a subject");
    assert.ok(posted(), `a robot message (posts: ${posts.length})`);
    const robotMessage = JSON.parse(posted().body);
    assert.equal(robotMessage.msgtype, "text");
    assert.ok(robotMessage.text.content.includes(message));
    assert.match(posted().path, /^\/robot\/send\?key=e2e$/);

    await settings.reload();
    assert.match(await settings.locator("main").innerText(), /已发送 [1-9]\d* 条/);
    await shot(settings, "29-notifications-delivered");
    await admin.close();
    await dept.close();
  } finally {
    smtp.close();
    robot.close();
  }
});

/** A zip of `files` (name → Buffer), stored without compression: what a .xlsx is made of. */
function zip(files) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const fileName = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    locals.push(local, fileName, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, fileName);
    offset += 30 + fileName.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A one-sheet .xlsx of text rows (inline strings), as an office's registry would be typed. */
function xlsx(rows) {
  const esc = (t) => String(t).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const column = (c) => String.fromCharCode(65 + c);
  const sheet = rows
    .map((row, r) => `<row r="${r + 1}">${row.map((v, c) => `<c r="${column(c)}${r + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`).join("")}</row>`)
    .join("");
  const xml = (s) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${s}`, "utf8");
  const main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  return zip({
    "[Content_Types].xml": xml(
      `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    ),
    "_rels/.rels": xml(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    "xl/workbook.xml": xml(`<workbook xmlns="${main}" xmlns:r="${rel}"><sheets><sheet name="名录" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    "xl/_rels/workbook.xml.rels": xml(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`),
    "xl/worksheets/sheet1.xml": xml(`<worksheet xmlns="${main}"><sheetData>${sheet}</sheetData></worksheet>`),
  });
}

const SPOT_ROUND = "2026年第一批人防工程双随机抽查（测试）";
const SPOT_HAZARD = "防护密闭门锈蚀，无法正常关闭";

test("a liaison runs a 双随机 spot check from the registry to the public portal", async () => {
  const liaison = await signedIn("liaison");
  const page = await open("/", liaison);
  await Promise.all([page.waitForURL(/\/spot-checks/), page.locator(".topnav, nav").getByRole("link", { name: "双随机抽查" }).first().click()]);
  assert.ok((await page.locator("main").innerText()).includes("尚无抽查批次"), "an empty list says so");
  await shot(page, "30-spot-checks-empty");

  // The object registry from an Excel workbook with a title row above the header.
  await page.getByRole("link", { name: "监管对象名录" }).click();
  const dir = mkdtempSync(join(tmpdir(), "rectify-e2e-"));
  const registry = join(dir, "人防工程名录.xlsx");
  writeFileSync(
    registry,
    xlsx([
      ["人防工程名录（2026年）"],
      ["序号", "工程名称", "坐落位置", "产权/使用单位", "建筑面积（㎡）", "使用状态", "工程类别"],
      ["1", "阳光花园地下室", "幸福路12号", "阳光物业公司", "3200", "在用", "结建工程"],
      ["2", "市民广场地下停车场", "人民路1号", "城投集团", "8600.5", "在用", "单建工程"],
      ["3", "老城区人防坑道", "解放街东段", "人防办", "450", "闲置", "坑地道"],
    ]),
  );
  const importForm = page.locator('form[action="/spot-checks/objects/import"]');
  await importForm.locator('input[type="file"]').setInputFiles(registry);
  await Promise.all([page.waitForURL(/tab=objects/), importForm.getByRole("button", { name: "导入" }).click()]);
  const objects = await page.locator("main").innerText();
  assert.ok(objects.includes("监管对象名录（3个）"), objects.slice(0, 300));
  for (const name of ["阳光花园地下室", "市民广场地下停车场", "老城区人防坑道"]) assert.ok(objects.includes(name), name);
  await shot(page, "31-spot-objects-imported");

  // Inspectors by hand.
  await page.getByRole("link", { name: "检查人员名录" }).click();
  for (const [name, department, certificate] of [["张明", "执法一科", "执2026001"], ["李华", "执法二科", "执2026002"]]) {
    const form = page.locator('form[action="/spot-checks/inspectors"]');
    await form.locator('input[name="name"]').fill(name);
    await form.locator('input[name="department"]').fill(department);
    await form.locator('input[name="certificate"]').fill(certificate);
    await Promise.all([page.waitForURL(/tab=inspectors/), form.getByRole("button", { name: "登记" }).click()]);
  }
  const inspectors = await page.locator("main").innerText();
  assert.ok(inspectors.includes("检查人员名录（2名）") && inspectors.includes("张明") && inspectors.includes("李华"), inspectors.slice(0, 300));
  await shot(page, "32-spot-inspectors");

  // A round of two objects, one inspector each.
  await page.getByRole("link", { name: "抽查批次" }).click();
  const roundForm = page.locator('form[action="/spot-checks/rounds"]');
  await roundForm.locator('input[name="name"]').fill(SPOT_ROUND);
  await roundForm.locator('input[name="check_date"]').fill("2026-12-10");
  await roundForm.locator('input[name="objects"]').fill("2");
  await roundForm.locator('input[name="inspectors_per_object"]').fill("1");
  await Promise.all([page.waitForURL(/\/spot-checks\/rounds\/\d+/), roundForm.getByRole("button", { name: "新建批次" }).click()]);
  const roundPath = new URL(page.url()).pathname;
  assert.ok((await page.locator("h1").innerText()).includes("2026年12月10日"), "the check date in Chinese");

  // The draw asks first: dismissed, nothing is drawn.
  const drawForm = page.locator(`form[action="${roundPath}/draw"]`);
  page.once("dialog", (d) => d.dismiss());
  await drawForm.getByRole("button", { name: "随机抽取" }).click();
  assert.equal(await drawForm.count(), 1, "a dismissed confirmation draws nothing");
  page.once("dialog", (d) => d.accept());
  await Promise.all([page.waitForURL(/drawn|\/rounds\/\d+/), page.waitForLoadState("load"), drawForm.getByRole("button", { name: "随机抽取" }).click()]);
  await page.locator("#items-h").waitFor();
  await shot(page, "33-spot-round-drawn");
  const seed = (await page.locator("dl.facts dd code").innerText()).trim();
  assert.ok(seed.length >= 8, `a seed is shown: ${seed}`);
  const drawn = page.locator("ol.measure-cards > li");
  assert.equal(await drawn.count(), 2, "two objects are drawn");
  const drawnText = await page.locator("main").innerText();
  assert.ok(drawnText.includes("结果一致"), "the draw is reproduced");
  assert.ok(/张明|李华/.test(drawnText), "the drawn inspectors are listed");
  assert.ok(drawnText.includes("演示联络员于") && !drawnText.includes("liaison"), "people by display name, not login name");

  // One object with a hazard, the other without.
  const first = drawn.nth(0);
  const hazardObject = (await first.locator("b").first().innerText()).trim();
  await first.locator('textarea[name="hazards"]').fill(SPOT_HAZARD);
  await first.locator('input[name="deadline"]').fill("2027-01-31");
  await Promise.all([page.waitForURL(/recorded|\/rounds\/\d+/), page.waitForLoadState("load"), first.getByRole("button", { name: "保存检查结果" }).click()]);
  await page.locator("ol.measure-cards > li").nth(1).getByRole("button", { name: "保存检查结果" }).click();
  await page.waitForLoadState("load");
  await page.getByText("检查完毕").first().waitFor();
  const recorded = await page.locator("main").innerText();
  assert.ok(recorded.includes("未发现问题1个，发现问题1个（1个问题）"), recorded.slice(0, 800));
  assert.ok(recorded.includes(`1. ${SPOT_HAZARD}`) && recorded.includes("2027年1月31日"), "the hazard with its deadline in Chinese");

  assert.ok(recorded.includes("待巡察办生成专项检查整改台账"), "the liaison is told who makes the ledger");
  assert.equal(await page.getByRole("button", { name: "生成整改台账" }).count(), 0, "only the office creates inspections");

  // The office makes the 专项检查 ledger from the hazards, after a confirmation.
  const office = await open(roundPath);
  office.once("dialog", (d) => d.accept());
  await Promise.all([office.waitForURL(/done=ledger/), office.getByRole("button", { name: "生成整改台账" }).click()]);
  await Promise.all([office.waitForURL(/\/inspections\/\d+\/ledger/), office.getByRole("link", { name: "查看整改台账" }).click()]);
  const ledger = office.locator("#ledger-results .ptitle", { hasText: "防护密闭门锈蚀" });
  assert.equal(await ledger.count(), 1, "the hazard is a problem of the new ledger");
  assert.ok((await office.locator("main").innerText()).includes(hazardObject), "named with its object");
  await shot(office, "34-spot-ledger");
  await office.close();

  // Published after a confirmation.
  await page.goto(BASE + roundPath);
  page.once("dialog", (d) => d.accept());
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "向社会公开" }).click()]);
  await page.getByRole("link", { name: "查看公开页面" }).waitFor();
  await shot(page, "35-spot-round-published");
  await Promise.all([page.waitForURL(/\/spot-checks$/), page.locator("nav.crumbs, .crumbs").getByRole("link", { name: "双随机抽查" }).click()]);
  const listed = await page.locator("table.grid tbody tr", { hasText: SPOT_ROUND }).innerText();
  assert.ok(listed.includes("1个") && listed.includes("已生成整改台账") && listed.includes("已公开"), listed);
  await shot(page, "37-spot-rounds-list");
  await liaison.close();

  // Anyone reads the draw and its results on the portal, on a phone too.
  const visitor = await browser.newContext({ locale: "zh-CN", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const portal = await open("/public", visitor);
  await Promise.all([portal.waitForURL(/\/public\/spot-checks$/), portal.getByRole("link", { name: "双随机抽查" }).first().click()]);
  await Promise.all([portal.waitForURL(/\/public\/spot-checks\/\d+/), portal.getByRole("link", { name: new RegExp(SPOT_ROUND.replace(/[()（）]/g, ".")) }).click()]);
  const published = await portal.locator("main").innerText();
  assert.ok(published.includes(seed), "the seed is public");
  assert.ok(published.includes(SPOT_HAZARD) && published.includes("未发现问题"), published.slice(0, 800));
  assert.ok(published.includes("2026年12月10日"), "the check date in Chinese");
  const wide = await portal.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 1, `the page scrolls sideways by ${wide}px`);
  await shot(portal, "36-spot-public-phone");
  await visitor.close();
});

test("no page logged an error", () => {
  assert.deepEqual(problems, []);
});

test("the system administrator resets a lost second factor from the users page", async () => {
  const ctx = await signedInAdmin("sysadmin");
  const page = await ctx.newPage();
  await page.goto(BASE + "/admin/users");
  // The audit administrator enrolled an authenticator in an earlier test.
  const auditor = page.locator("tr", { has: page.locator("td", { hasText: /^auditor$/ }) });
  assert.ok((await auditor.innerText()).includes("已启用动态口令"), await auditor.innerText());
  await shot(page, "38-admin-users");
  let asked = "";
  page.once("dialog", (dialog) => {
    asked = dialog.message();
    dialog.accept();
  });
  await Promise.all([page.waitForLoadState("load"), auditor.getByRole("button", { name: "重置动态口令" }).click()]);
  await page.waitForSelector("p.notice.ok");
  assert.ok(asked.includes("确定重置吗"), asked);
  assert.ok(!(await auditor.innerText()).includes("已启用动态口令"), "the mark is gone");
  await shot(page, "39-admin-second-factor-reset");
  await ctx.close();
  // The audit administrator signs in with the password alone and is sent to enrol again.
  enrolled.delete("auditor");
  const again = await signedIn("auditor");
  const back = await again.newPage();
  await back.goto(BASE + "/audit");
  assert.match(back.url(), /\/account\/totp$/);
  await again.close();
});
