// The browser suite: the real app against the fixture backend in headless
// chromium, one test per page and per update rule. Screenshots go to
// ui/test-artifacts/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, openApp, shot, calls } from "./harness.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const rows = (page) => page.locator('[data-testid="incident-grid"] .tr');

/** Goes to Health and back to the portfolio by keyboard (g h, g p). */
async function viaHealthAndBack(page) {
  await page.keyboard.press("g");
  await page.keyboard.press("h");
  await page.getByTestId("skip-list").waitFor();
  await page.keyboard.press("g");
  await page.keyboard.press("p");
  await rows(page).first().waitFor();
}

async function openIncident1001(page) {
  await page
    .locator(".tr", { hasText: "Multi-stage incident involving Initial access" })
    .first()
    .click();
  await page.getByTestId("incident-detail").getByRole("heading", { level: 2 }).waitFor();
}

test("portfolio renders rows newest first with counts and sync words", async () => {
  const { context, page, errors } = await openApp(env);

  await rows(page).first().waitFor();

  assert.match(await page.getByTestId("match-count").textContent(), /262 incidents/);
  assert.match(await page.getByTestId("severity-breakdown").textContent(), /High \d+.*Medium \d+/s);
  assert.match(await rows(page).first().textContent(), /Multi-stage incident/);
  assert.match(
    await page.getByTestId("sync-state").textContent(),
    /synced \d\d:\d\d · 3 tenants · 1 skipped/,
  );
  assert.equal(await page.getByTestId("demo-tag").textContent(), "Demo");
  assert.equal(await page.getByTestId("health-badge").textContent(), "1");
  assert.ok((await rows(page).count()) < 80, "only the rows in view are in the DOM");
  await shot(page, "portfolio");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the first painted portfolio rows are reported to the shell once", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  await page.waitForFunction(() =>
    window.__ipcCalls.some((c) => c.cmd === "mark_first_rows_painted"),
  );
  const painted = await rows(page).count();
  const [mark] = await calls(page, "mark_first_rows_painted");
  assert.ok(mark.args.rows > 0 && mark.args.rows <= painted, `rows ${mark.args.rows}`);
  // Times within the page: scripts start after navigation, rows after them.
  assert.ok(
    mark.args.scriptMs >= 0 && mark.args.pageMs >= mark.args.scriptMs,
    JSON.stringify(mark.args),
  );

  // Leaving the portfolio and coming back repaints it but marks nothing.
  await page.locator("body").click({ position: { x: 600, y: 5 } });
  await viaHealthAndBack(page);
  await page.evaluate(
    () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
  );
  assert.equal((await calls(page, "mark_first_rows_painted")).length, 1);
  await context.close();
});

test("a finished sync reloads the list, an offline one leaves it as it is", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  const reads = async () => (await calls(page, "portfolio")).length;
  const before = await reads();
  const run = (outcome) =>
    page.evaluate(
      (o) =>
        window.__mock.emit("sync-finished", {
          id: 7,
          trigger: "scheduled",
          startedAt: new Date().toISOString(),
          finishedAt: new Date().toISOString(),
          outcome: o,
          tenantsOk: o === "offline" ? 0 : 2,
          tenantsSkipped: 0,
          tenantsFailed: o === "offline" ? 2 : 0,
          incidents: 0,
          alerts: 0,
          requests: 1,
        }),
      outcome,
    );

  await run("offline");
  await run("ok");
  await page.waitForFunction(
    (n) => window.__ipcCalls.filter((c) => c.cmd === "portfolio").length > n,
    before,
  );
  // Events arrive in order: had the offline run reloaded, two reads would be there.
  await page.waitForTimeout(200);
  assert.equal((await reads()) - before, 1);
  await context.close();
});

test("filters narrow the list and persist across a reload", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();

  await page.getByTestId("filter-severity").click();
  await page.getByRole("checkbox", { name: "High" }).check();
  await page.getByTestId("filter-status").click();
  await page.getByRole("checkbox", { name: "Active" }).check();
  await page.keyboard.press("Escape");
  await page.waitForFunction(
    () =>
      /^\d+ incidents?$/.test(document.querySelector('[data-testid="match-count"]').textContent) &&
      !document.querySelector('[data-testid="match-count"]').textContent.startsWith("262"),
  );
  const narrowed = await page.getByTestId("match-count").textContent();
  const last = (await calls(page, "portfolio")).at(-1).args.query;

  assert.deepEqual(last.severity, ["high"]);
  assert.deepEqual(last.status, ["active"]);
  for (const text of await rows(page).allTextContents()) {
    if (text.trim()) assert.match(text, /High.*Active/s);
  }

  await page.reload();
  await rows(page).first().waitFor();
  assert.equal(await page.getByTestId("match-count").textContent(), narrowed);
  assert.match(await page.getByTestId("filter-severity").textContent(), /Severity: High/);

  await page.fill("#filter-text", "no such incident anywhere");
  await page.getByTestId("empty-state").waitFor();
  assert.match(
    await page.getByTestId("empty-state").textContent(),
    /No incidents match these filters — clear filters/,
  );
  await page.getByTestId("empty-state").getByRole("button", { name: "clear filters" }).click();
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="match-count"]')?.textContent.startsWith("262"),
  );
  await context.close();
});

test("skipped tenants show their badge, and an all-skipped portfolio points to Health", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  assert.match(
    await page.getByTestId("skipped-badges").textContent(),
    /Northwind Traders: skipped: missing Security roles/,
  );
  await context.close();

  const second = await openApp(env, { scenario: "allskipped" });
  const empty = second.page.getByTestId("empty-state");
  await empty.waitFor();
  assert.match(await empty.textContent(), /Every tenant is skipped — see Health/);
  await shot(second.page, "portfolio-all-skipped");
  await empty.getByRole("button", { name: "see Health" }).click();
  await second.page.getByTestId("skip-list").waitFor();
  assert.match(second.page.url(), /#\/health$/);
  await second.context.close();
});

test("incident detail shows fields, alerts, MITRE techniques and evidence per kind", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();

  await openIncident1001(page);
  const detail = page.getByTestId("incident-detail");

  assert.match(await detail.textContent(), /Contoso Health/);
  assert.match(await page.getByTestId("entities").textContent(), /alex@contoso.com/);
  assert.equal(await page.getByTestId("alert").count(), 2);
  await page.getByTestId("alert").nth(1).locator(":scope > summary").click();
  for (const kind of [
    "user",
    "url",
    "message",
    "mailbox",
    "device",
    "process",
    "file",
    "ip",
    "kubernetesPodEvidence",
  ]) {
    assert.equal(
      (await detail.locator(`[data-kind="${kind}"]`).count()) > 0,
      true,
      `evidence kind ${kind} shown`,
    );
  }
  const text = await detail.textContent();
  assert.match(text, /T1566\.002/);
  assert.match(text, /Recommended actions/);
  assert.match(text, /podIp/);
  assert.equal(await detail.locator('a[href^="http"]').count(), 0, "no raw links to Graph URLs");
  assert.match(await page.getByTestId("audit-table").textContent(), /PATCH/);
  await shot(page, "incident-detail");

  await detail
    .getByRole("button", { name: /Open in Defender/ })
    .first()
    .click();
  const portal = await calls(page, "open_in_portal");
  assert.match(portal.at(-1).args.url, /^https:\/\/security\.microsoft\.com\/incidents\/1001/);
  await context.close();
});

test("classification waits for resolved and determination for true positive", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  await openIncident1001(page);

  assert.equal(await page.isDisabled("#u-class"), true);
  assert.equal(
    await page.getByTestId("classification-why").textContent(),
    "Classify after resolving",
  );
  assert.equal(await page.getByTestId("save").textContent(), "Save in Contoso Health");

  await page.selectOption("#u-status", "resolved");
  assert.equal(await page.isDisabled("#u-class"), false);
  assert.equal(await page.getByTestId("save").textContent(), "Resolve in Contoso Health");
  await page.selectOption("#u-class", "false_positive");
  assert.equal(await page.isDisabled("#u-det"), true);
  assert.equal(
    await page.getByTestId("determination-why").textContent(),
    "Only for true positives",
  );
  await page.selectOption("#u-class", "true_positive");
  assert.equal(await page.isDisabled("#u-det"), false);
  await shot(page, "update-form");
  await context.close();
});

test("a UPN outside the tenant is refused at the field before sending", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  await openIncident1001(page);
  const before = (await calls(page, "update_incident")).length;

  await page.fill("#u-owner", "tech@msp.example");
  await page.getByTestId("save").click();

  const msg = page.locator('[data-field="assignedTo"]');
  assert.match(await msg.textContent(), /not a user in Contoso Health.*@contoso\.com/);
  assert.equal((await calls(page, "update_incident")).length, before, "nothing was sent");
  await context.close();
});

test("a refusal from the engine shows at its field and keeps the form", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  await openIncident1001(page);
  await page.evaluate(() => {
    window.__mock.failNextUpdate = {
      code: "Invalid",
      message: "Defender refused this determination.",
      field: "determination",
    };
  });

  await page.selectOption("#u-status", "resolved");
  await page.selectOption("#u-class", "true_positive");
  await page.selectOption("#u-det", "phishing");
  await page.fill("#u-comment", "keep me");
  await page.getByTestId("save").click();

  const msg = page.locator('[data-field="determination"]');
  await msg.waitFor();
  assert.match(await msg.textContent(), /Defender refused this determination/);
  assert.equal(await page.inputValue("#u-status"), "resolved");
  assert.equal(await page.inputValue("#u-class"), "true_positive");
  assert.equal(await page.inputValue("#u-det"), "phishing");
  assert.equal(await page.inputValue("#u-comment"), "keep me");
  await context.close();
});

test("a successful update shows the change, the 10–30 s note and sent the right payload", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  await openIncident1001(page);

  await page.selectOption("#u-status", "resolved");
  await page.selectOption("#u-class", "true_positive");
  await page.selectOption("#u-det", "phishing");
  await page.fill("#u-owner", "sec-lead@contoso.com");
  await page.fill("#u-comment", "Password reset, sessions revoked.");
  await page.getByTestId("save").click();

  await page.getByTestId("saved-note").waitFor();
  assert.match(await page.getByTestId("saved-note").textContent(), /10–30 seconds/);
  const sent = (await calls(page, "update_incident")).at(-1).args;
  assert.deepEqual(sent, {
    tenantId: "t-contoso",
    incidentId: "1001",
    update: {
      status: "resolved",
      classification: "true_positive",
      determination: "phishing",
      assignedTo: "sec-lead@contoso.com",
      comment: "Password reset, sessions revoked.",
    },
  });
  const row = page.locator(".tr.selected");
  assert.match(await row.textContent(), /Resolved.*sec-lead@contoso\.com.*True positive/s);
  assert.match(
    await page.getByTestId("incident-detail").textContent(),
    /Password reset, sessions revoked\./,
  );
  await shot(page, "update-saved");
  await context.close();
});

test("the form is disabled with a reason in a read-only tenant and offline", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  await page.locator(".tr", { hasText: "Fabrikam Legal" }).first().click();
  await page.getByTestId("write-blocked").waitFor();
  assert.match(
    await page.getByTestId("write-blocked").textContent(),
    /No update rights in Fabrikam Legal/,
  );
  assert.equal(await page.isDisabled("#u-status"), true);
  await context.close();

  const off = await openApp(env, { scenario: "offline" });
  await off.page.getByTestId("offline-banner").waitFor();
  assert.match(
    await off.page.getByTestId("offline-banner").textContent(),
    /offline — data as of \d\d:\d\d/,
  );
  assert.match(await off.page.getByTestId("sync-state").textContent(), /offline — data as of/);
  await rows(off.page).first().waitFor();
  await openIncident1001(off.page);
  assert.match(await off.page.getByTestId("write-blocked").textContent(), /Offline/);
  await shot(off.page, "offline");

  await off.page.evaluate(() =>
    window.__mock.emit("status-changed", { ...window.__mock.status, offline: false }),
  );
  await off.page.getByTestId("offline-banner").waitFor({ state: "detached" });
  assert.equal(await off.page.isDisabled("#u-status"), false);
  await off.context.close();
});

test("tenant pages: list with sparklines, incidents, MITRE-filtered alerts and recommendations", async () => {
  const { context, page } = await openApp(env, { hash: "#/tenants" });
  await page.getByTestId("tenant-row").first().waitFor();
  assert.equal(await page.getByTestId("tenant-row").count(), 3);
  assert.match(
    await page.getByTestId("tenant-table").textContent(),
    /skipped: missing Security roles/,
  );
  assert.ok((await page.locator('[data-testid="tenant-table"] svg').count()) >= 4);
  await shot(page, "tenants");

  await page.getByRole("button", { name: "Contoso Health" }).click();
  await rows(page).first().waitFor();
  assert.deepEqual((await calls(page, "tenant_incidents")).at(-1).args.tenantId, "t-contoso");

  await page.getByTestId("tab-alerts").click();
  await page.getByTestId("standalone-alerts").waitFor();
  // The list comes without evidence; opening an alert reads its own, and a
  // failed read says why and can be tried again.
  const phishing = page.getByTestId("alert").filter({ hasText: "Phishing link clicked" });
  const head = phishing.locator("summary").first();
  await page.evaluate(
    () =>
      (window.__mock.failNextEvidence = {
        code: "Internal",
        message: "The cache could not be read.",
      }),
  );
  await head.click();
  await phishing.getByRole("alert").filter({ hasText: "The cache could not be read." }).waitFor();
  await phishing.getByRole("button", { name: "Try again" }).click();
  await phishing.getByText("Your invoice is overdue").first().waitFor();
  assert.match(await phishing.textContent(), /contoso-billing\.example\/login/);
  assert.deepEqual(
    (await calls(page, "alert_evidence")).map((c) => c.args),
    [
      { tenantId: "t-contoso", alertId: "da1001a" },
      { tenantId: "t-contoso", alertId: "da1001a" },
    ],
  );
  await head.click();
  await head.click();
  assert.equal(
    (await calls(page, "alert_evidence")).length,
    2,
    "closed and opened again, the alert keeps what it read",
  );
  await page.fill('[data-testid="alerts-mitre"]', "t1110");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() =>
    /with T1110/.test(document.querySelector('[data-testid="alert-count"]').textContent),
  );
  assert.equal((await calls(page, "tenant_alerts")).at(-1).args.mitre, "T1110");
  assert.match(await page.getByTestId("alert-count").textContent(), /^1 alert with T1110/);
  await shot(page, "tenant-alerts");

  await page.getByTestId("tab-recommendations").click();
  const table = page.getByTestId("recommendations");
  await table.waitFor();
  assert.match(await table.textContent(), /Enable multi-factor authentication for all users/);
  await table.locator("summary").first().click();
  assert.match(await table.textContent(), /create a Conditional Access policy/);
  assert.doesNotMatch(await table.textContent(), /<b>|<p>/);
  await table.getByRole("button", { name: /Open/ }).first().click();
  const portal = (await calls(page, "open_in_portal")).at(-1);
  assert.match(
    portal.args.url,
    /^https:\/\/security\.microsoft\.com\/securescore\?.*MFARegistrationV2/,
  );
  await shot(page, "tenant-recommendations");
  await context.close();
});

test("health shows the skip list with the fix, the scheduler, tenants and runs", async () => {
  const { context, page } = await openApp(env, { hash: "#/health" });
  await page.getByTestId("skip-list").waitFor();

  assert.match(
    await page.getByTestId("skip-list").textContent(),
    /Northwind Traders.*skipped: missing Security roles.*GDAP/s,
  );
  assert.match(await page.getByTestId("scheduler").textContent(), /Idle.*4\.2 s.*15 min/s);
  assert.match(await page.getByTestId("tenant-health").textContent(), /403 Forbidden/);
  assert.match(await page.getByTestId("runs").textContent(), /partial/);
  await shot(page, "health");
  await context.close();
});

test("audit lists calls and expands request and response JSON as text", async () => {
  const { context, page } = await openApp(env, { hash: "#/audit" });
  const table = page.getByTestId("audit-table");
  await table.waitFor();

  assert.match(await table.textContent(), /PATCH \/v1\.0\/security\/incidents\/1001.*200/s);
  assert.match(await table.textContent(), /403/);
  await table.getByRole("button", { name: "JSON" }).nth(1).click();
  assert.match(await table.textContent(), /"Insufficient privileges to complete the operation\."/);
  await shot(page, "audit");
  await context.close();
});

test("settings store the secret without ever showing it", async () => {
  const { context, page } = await openApp(env, { hash: "#/settings" });
  await page.getByTestId("settings-form").waitFor();
  const secret = "Sup3r~Secret.Value_123";

  await page.fill("#s-secret", secret);
  await page.getByTestId("secret-form").getByRole("button", { name: "Store" }).click();
  await page.waitForFunction(() =>
    /stored in the keychain/.test(
      document.querySelector('[data-testid="secret-state"]').textContent,
    ),
  );

  assert.equal(await page.inputValue("#s-secret"), "");
  assert.equal(await page.getAttribute("#s-secret", "type"), "password");
  assert.doesNotMatch(await page.content(), new RegExp(secret));
  assert.equal((await calls(page, "store_client_secret")).at(-1).args.secret, secret);

  await page.fill("#s-refresh", "30");
  await page.getByRole("checkbox", { name: /Read-only mode/ }).check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByTestId("settings-message").waitFor();
  const saved = (await calls(page, "save_settings")).at(-1).args.settings;
  assert.equal(saved.refreshMinutes, 30);
  assert.equal(saved.readOnly, true);
  assert.equal("hasClientSecret" in saved, false);
  await shot(page, "settings");
  await context.close();
});

test("keyboard: j/k move, Enter opens, Esc goes back, / focuses the filter, g h and ?", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  await page.locator("body").click({ position: { x: 600, y: 5 } });

  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("k");
  assert.equal(await page.locator(".tr.cursor").getAttribute("data-row"), "1");
  await page.keyboard.press("Enter");
  await page.getByTestId("incident-detail").getByRole("heading", { level: 2 }).waitFor();
  assert.match(page.url(), /#\/portfolio\/t-/);
  await shot(page, "keyboard-open");

  await page.keyboard.press("Escape");
  await page.getByTestId("incident-detail").waitFor({ state: "detached" });
  assert.equal(
    await page.locator(".tr.cursor").getAttribute("data-row"),
    "1",
    "list keeps its place",
  );

  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "filter-text");
  await page.keyboard.press("Escape");

  await page.keyboard.press("?");
  await page.getByTestId("key-help").waitFor({ state: "visible" });
  await page.keyboard.press("Escape");

  await viaHealthAndBack(page);

  const reads = (await calls(page, "portfolio")).length;
  await page.keyboard.press("r");
  await page.waitForFunction(
    (n) => window.__ipcCalls.filter((c) => c.cmd === "portfolio").length > n,
    reads,
  );
  assert.equal((await calls(page, "sync_now")).length, 1);
  await context.close();
});

test("hostile strings from Graph render as text and run nothing", async () => {
  const { context, page } = await openApp(env, { scenario: "hostile" });
  await rows(page).first().waitFor();
  await openIncident1001(page);
  await page.getByTestId("alert").nth(1).locator(":scope > summary").click();
  await page.getByRole("button", { name: "Save in" }).waitFor();

  assert.match(
    await page.getByTestId("incident-detail").textContent(),
    /<img src=x onerror=window.__pwned=1>/,
  );
  assert.equal(await page.locator("img").count(), 0);

  await page.goto(`${env.base}/mock.html?scenario=hostile#/tenants/t-contoso/recommendations`);
  await page.getByTestId("recommendations").waitFor();
  await page.getByTestId("recommendations").locator("summary").first().click();
  await page.goto(`${env.base}/mock.html?scenario=hostile#/audit`);
  await page.getByTestId("audit-table").getByRole("button", { name: "JSON" }).first().click();
  await page.goto(`${env.base}/mock.html?scenario=hostile#/tenants`);
  await page.getByTestId("tenant-row").first().waitFor();

  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator("img").count(), 0);
  await context.close();
});

test("100k incidents scroll with a small DOM and pages fetched on demand", async () => {
  const { context, page } = await openApp(env, { scenario: "big" });
  await rows(page).first().waitFor();
  assert.match(await page.getByTestId("match-count").textContent(), /100,00\d incidents/);

  const grid = page.getByTestId("incident-grid");
  await grid.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".tr")].some(
      (r) => Number(r.dataset.row) > 40000 && r.querySelector(".title"),
    ),
  );
  await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".tr")].some(
      (r) => Number(r.dataset.row) > 99990 && r.querySelector(".title"),
    ),
  );

  assert.ok((await rows(page).count()) < 80);
  const offsets = (await calls(page, "portfolio")).map((c) => c.args.query.offset);
  assert.ok(offsets.length < 10, `few pages fetched (${offsets.join(",")})`);
  await context.close();
});

test("narrow windows show the detail over the list and Esc returns to it", async () => {
  const { context, page } = await openApp(env, { width: 900, height: 800 });
  await rows(page).first().waitFor();
  await openIncident1001(page);
  await shot(page, "narrow-detail");

  await page.getByTestId("close-detail").click();
  await rows(page).first().waitFor();
  assert.equal(await page.getByTestId("incident-detail").count(), 0);
  await context.close();
});

// ---- "Remediate compromised user" ----

const STEPS = ["disable_sign_in", "revoke_sessions", "reset_password", "clear_forwarding"];

async function openRemediation(page) {
  const opener = page.getByTestId("remediate-open");
  await opener.focus();
  await page.keyboard.press("Enter");
  await page.getByTestId("remediation-dialog").waitFor({ state: "visible" });
}

test("remediation dialog lists user, tenant and steps, and confirm sends exactly the choice", async () => {
  const { context, page, errors } = await openApp(env);
  await rows(page).first().waitFor();
  await openIncident1001(page);
  await openRemediation(page);

  const dialog = page.getByTestId("remediation-dialog");
  const user = page.getByTestId("remediation-user");
  assert.equal(
    await page.evaluate(() => document.activeElement.dataset.testid),
    "remediation-user",
  );
  assert.deepEqual(await user.locator("option").allTextContents(), [
    "alex@contoso.com",
    "megan@contoso.com",
  ]);
  assert.equal(await page.getByTestId("remediation-tenant").textContent(), "Contoso Health");
  for (const [step, name] of [
    ["disable_sign_in", "Disable sign-in"],
    ["revoke_sessions", "Revoke sessions"],
    ["reset_password", "Reset password"],
    ["clear_forwarding", "Clear mail forwarding"],
  ]) {
    const box = dialog.getByRole("checkbox", { name, exact: true });
    assert.equal(await box.isChecked(), true, `${step} on by default`);
    assert.equal(await box.getAttribute("data-testid"), `remediation-step-${step}`);
  }
  assert.match(await dialog.textContent(), /must change at next sign-in/);
  assert.equal(
    await page.getByTestId("remediation-confirm").textContent(),
    "Remediate in Contoso Health",
  );

  await user.selectOption("megan@contoso.com");
  await page.getByTestId("remediation-step-revoke_sessions").uncheck();
  await page.getByTestId("remediation-confirm").click();
  await page.getByTestId("remediation-result-disable_sign_in").waitFor();

  const sent = await calls(page, "remediate_user");
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].args, {
    tenantId: "t-contoso",
    upn: "megan@contoso.com",
    steps: ["disable_sign_in", "reset_password", "clear_forwarding"],
    incidentId: "1001",
  });
  assert.equal(await page.getByTestId("remediation-result-revoke_sessions").count(), 0);
  assert.match(
    await page.getByTestId("remediation-result-clear_forwarding").textContent(),
    /Skipped.*no Exchange Online mailbox/s,
  );

  // "Resolve incident" hands over to the update form; nothing is saved yet.
  assert.equal(await page.getByTestId("save").textContent(), "Save in Contoso Health");
  await page.getByTestId("remediation-resolve").click();
  await dialog.waitFor({ state: "hidden" });
  await page.waitForFunction(() => document.activeElement?.id === "u-status");
  assert.equal(await page.inputValue("#u-status"), "resolved");
  assert.equal(await page.isDisabled("#u-class"), false);
  assert.equal(await page.getByTestId("save").textContent(), "Resolve in Contoso Health");
  assert.equal((await calls(page, "update_incident")).length, 0, "the analyst still saves");
  assert.match(await page.getByTestId("remediation-last").textContent(), /megan@contoso\.com/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a partial run shows each step's result and the password once, gone after closing", async () => {
  const { context, page } = await openApp(env, { scenario: "remediation-partial" });
  await rows(page).first().waitFor();
  await openIncident1001(page);
  await openRemediation(page);
  await page.getByTestId("remediation-confirm").click();

  const result = (step) => page.getByTestId(`remediation-result-${step}`);
  await result("clear_forwarding").waitFor();
  assert.deepEqual(await Promise.all(STEPS.map((s) => result(s).getAttribute("data-outcome"))), [
    "done",
    "failed",
    "done",
    "done",
  ]);
  assert.match(
    await result("revoke_sessions").textContent(),
    /Failed.*Insufficient privileges to complete the operation/s,
  );
  assert.match(await result("disable_sign_in").textContent(), /Done.*Sign-in is blocked/s);
  const details = await result("clear_forwarding").locator("li").allTextContents();
  assert.equal(details.length, 3);
  assert.match(details[0], /removed rule "RSS sync"/);
  assert.match(details[2], /mailbox-level forwarding/);

  const password = await page.getByTestId("remediation-password").textContent();
  assert.match(password, /^\S{16}$/);
  assert.match(
    await page.getByTestId("remediation-password-box").textContent(),
    /shown once — it is not stored anywhere/,
  );
  await shot(page, "remediation");

  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.base });
  await page.getByTestId("remediation-copy").click();
  await page.getByText(/^Copied\./).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), password);
  await page.evaluate(() => navigator.clipboard.writeText(""));

  await page.keyboard.press("Escape");
  await page.getByTestId("remediation-dialog").waitFor({ state: "hidden" });
  assert.equal(
    await page.evaluate(() => document.activeElement.dataset.testid),
    "remediate-open",
    "focus goes back to the action",
  );
  assert.equal(await page.getByTestId("incident-detail").count(), 1, "Esc closed only the dialog");
  assert.match(
    await page.getByTestId("remediation-last").textContent(),
    /alex@contoso\.com — 3 done · 1 failed/,
  );
  await page.getByTestId("audit-table").getByText("remediate.revoke_sessions").waitFor();
  const leaks = await page.evaluate(
    (pw) => ({
      dom: document.documentElement.outerHTML.includes(pw),
      storage: JSON.stringify({ ...localStorage, ...sessionStorage }).includes(pw),
      url: location.href.includes(pw),
    }),
    password,
  );
  assert.deepEqual(leaks, { dom: false, storage: false, url: false });

  await openRemediation(page);
  assert.equal(await page.getByTestId("remediation-password").count(), 0);
  assert.equal(await page.getByTestId("remediation-result-reset_password").count(), 0);
  assert.equal(await page.getByTestId("remediation-step-reset_password").isChecked(), true);
  assert.equal((await page.content()).includes(password), false);
  await context.close();
});

test("a remediation refusal shows at its field and keeps the choices", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  await openIncident1001(page);
  await openRemediation(page);
  const refuse = (field, message) =>
    page.evaluate(
      ([f, m]) => (window.__mock.failNextRemediation = { code: "Invalid", message: m, field: f }),
      [field, message],
    );

  await refuse("user", "Incident 1001 names no user megan@contoso.com in its evidence");
  await page.getByTestId("remediation-user").selectOption("megan@contoso.com");
  await page.getByTestId("remediation-step-clear_forwarding").uncheck();
  await page.getByTestId("remediation-confirm").click();
  const atUser = page.locator('[data-testid="remediation-dialog"] [data-field="user"]');
  await atUser.waitFor();
  assert.match(await atUser.textContent(), /names no user megan@contoso\.com/);
  assert.equal(await page.inputValue('[data-testid="remediation-user"]'), "megan@contoso.com");
  assert.equal(await page.getByTestId("remediation-step-clear_forwarding").isChecked(), false);
  assert.equal(await page.getByTestId("remediation-step-reset_password").isChecked(), true);

  await refuse("steps", "Choose at least one step");
  await page.getByTestId("remediation-confirm").click();
  const atSteps = page.locator('[data-testid="remediation-dialog"] [data-field="steps"]');
  await atSteps.waitFor();
  assert.match(await atSteps.textContent(), /Choose at least one step/);
  assert.equal(await atUser.count(), 0, "the earlier message is replaced");
  assert.equal(await page.getByTestId("remediation-result-disable_sign_in").count(), 0);

  for (const s of STEPS) await page.getByTestId(`remediation-step-${s}`).uncheck();
  assert.equal(await page.isDisabled('[data-testid="remediation-confirm"]'), true);
  assert.match(await page.getByTestId("remediation-why").textContent(), /Choose at least one step/);
  assert.equal((await calls(page, "remediate_user")).length, 2);
  await context.close();
});

test("remediation is disabled with the reason in a read-only tenant and in read-only mode", async () => {
  const { context, page } = await openApp(env);
  await rows(page).first().waitFor();
  await page.locator(".tr", { hasText: "Fabrikam Legal" }).first().click();
  const opener = page.getByTestId("remediate-open");
  await opener.waitFor();
  assert.equal(await opener.isDisabled(), true);
  assert.match(
    await page.getByTestId("remediate-blocked").textContent(),
    /No manage rights in Fabrikam Legal/,
  );
  assert.equal(await opener.getAttribute("aria-describedby"), "rem-blocked");
  assert.match(await page.getByTestId("incident-detail").textContent(), /ceo@fabrikam\.com/);
  await context.close();

  const second = await openApp(env);
  await rows(second.page).first().waitFor();
  await openIncident1001(second.page);
  assert.equal(await second.page.getByTestId("remediate-open").isDisabled(), false);
  await second.page.evaluate(() =>
    window.__mock.emit("status-changed", { ...window.__mock.status, readOnly: true }),
  );
  await second.page.getByTestId("remediate-blocked").waitFor();
  assert.match(
    await second.page.getByTestId("remediate-blocked").textContent(),
    /Read-only mode is on/,
  );
  assert.equal(await second.page.getByTestId("remediate-open").isDisabled(), true);
  assert.equal((await calls(second.page, "remediate_user")).length, 0);
  await second.context.close();
});
