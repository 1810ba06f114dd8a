// The registry's dashboard: a reference client of the public API (ADR 0046). It signs in with the
// token endpoint and then calls only /api/v1, as any third-party dashboard would. Everything a
// reader sees comes from the API for the caller's role: suppressed trend cells are shown as such,
// never as 0. Text from the API is written as text (textContent), never as HTML, except the <mark>
// of search highlights, which is rebuilt element by element.
"use strict";

const API = "/api/v1";

const TEXT = {
  en: {
    skip: "Skip to the content",
    service: "National registry of child safeguarding reviews",
    language: "Language",
    title: "Dashboard",
    signIn: "Sign in",
    username: "Username",
    password: "Password",
    signInButton: "Sign in",
    signOut: "Sign out",
    signedInAs: (subject, role) => `Signed in as ${subject} (${role}).`,
    signInFailed: "The username or password is not right.",
    loading: "Loading…",
    loaded: "The dashboard is up to date.",
    searchHeading: "Search the reviews",
    searchLabel: "Words to find",
    searchButton: "Search",
    found: (n) => (n === 1 ? "1 review found." : `${n} reviews found.`),
    back: "Back to the dashboard",
    summary: "Summary",
    recommendations: "Recommendations and their actions",
    byYearRegion: "Reviews by year and region",
    byThemeYear: "Themes over time",
    outcomes: "Outcome measures by region",
    overdue: "Overdue actions by region and how long overdue",
    overdueRefused: "Your role does not show overdue actions.",
    noData: "Nothing to show yet.",
    fewer: "fewer than 5",
    year: "Year",
    region: "Region",
    theme: "Theme",
    days: "Days overdue",
    total: "Total",
    chartOf: (title) => `Chart: ${title}. The table below holds the same numbers.`,
    onTime: "Actions completed on time",
    toPublication: "Median days from completion to publication",
    context: "Reviews with their full learning context",
    reference: "Reference",
    status: "Status",
    completed: "Completed",
    noActions: "No action answers this recommendation.",
    lead: "lead",
    due: "due",
    late: "overdue",
    error: "The registry did not answer as expected. Try again.",
  },
  cy: {
    skip: "Neidio i'r cynnwys",
    service: "Cofrestr genedlaethol adolygiadau diogelu plant",
    language: "Iaith",
    title: "Dangosfwrdd",
    signIn: "Mewngofnodi",
    username: "Enw defnyddiwr",
    password: "Cyfrinair",
    signInButton: "Mewngofnodi",
    signOut: "Allgofnodi",
    signedInAs: (subject, role) => `Wedi mewngofnodi fel ${subject} (${role}).`,
    signInFailed: "Nid yw'r enw defnyddiwr neu'r cyfrinair yn gywir.",
    loading: "Wrthi'n llwytho…",
    loaded: "Mae'r dangosfwrdd yn gyfredol.",
    searchHeading: "Chwilio'r adolygiadau",
    searchLabel: "Geiriau i'w canfod",
    searchButton: "Chwilio",
    found: (n) => (n === 1 ? "Canfuwyd 1 adolygiad." : `Canfuwyd ${n} adolygiad.`),
    back: "Yn ôl i'r dangosfwrdd",
    summary: "Crynodeb",
    recommendations: "Argymhellion a'u camau gweithredu",
    byYearRegion: "Adolygiadau fesul blwyddyn a rhanbarth",
    byThemeYear: "Themâu dros amser",
    outcomes: "Mesurau canlyniad fesul rhanbarth",
    overdue: "Camau gweithredu hwyr fesul rhanbarth a pha mor hwyr",
    overdueRefused: "Nid yw eich rôl yn dangos camau gweithredu hwyr.",
    noData: "Dim i'w ddangos eto.",
    fewer: "llai na 5",
    year: "Blwyddyn",
    region: "Rhanbarth",
    theme: "Thema",
    days: "Dyddiau'n hwyr",
    total: "Cyfanswm",
    chartOf: (title) => `Siart: ${title}. Mae'r tabl isod yn dal yr un rhifau.`,
    onTime: "Camau gweithredu a gwblhawyd mewn pryd",
    toPublication: "Canolrif y dyddiau o'r cwblhau i'r cyhoeddi",
    context: "Adolygiadau â'u cyd-destun dysgu llawn",
    reference: "Cyfeirnod",
    status: "Statws",
    completed: "Cwblhawyd",
    noActions: "Nid oes cam gweithredu'n ateb yr argymhelliad hwn.",
    lead: "arweinydd",
    due: "erbyn",
    late: "yn hwyr",
    error: "Ni atebodd y gofrestrfa yn ôl y disgwyl. Rhowch gynnig arall arni.",
  },
};

const AGES = ["1-30", "31-90", "91-180", "over-180"];
// Colour-blind-safe (Okabe-Ito); every chart also has its numbers in a table beside it.
const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"];

// The browser's first preference of the two (its Accept-Language), until the reader switches.
const preferred = (navigator.languages || [navigator.language]).map((tag) => tag.slice(0, 2).toLowerCase());
const state = {
  token: null,
  me: null,
  language: preferred.find((tag) => tag in TEXT) || "en",
  vocabularies: null,
  regions: {},
  charts: [],
};

const $ = (id) => document.getElementById(id);
const t = (key) => TEXT[state.language][key];

function element(name, attributes = {}, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

async function api(path, options = {}) {
  const headers = { "Accept-Language": state.language, ...(options.headers || {}) };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch(API + path, { ...options, headers });
  if (!response.ok) {
    const error = new Error(`${response.status} ${path}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

function say(message) {
  $("status").textContent = message;
}

// --- labels ----------------------------------------------------------------------------------

function label(vocabulary, code) {
  const term = (state.vocabularies?.[vocabulary] || []).find((entry) => entry.code === code);
  return term ? term.label : code;
}

function regionName(code) {
  return state.regions[code] || code;
}

function applyLanguage() {
  document.documentElement.lang = state.language;
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
  for (const node of document.querySelectorAll("[data-label]")) node.setAttribute("aria-label", t(node.dataset.label));
  for (const button of document.querySelectorAll("button.language")) {
    button.setAttribute("aria-pressed", String(button.dataset.language === state.language));
  }
}

// --- tables and charts ------------------------------------------------------------------------

function cellText(bucket) {
  if (!bucket) return "0";
  if (bucket.suppressed) return t("fewer");
  if (bucket.value !== undefined && bucket.value !== null) return formatValue(bucket);
  return String(bucket.count);
}

function formatValue(bucket) {
  return Number.isInteger(bucket.value) ? String(bucket.value) : bucket.value.toFixed(2);
}

function table(caption, corner, rows, columns, cell) {
  const head = element("tr", {}, element("th", { scope: "col" }, corner));
  for (const column of columns) head.append(element("th", { scope: "col" }, column.name));
  const body = element("tbody");
  for (const row of rows) {
    const line = element("tr", {}, element("th", { scope: "row" }, row.name));
    for (const column of columns) {
      const text = cell(row.key, column.key);
      line.append(element("td", text === t("fewer") ? { class: "suppressed" } : {}, text));
    }
    body.append(line);
  }
  // A table wider than a phone scrolls inside its own region, which the keyboard can reach too.
  const wrap = element("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-label": caption });
  wrap.append(element("table", {}, element("caption", {}, caption), element("thead", {}, head), body));
  return wrap;
}

function panel(id, title) {
  const heading = element("h2", { id: `${id}-heading` }, title);
  const section = element("section", { id, class: "panel", "aria-labelledby": `${id}-heading` }, heading);
  $("charts").append(section);
  return section;
}

function chart(section, title, kind, labels, datasets, options = {}) {
  const canvas = element("canvas", { role: "img", "aria-label": t("chartOf")(title) });
  section.append(element("div", { class: "chart" }, canvas));
  if (!window.Chart) return; // the numbers are in the table either way
  state.charts.push(
    new window.Chart(canvas, {
      type: kind,
      data: {
        labels,
        datasets: datasets.map((dataset, i) => ({ ...dataset, backgroundColor: COLOURS[i % COLOURS.length], borderColor: COLOURS[i % COLOURS.length] })),
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, spanGaps: false, ...options },
    }),
  );
}

function grid(buckets, rowDimension, columnDimension) {
  const cells = new Map();
  const rows = new Set();
  const columns = new Set();
  for (const bucket of buckets) {
    rows.add(bucket.key[rowDimension]);
    columns.add(bucket.key[columnDimension]);
    cells.set(`${bucket.key[rowDimension]}|${bucket.key[columnDimension]}`, bucket);
  }
  const sorted = (values) => [...values].sort((a, b) => String(a).localeCompare(String(b)));
  return { rows: sorted(rows), columns: sorted(columns), at: (row, column) => cells.get(`${row}|${column}`) };
}

function plotted(bucket) {
  if (!bucket) return 0;
  return bucket.suppressed ? null : (bucket.value ?? bucket.count);
}

// --- the panels ---------------------------------------------------------------------------------

async function reviewsByYearAndRegion() {
  const trends = await api("/trends?group_by=year&group_by=region");
  const section = panel("by-year-region", t("byYearRegion"));
  if (!trends.buckets.length) return section.append(element("p", {}, t("noData")));
  const { rows: years, columns: regions, at } = grid(trends.buckets, "year", "region");
  chart(
    section,
    t("byYearRegion"),
    "bar",
    years.map(String),
    regions.map((region) => ({ label: regionName(region), data: years.map((year) => plotted(at(year, region))) })),
    { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  );
  section.append(
    table(
      t("byYearRegion"),
      t("year"),
      years.map((year) => ({ key: year, name: String(year) })),
      regions.map((region) => ({ key: region, name: regionName(region) })),
      (year, region) => cellText(at(year, region)),
    ),
  );
}

async function themesOverTime() {
  const trends = await api("/trends?group_by=theme&group_by=year");
  const section = panel("by-theme-year", t("byThemeYear"));
  if (!trends.buckets.length) return section.append(element("p", {}, t("noData")));
  const { rows: themes, columns: years, at } = grid(trends.buckets, "theme", "year");
  chart(
    section,
    t("byThemeYear"),
    "line",
    years.map(String),
    themes.map((theme) => ({ label: label("theme", theme), data: years.map((year) => plotted(at(theme, year))) })),
    { scales: { y: { beginAtZero: true } } },
  );
  section.append(
    table(
      t("byThemeYear"),
      t("theme"),
      themes.map((theme) => ({ key: theme, name: label("theme", theme) })),
      years.map((year) => ({ key: year, name: String(year) })),
      (theme, year) => cellText(at(theme, year)),
    ),
  );
}

async function outcomeMeasures() {
  const measures = [
    ["actions_on_time_share", "onTime"],
    ["days_to_publication_median", "toPublication"],
    ["complete_context_share", "context"],
  ];
  const answers = await Promise.all(measures.map(([measure]) => api(`/trends?group_by=region&measure=${measure}`)));
  const section = panel("outcomes", t("outcomes"));
  const byMeasure = new Map(measures.map(([measure], i) => [measure, new Map(answers[i].buckets.map((b) => [b.key.region, b]))]));
  const regions = [...new Set(answers.flatMap((answer) => answer.buckets.map((b) => b.key.region)))].sort();
  if (!regions.length) return section.append(element("p", {}, t("noData")));
  const onTime = byMeasure.get("actions_on_time_share");
  chart(section, t("onTime"), "bar", regions.map(regionName), [{ label: t("onTime"), data: regions.map((r) => plotted(onTime.get(r))) }], {
    scales: { y: { beginAtZero: true, max: 1 } },
  });
  section.append(
    table(
      t("outcomes"),
      t("region"),
      regions.map((region) => ({ key: region, name: regionName(region) })),
      measures.map(([measure, key]) => ({ key: measure, name: t(key) })),
      (region, measure) => {
        const bucket = byMeasure.get(measure).get(region);
        return bucket ? cellText(bucket) : "–";
      },
    ),
  );
}

async function overdueActions() {
  const section = panel("overdue", t("overdue"));
  let answer;
  try {
    answer = await api("/actions/overdue?limit=1");
  } catch (error) {
    if (error.status === 403) return section.append(element("p", {}, t("overdueRefused")));
    throw error;
  }
  const byRegion = new Map();
  for (const group of answer.groups) {
    const ages = byRegion.get(group.region) || Object.fromEntries(AGES.map((age) => [age, 0]));
    for (const age of AGES) ages[age] += group.ageing[age] || 0;
    byRegion.set(group.region, ages);
  }
  const regions = [...byRegion.keys()].sort();
  if (!regions.length) return section.append(element("p", {}, t("noData")));
  chart(
    section,
    t("overdue"),
    "bar",
    regions.map(regionName),
    AGES.map((age) => ({ label: `${age} (${t("days")})`, data: regions.map((region) => byRegion.get(region)[age]) })),
    { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  );
  section.append(
    table(
      t("overdue"),
      t("region"),
      regions.map((region) => ({ key: region, name: regionName(region) })),
      [...AGES.map((age) => ({ key: age, name: age })), { key: "total", name: t("total") }],
      (region, age) => {
        const ages = byRegion.get(region);
        return String(age === "total" ? AGES.reduce((sum, a) => sum + ages[a], 0) : ages[age]);
      },
    ),
  );
}

async function showDashboard() {
  say(t("loading"));
  for (const old of state.charts) old.destroy();
  state.charts = [];
  $("charts").replaceChildren();
  const [vocabularies, regions] = await Promise.all([api("/vocabularies"), api("/regions")]);
  state.vocabularies = vocabularies;
  state.regions = Object.fromEntries(regions.map((region) => [region.code, region.name])); // in the page's language
  await reviewsByYearAndRegion();
  await themesOverTime();
  await outcomeMeasures();
  await overdueActions();
  say(t("loaded"));
}

// --- search and a review --------------------------------------------------------------------

function highlighted(fragment) {
  // The registry escapes the text and marks the matches with <mark>: rebuild only those.
  const parsed = new DOMParser().parseFromString(`<p>${fragment}</p>`, "text/html").body.firstChild;
  const out = element("p", { class: "highlight" });
  for (const node of parsed.childNodes) {
    out.append(node.nodeName === "MARK" ? element("mark", {}, node.textContent) : document.createTextNode(node.textContent));
  }
  return out;
}

function titleOf(review) {
  return state.language === "cy" && review.title_cy ? review.title_cy : review.title;
}

async function search(q) {
  const answer = await api(`/search?q=${encodeURIComponent(q)}&limit=20`);
  $("search-total").textContent = t("found")(answer.total);
  const hits = answer.items.map((hit) => {
    const link = element("a", { href: `#/reviews/${encodeURIComponent(hit.id)}` }, titleOf(hit));
    const item = element("li", {}, link, " ", element("span", { class: "meta" }, `${hit.reference}, ${regionName(hit.region)}`));
    for (const fragment of hit.highlights) item.append(highlighted(fragment));
    return item;
  });
  $("hits").replaceChildren(...hits);
}

async function showReview(id) {
  const [review, plan] = await Promise.all([
    api(`/reviews/${encodeURIComponent(id)}`),
    api(`/reviews/${encodeURIComponent(id)}/action-plan`).catch(() => ({ actions: [] })),
  ]);
  $("review-title").textContent = titleOf(review);
  const facts = [
    [t("reference"), review.reference],
    [t("region"), regionName(review.region)],
    [t("status"), review.status],
    [t("completed"), review.completed_on || "–"],
  ];
  $("review-facts").replaceChildren(...facts.flatMap(([name, value]) => [element("dt", {}, name), element("dd", {}, value)]));
  const summary = state.language === "cy" && review.summary_cy ? review.summary_cy : review.summary;
  $("review-summary").textContent = summary || "–";
  const items = review.recommendations.map((recommendation) => {
    const text = state.language === "cy" && recommendation.text_cy ? recommendation.text_cy : recommendation.text;
    const item = element(
      "li",
      {},
      element("p", {}, element("strong", {}, `${recommendation.ref}: `), text, ` (${label("recommendation_level", recommendation.level)})`),
    );
    const actions = plan.actions.filter((action) => action.recommendation_ref === recommendation.ref);
    const list = element("ul", { class: "actions" });
    for (const action of actions) {
      list.append(
        element(
          "li",
          {},
          element("span", { class: `action-status ${action.status}` }, label("action_status", action.status)),
          ` ${action.description} (${t("lead")}: ${label("agency", action.lead_agency)}, ${t("due")} ${action.target_date}` +
            `${action.overdue ? `, ${t("late")}` : ""})`,
        ),
      );
    }
    item.append(actions.length ? list : element("p", {}, t("noActions")));
    return item;
  });
  $("review-recommendations").replaceChildren(...items);
}

// --- navigation -------------------------------------------------------------------------------

async function route() {
  const match = location.hash.match(/^#\/reviews\/(.+)$/);
  const signedIn = Boolean(state.token);
  $("sign-in").hidden = signedIn;
  $("signed-in").hidden = !signedIn || Boolean(match);
  $("review").hidden = !signedIn || !match;
  if (!signedIn) return;
  try {
    if (match) {
      await showReview(decodeURIComponent(match[1]));
      $("review-title").setAttribute("tabindex", "-1");
      $("review-title").focus();
    } else {
      await showDashboard();
    }
  } catch (error) {
    say(t("error"));
  }
}

async function signIn(event) {
  event.preventDefault();
  const form = new URLSearchParams({ grant_type: "password", username: $("username").value, password: $("password").value });
  const response = await fetch(`${API}/auth/token`, { method: "POST", body: form, headers: { "Accept-Language": state.language } });
  if (!response.ok) {
    say(t("signInFailed"));
    $("password").focus();
    return;
  }
  state.token = (await response.json()).access_token;
  state.me = await api("/auth/me");
  $("password").value = "";
  $("who").textContent = t("signedInAs")(state.me.subject, state.me.role);
  await route();
  $("main").focus();
}

function signOut() {
  state.token = null;
  state.me = null;
  $("charts").replaceChildren();
  $("hits").replaceChildren();
  $("search-total").textContent = "";
  location.hash = "";
  route();
}

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("q").value).catch(() => say(t("error")));
  });
  $("back").addEventListener("click", (event) => {
    event.preventDefault();
    location.hash = "";
  });
  for (const button of document.querySelectorAll("button.language")) {
    button.addEventListener("click", async () => {
      state.language = button.dataset.language;
      applyLanguage();
      if (state.me) $("who").textContent = t("signedInAs")(state.me.subject, state.me.role);
      $("search-total").textContent = "";
      $("hits").replaceChildren();
      await route();
    });
  }
  window.addEventListener("hashchange", route);
  applyLanguage();
  route();
});
