// The dashboard in headless Debian Chromium (playwright-core): a real `shopstream ingress`,
// `project` and `sse`, against the run's real Kafka broker and Postgres. A signed webhook
// shows up in the live feed and moves the KPI cards within 2 s; after the SSE server
// restarts, the page reconnects by itself and shows what was posted meanwhile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const bin = process.env.SHOPSTREAM_BINARY;
const pgDir = process.env.SHOPSTREAM_TEST_PG_DIR;
const kafkaDir = process.env.SHOPSTREAM_TEST_KAFKA_DIR;
const artifacts = process.env.SHOPSTREAM_TEST_ARTIFACTS || fs.mkdtempSync(path.join(os.tmpdir(), "shopstream-artifacts-"));
const shop = "browser.myshopify.com";
const apiSecret = "browser-webhook-secret";
const dashboardSecret = "browser-dashboard-secret";

async function until(what, condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const run = crypto.randomBytes(4).toString("hex");
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `shopstream-browser-${run}-`));

function startComponent(command, env) {
  const ready = path.join(workDir, `${command}-${Date.now()}.json`);
  const log = fs.openSync(path.join(artifacts, `browser-${command}.log`), "a");
  const child = spawn(bin, [command, "--ready-file", ready], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", log] });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  return until(`${command} to be ready`, () => {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}; see ${artifacts}/browser-${command}.log`);
    return fs.existsSync(ready) && { child, exited, ready: JSON.parse(fs.readFileSync(ready, "utf8")) };
  }, 60_000);
}

async function post(webhookUrl, topic, body) {
  const raw = JSON.stringify(body);
  const hmac = crypto.createHmac("sha256", apiSecret).update(raw).digest("base64");
  const res = await fetch(webhookUrl, {
    method: "POST", body: raw,
    headers: { "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": hmac, "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop, "X-Shopify-Webhook-Id": crypto.randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(), "X-Shopify-Api-Version": "2026-10" },
  });
  assert.equal(res.status, 200, `ingress answered ${res.status}`);
}

function order(id, total) {
  const now = new Date().toISOString();
  return { id, name: `#${id}`, email: `buyer${id}@example.com`, currency: "USD", created_at: now, updated_at: now,
    subtotal_price: total, total_price: total, total_tax: "0.00", total_discounts: "0.00", test: false,
    customer: { id: 500 + id }, line_items: [{ id: id * 10, product_id: 42, title: "Browser Tee", quantity: 1, price: total }],
    shipping_lines: [] };
}

test("live feed and KPI cards update within 2 s; the page survives an SSE restart", { timeout: 240_000 }, async () => {
  assert.ok(bin && pgDir && kafkaDir, "SHOPSTREAM_BINARY, SHOPSTREAM_TEST_PG_DIR and SHOPSTREAM_TEST_KAFKA_DIR are set by ctest");
  fs.mkdirSync(artifacts, { recursive: true });
  const pgUrl = fs.readFileSync(path.join(pgDir, "url"), "utf8").trim();
  const database = `browser_${run}`;
  execFileSync("psql", [pgUrl, "-qc", `CREATE DATABASE ${database}`]);
  const env = {
    SHOPSTREAM_KAFKA_BROKERS: fs.readFileSync(path.join(kafkaDir, "bootstrap"), "utf8").trim(),
    SHOPSTREAM_TOPIC_PREFIX: `browser-${run}.`,
    SHOPSTREAM_TOPIC_PARTITIONS: "3",
    SHOPSTREAM_DATABASE_URL: pgUrl.replace(/\/[^/?]*(\?|$)/, `/${database}$1`),
    SHOPSTREAM_PROJECTOR_GROUP: `browser-${run}`,
    SHOPIFY_API_SECRET: apiSecret,
    SHOPSTREAM_DASHBOARD_SECRET: dashboardSecret,
    SHOPSTREAM_INGRESS_ADDR: "127.0.0.1:0",
    SHOPSTREAM_METRICS_ADDR: "127.0.0.1:0",
    SHOPSTREAM_DASHBOARD_ADDR: `127.0.0.1:${await freePort()}`,  // fixed: the page reconnects to it
  };
  const ingress = await startComponent("ingress", env);
  const projector = await startComponent("project", env);
  let sse = await startComponent("sse", env);
  const webhookUrl = ingress.ready.webhook_url;
  const token = execFileSync(bin, ["token", "--shop", shop, "--ttl", "1h"], { env: { ...process.env, ...env } }).toString().trim();

  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  const offsite = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("request", (r) => { if (!r.url().startsWith("http://127.0.0.1")) offsite.push(r.url()); });
    await page.goto(`${sse.ready.dashboard_url}?shop=${shop}&access_token=${encodeURIComponent(token)}`);
    await page.waitForSelector("#status.live", { timeout: 15_000 });
    await page.waitForSelector("#kpi-orders .value", { timeout: 15_000 });
    const orders = () => page.$eval("#kpi-orders .value", (e) => e.textContent);
    assert.equal(await orders(), "0");

    // A signed webhook through the real ingress: the feed and the cards move within 2 s.
    const started = Date.now();
    await post(webhookUrl, "orders/create", order(1001, "25.00"));
    await page.waitForSelector('#feed li[data-id="1001"]', { timeout: 2000 });
    await page.waitForFunction(() => document.querySelector("#kpi-orders .value").textContent === "1", null,
      { timeout: Math.max(1, 2000 - (Date.now() - started)) });
    const elapsed = Date.now() - started;
    assert.ok(elapsed <= 2000, `took ${elapsed} ms`);
    assert.equal(await page.$eval("#kpi-total_sales .value", (e) => e.textContent), "25.00");

    // Restart the SSE server; what is posted while it is down arrives after the page reconnects.
    sse.child.kill("SIGTERM");
    assert.equal(await sse.exited, 0);
    await until("the page to notice", async () => (await page.$eval("#status", (e) => e.className)) !== "live", 10_000);
    await post(webhookUrl, "orders/create", order(1002, "10.00"));
    await post(webhookUrl, "orders/create", order(1003, "5.50"));
    sse = await startComponent("sse", env);
    await page.waitForSelector('#feed li[data-id="1002"]', { timeout: 20_000 });
    await page.waitForSelector('#feed li[data-id="1003"]', { timeout: 20_000 });
    await page.waitForSelector("#status.live", { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelector("#kpi-orders .value").textContent === "3", null, { timeout: 10_000 });
    assert.equal(await page.$$eval('#feed li[data-id="1001"]', (l) => l.length), 1, "no duplicate after the resume");
    await page.screenshot({ path: path.join(artifacts, "dashboard.png"), fullPage: true });
    assert.deepEqual(offsite, [], "the page loads nothing from elsewhere");
  } finally {
    await browser.close();
    for (const c of [sse, projector, ingress]) c.child.kill("SIGTERM");
    await Promise.all([sse.exited, projector.exited, ingress.exited]);
  }
});
