// End-to-end tests of the rectify web UI in real headless Chromium (Debian's, never a
// downloaded build). Run through scripts/e2e.sh, which starts the server on a fresh database
// holding the demo and passes its address in RECTIFY_E2E_BASE_URL.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const BASE = process.env.RECTIFY_E2E_BASE_URL ?? "http://127.0.0.1:8080";
const SHOTS = process.env.RECTIFY_E2E_SCREENSHOTS ?? join(here, "screenshots");
const CHROMIUM = process.env.RECTIFY_E2E_CHROMIUM ?? "/usr/bin/chromium";
mkdirSync(SHOTS, { recursive: true });

let browser;
let context;
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
  context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 900 }, acceptDownloads: true });
});

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
  const phone = await browser.newContext({
    locale: "zh-CN",
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

test("no page logged an error", () => {
  assert.deepEqual(problems, []);
});
