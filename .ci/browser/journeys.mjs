// The core task of each module the first walk in test.mjs does not cover, as the role that does
// it, through the forms only, asserting what the user sees at each step. Called by test.mjs with
// its page, base address, step runner and helpers.
//
//   mediation      coordinator creates a process, records an engagement with participants picked
//                  from the network, writes a debrief; the desk officer edits the engagement
//   accountability documenter records an incident with an act and a source under a pseudonym,
//                  uploads an evidence file linked to it at upload time; the custodian builds and
//                  downloads a transfer package
//   knowledge      analyst searches with a misspelling, follows the suggestion, opens similar
//                  records and exports the results
//   phone          pages with wide tables read on a 390 px screen without the page scrolling sideways
//   platform       admin creates a user, asks for a compartment by an access decision that the
//                  coordinator approves, and reads both in the account's history
//   inbox          coordinator assigns a process to the desk officer with a due date; the desk
//                  officer finds it in her inbox (the count in the navigation, in English and
//                  Dutch), comments on the record and marks it done
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function mediation({ page, base, step, h }) {
  const { goto, submit, check, mainText, loginAs, selectByText } = h;
  const stamp = Date.now();
  const title = `Journey process ${stamp}`;
  let processUrl = null;

  await step('coordinator creates a process through the form', async () => {
    await loginAs(page, base, 'coordinator');
    await goto(page, `${base}/processes`);
    const link = page.locator('a[href="/processes/new"]').first();
    check(await link.count(), 'no "new process" link on /processes for the coordinator');
    await Promise.all([page.waitForNavigation(), link.click()]);
    await page.fill('#title', title);
    await page.fill('#countries', 'SD');
    await page.selectOption('#phase', 'negotiation');
    await page.check('input[name=tracks][value="II"]');
    await page.selectOption('#status', 'active');
    await page.check('input[name=themes][value="water"]');
    await page.fill('#summary', 'Quiet talks on the sharing of a cross-border aquifer.');
    await page.selectOption('#classification', 'internal');
    await submit(page, 'main form.stack');
    check(/^\/processes\/[^/]+$/.test(h.pathOf(page)), `after saving, am on ${h.pathOf(page)}: ${(await mainText(page)).slice(0, 300)}`);
    processUrl = page.url();
    const text = await mainText(page);
    check(text.includes(title) && text.includes('Sudan'), `the process page does not show what was saved: ${text.slice(0, 300)}`);
  });

  await step('coordinator records an engagement with participants picked from the network', async () => {
    check(processUrl, 'no process');
    await goto(page, processUrl);
    await page.locator('#journal ~ details summary, details:has(#engagement-form) summary').first().click();
    await page.fill('#eng-date', '2026-11-20');
    await page.fill('#eng-place', 'Addis Ababa');
    const options = await page.$$eval('#eng-participants option', (os) => os.map((o) => o.textContent.trim()));
    check(options.length >= 2, `the participant picker offers ${JSON.stringify(options)}`);
    await page.selectOption('#eng-participants', [{ label: options[0] }, { label: options[1] }]);
    await page.fill('#eng-summary', 'Both delegations accepted a technical committee on the aquifer.');
    await submit(page, '#engagement-form');
    const text = await mainText(page);
    check(text.includes('Engagement saved'), `no confirmation after saving: ${text.slice(0, 300)}`);
    check(text.includes('Both delegations accepted') && text.includes(options[0]) && text.includes(options[1]),
      `the journal does not show the entry with its participants: ${text.slice(0, 800)}`);
  });

  await step('coordinator writes a debrief of the process', async () => {
    check(processUrl, 'no process');
    await goto(page, processUrl);
    const link = page.locator('a[href$="/debriefs/new"]').first();
    check(await link.count(), 'no "write a debrief" link on the process page');
    await Promise.all([page.waitForNavigation(), link.click()]);
    await page.fill('#case_title', `Debrief ${stamp}`);
    await page.fill('#date', '2026-11-25');
    await page.fill('#started_on', '2026-06-01');
    // The debrief can be tied to the journal entry just recorded, picked by its date.
    const entries = await page.$$eval('#engagement_id option', (os) => os.map((o) => o.textContent.trim()));
    const entry = entries.find((e) => e.includes('2026-11-20'));
    check(entry, `the journal entry is not offered: ${JSON.stringify(entries)}`);
    await page.selectOption('#engagement_id', { label: entry });
    const textareas = await page.$$eval('main form.stack textarea', (ts) => ts.map((t) => t.name));
    for (const name of textareas) {
      if (['other_parties'].includes(name) || name.startsWith('fu_')) continue;
      await page.fill(`main form.stack textarea[name="${name}"]`, `Journey ${name}: a technical track kept both sides talking.`);
    }
    await submit(page, 'main form.stack');
    check(/^\/debriefs\/[^/]+$/.test(h.pathOf(page)), `after saving, am on ${h.pathOf(page)}: ${(await mainText(page)).slice(0, 400)}`);
    const text = await mainText(page);
    check(text.includes(`Debrief ${stamp}`), `the debrief page does not show its title: ${text.slice(0, 300)}`);
  });

  await step('desk officer edits the engagement', async () => {
    check(processUrl, 'no process');
    await loginAs(page, base, 'desk-officer');
    await goto(page, processUrl);
    const edit = page.locator('#journal ~ ol.timeline a[href$="/edit"]').first();
    check(await edit.count(), 'no edit link on the journal entry for the desk officer');
    await Promise.all([page.waitForNavigation(), edit.click()]);
    check((await page.inputValue('#eng-summary')).includes('Both delegations accepted'), 'the edit form does not hold the entry');
    await page.fill('#eng-summary', 'Both delegations accepted a technical committee; first meeting in January.');
    await submit(page, '#engagement-form');
    const text = await mainText(page);
    check(text.includes('Engagement saved') && text.includes('first meeting in January'), `the edit did not show: ${text.slice(0, 600)}`);
  });
}

export async function accountability({ page, base, step, h }) {
  const { goto, submit, check, mainText, loginAs } = h;
  const stamp = Date.now();
  const incidentTitle = `Journey incident ${stamp}`;
  const evidenceTitle = `Journey photo ${stamp}`;
  let incidentUrl = null;

  await step('documenter records an incident with an act', async () => {
    await loginAs(page, base, 'documenter');
    await goto(page, `${base}/incidents/new`);
    await page.fill('#title', incidentTitle);
    await page.fill('#description', 'Shelling of a market at noon; several stalls destroyed.');
    await page.fill('#date', '2026-10-03');
    await page.fill('#place', 'El Fasher market');
    await page.fill('#country', 'SD');
    await page.selectOption('#compartment', 'evidence-sudan');
    const violations = await page.$$eval('#violation option', (os) => os.map((o) => o.value).filter(Boolean));
    check(violations.length > 0, 'the act part offers no violation types');
    await page.selectOption('#violation', violations[0]);
    await page.fill('#killed', '2');
    // Located to an administrative area without naming it: refused, the error beside the field,
    // nothing typed lost.
    const resp = await Promise.all([page.waitForNavigation(), page.locator('main form.stack button[type=submit]').first().click()]);
    check(resp[0] && resp[0].status() === 422, `the incomplete form answered ${resp[0] && resp[0].status()}`);
    const beside = await page.locator('#admin_area + p.field-error').count();
    check(beside === 1, `no error beside the administrative area: ${(await mainText(page)).slice(0, 400)}`);
    check((await page.inputValue('#title')) === incidentTitle, 'the title typed was lost');
    await page.fill('#admin_area', 'North Darfur');
    await submit(page, 'main form.stack');
    check(/^\/incidents\/[^/]+$/.test(h.pathOf(page)), `after saving, am on ${h.pathOf(page)}: ${(await mainText(page)).slice(0, 400)}`);
    incidentUrl = page.url();
    const text = await mainText(page);
    check(text.includes(incidentTitle), `the incident page does not show its title: ${text.slice(0, 300)}`);
  });

  await step('documenter adds a source under a pseudonym, the real name kept apart', async () => {
    check(incidentUrl, 'no incident');
    await goto(page, incidentUrl);
    check(!(await page.locator('#role').isVisible()), 'the add-a-person form is open before it is used');
    await page.locator('#add-person > summary').click();
    await page.selectOption('#role', 'source');
    await page.selectOption('#consent', 'given');
    if (await page.locator('#name').count()) await page.fill('#name', `Source Real Name ${stamp}`);
    await submit(page, `form.stack[action$="/persons"]`);
    const text = await mainText(page);
    check(!text.includes(`Source Real Name ${stamp}`), 'the real name shows on the incident page');
    const persons = await page.locator('main table').filter({ hasText: 'Source' }).count();
    check(persons > 0, `no person listed: ${text.slice(0, 1200)}`);
  });

  await step('documenter uploads an evidence file linked to the incident at upload time', async () => {
    check(incidentUrl, 'no incident');
    await goto(page, incidentUrl);
    const link = page.locator('a[href^="/evidence/new?incident="]').first();
    check(await link.count(), 'no "upload evidence for this incident" link');
    await Promise.all([page.waitForNavigation(), link.click()]);
    const chosen = await page.$eval('#incident_id', (s) => s.options[s.selectedIndex].textContent);
    check(chosen.includes(incidentTitle), `the incident is not chosen on the upload form: ${chosen}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grotius-evidence-'));
    try {
      const file = path.join(dir, 'market.jpg');
      fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`journey ${stamp}`)]));
      await page.fill('#title', evidenceTitle);
      await page.fill('input[name=captured_at]', '2026-10-03T12:30');
      await page.selectOption('#compartment', 'evidence-sudan');
      await page.setInputFiles('#file', file);
      await submit(page, 'main form.stack');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    check(/^\/evidence\/[^/]+$/.test(h.pathOf(page)), `after the upload, am on ${h.pathOf(page)}: ${(await mainText(page)).slice(0, 400)}`);
    const text = await mainText(page);
    check(text.includes(evidenceTitle) && text.includes(incidentTitle), `the item does not name its incident: ${text.slice(0, 600)}`);
    await goto(page, incidentUrl);
    check((await mainText(page)).includes(evidenceTitle), 'the incident does not list the evidence');
  });

  await step('custodian builds a transfer package and downloads it', async () => {
    await loginAs(page, base, 'custodian');
    await goto(page, `${base}/evidence/packages`);
    await page.fill('#recipient', `Journey FFM ${stamp}`);
    await page.fill('#purpose', 'Fact-finding on attacks on markets');
    const label = page.locator('label', { hasText: evidenceTitle }).locator('input[name=items]');
    check(await label.count(), `the package form does not offer ${evidenceTitle}`);
    await label.check();
    await submit(page, 'form.stack[action="/evidence/packages"]');
    check(/^\/evidence\/packages\/[^/]+$/.test(h.pathOf(page)), `after building, am on ${h.pathOf(page)}: ${(await mainText(page)).slice(0, 400)}`);
    const text = await mainText(page);
    check(text.includes(`Journey FFM ${stamp}`) && text.includes(evidenceTitle), `the package page does not show its recipient and item: ${text.slice(0, 600)}`);
    const dl = page.locator('a[href$="/download"]').first();
    check(await dl.count(), 'no download link on the package page');
    const href = await dl.getAttribute('href');
    const resp = await page.request.get(new URL(href, base).toString());
    check(resp.status() === 200, `the package download answered ${resp.status()}`);
    const body = await resp.body();
    check(body.length > 512, `the package is ${body.length} bytes`);
  });
}

export async function knowledge({ page, base, step, h }) {
  const { goto, check, mainText, loginAs } = h;
  let results = null;

  await step('analyst searches with a misspelling and follows the suggestion', async () => {
    await loginAs(page, base, 'analyst');
    await goto(page, `${base}/search?q=${encodeURIComponent('ceasfire')}`);
    const better = page.locator('p.did-you-mean a').first();
    check(await better.count(), `no "did you mean" for a misspelling: ${(await mainText(page)).slice(0, 400)}`);
    await Promise.all([page.waitForNavigation(), better.click()]);
    const q = await page.inputValue('#q');
    check(q === 'ceasefire', `the suggestion searched for ${JSON.stringify(q)}`);
    results = await page.locator('ol.search-hits > li').count();
    check(results > 0, 'the corrected search found nothing');
  });

  await step('analyst opens records similar to the first hit', async () => {
    const similar = page.locator('ol.search-hits a[href$="/similar"]').first();
    check(await similar.count(), 'no "similar records" link on the hits');
    await Promise.all([page.waitForNavigation(), similar.click()]);
    const text = await mainText(page);
    check(text.includes('Similar records'), `not on the similar records page: ${text.slice(0, 300)}`);
    check((await page.locator('main li a').count()) > 0, 'no similar records listed');
  });

  await step('analyst exports the results as CSV', async () => {
    await goto(page, `${base}/search?q=ceasefire`);
    const link = page.locator('a#search-export');
    check(await link.count(), 'no export link on the results');
    const href = await link.getAttribute('href');
    const resp = await page.request.get(new URL(href, base).toString());
    check(resp.status() === 200, `the export answered ${resp.status()}`);
    const csv = await resp.text();
    const lines = csv.trim().split('\n');
    check(lines[0] === 'kind,title,url,relevance,snippet,classification', `the export starts ${lines[0]}`);
    check(lines.length - 1 >= Math.min(results || 1, 20), `the export holds ${lines.length - 1} rows for ${results} hits on the page`);
  });
}

export async function platform({ page, base, step, h }) {
  const { goto, submit, check, mainText, loginAs, selectByText } = h;
  const username = `journey-${Date.now()}`;
  let userUrl = null;

  await step('admin creates a user', async () => {
    await loginAs(page, base, 'admin');
    await goto(page, `${base}/admin`);
    await page.locator('details:has(form[action="/admin/users"]) summary').first().click();
    await page.fill('#username', username);
    await page.fill('#display_name', 'Journey Legal Adviser');
    await page.fill('form[action="/admin/users"] #password', 'journey-password-2026');
    await page.check('form[action="/admin/users"] input[name=roles][value="legal-adviser"]');
    await page.selectOption('form[action="/admin/users"] #classification', 'confidential');
    await submit(page, 'form[action="/admin/users"]');
    check(/^\/admin\/users\/[^/]+$/.test(h.pathOf(page)), `after creating, am on ${h.pathOf(page)}: ${(await mainText(page)).slice(0, 400)}`);
    userUrl = page.url().split('?')[0];
    const text = await mainText(page);
    check(text.includes('Account created') && text.includes(username), `no confirmation for the new user: ${text.slice(0, 400)}`);
  });

  await step('admin cannot add members herself: the compartment page sends her to an access decision', async () => {
    await goto(page, `${base}/admin/compartments/horn-of-africa`);
    check((await page.locator('#member-add').count()) === 0, 'the administrator gets a form to add members directly');
    check(await page.locator('#member-propose a[href="/access-decisions"]').count(), 'no way from the compartment to an access decision');
  });

  await step('admin requests a compartment for the user by an access decision', async () => {
    await goto(page, `${base}/access-decisions`);
    await selectByText(page, '#decision-request #user', username);
    await page.selectOption('#decision-request #compartment', 'horn-of-africa');
    await page.fill('#decision-request #reason', 'Transitional justice advice to the Sudan talks on amnesty provisions.');
    await submit(page, '#decision-request');
    const text = await mainText(page);
    check(text.includes(`${username} → horn-of-africa`) && text.includes('Requested'), `the request is not listed: ${text.slice(0, 800)}`);
  });

  await step('the coordinator approves the access decision', async () => {
    await loginAs(page, base, 'coordinator');
    await goto(page, `${base}/access-decisions`);
    const item = page.locator('main li, main article, main section, main div.decision').filter({ hasText: `${username} → horn-of-africa` }).last();
    check(await item.count(), 'the coordinator does not see the request');
    const form = item.locator('form').first();
    check(await form.count(), 'no decision form on the request for the coordinator');
    await form.locator('textarea[name=note]').fill('Approved for the Jeddah track only.');
    await Promise.all([page.waitForNavigation(), form.locator('button[name=approve][value="1"]').click()]);
    const text = await mainText(page);
    check(/Approved/.test(text), `the decision is not shown as approved: ${text.slice(0, 800)}`);
  });

  await step('admin sees the grants in the account history from the audit log', async () => {
    check(userUrl, 'no user');
    await loginAs(page, base, 'admin');
    await goto(page, userUrl);
    const text = await mainText(page);
    check(text.includes('History of this account'), `no history on the account page: ${text.slice(0, 400)}`);
    for (const action of ['user.create', 'access-decision.request', 'access-decision.approve']) {
      check(text.includes(action), `the history does not show ${action}: ${text.slice(0, 1500)}`);
    }
    check(text.includes('horn-of-africa') && text.includes('Approved for the Jeddah track only.'), `the history does not name the compartment and the decision: ${text.slice(0, 1500)}`);
    check(/Compartments: horn-of-africa/.test(text), `the account is not in the compartment: ${text.slice(0, 1500)}`);
  });
}

// Pages as their users open them on a phone (390 × 844): the page never scrolls sideways; a wide
// table scrolls inside itself with its first column kept in view.
export async function phone({ page, base, step, h }) {
  const { goto, check, loginAs } = h;
  const overflow = async () => page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width + 1) return null;
    const wide = [...document.querySelectorAll('main *')]
      .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('table'))
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''}`);
    return `${document.documentElement.scrollWidth} px wide (${wide.join(', ')})`;
  });
  const walk = async (user, paths) => {
    await loginAs(page, base, user);
    const size = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const p of paths) {
        await goto(page, `${base}${p}`);
        const wide = await overflow();
        check(!wide, `${p} on a 390 px screen is ${wide}`);
      }
    } finally {
      if (size) await page.setViewportSize(size);
    }
  };

  await step('a desk officer reads processes, a country profile and the network on a phone', async () => {
    await walk('desk-officer', ['/', '/processes', '/countries/SD', '/early-warning', '/network', '/roster']);
    // The first column of a wide table stays in view when the table scrolls.
    const size = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await goto(page, `${base}/processes`);
      const sticky = await page.$eval('main table td:first-child, main table th:first-child', (c) => getComputedStyle(c).position);
      check(sticky === 'sticky', `the first column of a table is ${sticky}, not sticky`);
    } finally {
      if (size) await page.setViewportSize(size);
    }
  });

  await step('a fund officer and a documenter read their lists on a phone', async () => {
    await walk('fund-officer', ['/fund', '/fund/dashboard', '/fund/reports', '/fund/applications/new']);
    await walk('documenter', ['/incidents', '/evidence']);
  });
}

// What waits for whom: an assignment made on a record's page reaches the colleague's inbox.
export async function inbox({ page, base, step, h }) {
  const { goto, submit, check, mainText, loginAs } = h;
  const note = `Journey: brief the envoy ${Date.now()}`;
  const due = new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10);
  const navCount = async () => {
    const badge = page.locator('#main-nav a[href="/inbox"] .count');
    return (await badge.count()) ? Number((await badge.first().textContent()).trim()) : 0;
  };
  let processUrl = null;
  let title = null;
  let before = 0;

  await step('desk officer notes what waits for her', async () => {
    await loginAs(page, base, 'desk-officer');
    check(await page.locator('#main-nav a[href="/inbox"]').count(), 'no Inbox entry in the navigation');
    before = await navCount();
  });

  await step('coordinator assigns a process to the desk officer from its page', async () => {
    await loginAs(page, base, 'coordinator');
    await goto(page, `${base}/processes`);
    const links = await page.$$eval('main a[href^="/processes/"]', (as) =>
      [...new Set(as.map((a) => a.getAttribute('href')).filter((x) => /^\/processes\/[0-9a-f-]{36}$/.test(x)))]);
    for (const href of links.slice(0, 12)) {
      await goto(page, `${base}${href}`);
      const offered = await page.$$eval('#assignee option', (os) => os.map((o) => o.value));
      if (offered.includes('desk-officer')) { processUrl = page.url(); break; }
    }
    check(processUrl, 'no process of the list may be assigned to the desk officer');
    title = (await page.locator('main h1').first().textContent()).trim();
    await page.locator('#work details summary').first().click();
    await page.selectOption('#assignee', 'desk-officer');
    await page.fill('#due', due);
    await page.fill('#note', note);
    await submit(page, '#work form[action$="/assignments"]');
    const text = await mainText(page);
    check(text.includes("it is now in your colleague's inbox"), `no confirmation after assigning: ${text.slice(-600)}`);
    check(text.includes(note) && text.includes('desk-officer'), `the record does not show the assignment: ${text.slice(-800)}`);
  });

  await step('desk officer finds it in her inbox, with the count in the navigation, in English and Dutch', async () => {
    await loginAs(page, base, 'desk-officer');
    check(await navCount() === before + 1, `the navigation counts ${await navCount()}, expected ${before + 1}`);
    await Promise.all([page.waitForNavigation(), page.locator('#main-nav a[href="/inbox"]').click()]);
    let text = await mainText(page);
    const row = page.locator('#inbox tr').filter({ hasText: note });
    check(await row.count() === 1, `the inbox does not show the assignment: ${text.slice(0, 1200)}`);
    const rowText = await row.innerText();
    check(rowText.includes(due) && rowText.includes('Assigned to you') && title.includes((await row.locator('a').first().innerText()).trim()),
      `the inbox row does not name the record, the reason and the date: ${rowText}`);
    check(await row.locator('a').first().getAttribute('href') === new URL(processUrl).pathname, 'the inbox row does not lead to the record');
    await goto(page, `${base}/lang/nl?next=%2Finbox`);
    text = await mainText(page);
    check(text.includes('Wat op u wacht') && text.includes('Aan u toegewezen'), `the inbox in Dutch: ${text.slice(0, 600)}`);
    check((await page.locator('#main-nav a[href="/inbox"]').innerText()).includes('Te doen'), 'the navigation entry in Dutch');
    await goto(page, `${base}/lang/en?next=%2Finbox`);
  });

  await step('desk officer comments on the record and marks the assignment done', async () => {
    const row = page.locator('#inbox tr').filter({ hasText: note });
    await Promise.all([page.waitForNavigation(), row.locator('a').first().click()]);
    await page.fill('#comment-body', 'Envoy briefed by phone; follow-up meeting on Thursday.');
    await submit(page, '#work form[action$="/comments"]');
    let text = await mainText(page);
    check(text.includes('Comment added.') && text.includes('Envoy briefed by phone'), `the comment is not shown: ${text.slice(-800)}`);
    await goto(page, `${base}/inbox`);
    const done = page.locator('#inbox tr').filter({ hasText: note }).locator('form button');
    await Promise.all([page.waitForNavigation(), done.click()]);
    text = await mainText(page);
    check(!text.includes(note), `the assignment is still in the inbox after marking it done: ${text.slice(0, 800)}`);
    check(await navCount() === before, `the navigation counts ${await navCount()} after done, expected ${before}`);
  });
}
