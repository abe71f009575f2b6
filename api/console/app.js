// The console's controller: sign-in, incident list, live transcript, approvals, questions.
import { api, session, streamEvents } from "/console/api.js";
import { renderCharts } from "/console/charts.js";
import { renderTranscript } from "/console/transcript.js";

const $ = (id) => document.getElementById(id);
const LIST_POLL_MS = 15000;
const state = { me: null, selected: null, incident: null, events: null, chartsFor: "", poll: null };

function showError(error) {
  $("error").textContent = error ? String(error.message || error) : "";
}

async function signIn(token) {
  session.token = token;
  try {
    state.me = await api("/v1/me");
  } catch (error) {
    session.token = "";
    $("token").value = "";
    $("token").placeholder = `sign-in failed: ${error.message}`;
    return;
  }
  $("login").hidden = true;
  $("whoami").hidden = false;
  $("who").textContent = `${state.me.name} (${state.me.roles.join(", ")})`;
  const canTrigger = has("operator") || has("admin");
  $("start").hidden = !canTrigger;
  $("ask").hidden = !canTrigger;
  if (canTrigger) await loadScenarios();
  await refreshList();
  // Incidents opened elsewhere (adsh watch, another process) have no event here: poll too.
  if (!state.poll) state.poll = setInterval(() => refreshList().catch(showError), LIST_POLL_MS);
  startEvents();
  if (state.selected) await select(state.selected);
}

function signOut() {
  session.token = "";
  state.me = null;
  if (state.events) state.events.abort();
  clearInterval(state.poll);
  state.poll = null;
  $("login").hidden = false;
  $("whoami").hidden = true;
  $("start").hidden = true;
  $("incidents").innerHTML = '<li class="empty">Sign in to see incidents.</li>';
  $("detail").hidden = true;
  $("placeholder").hidden = false;
  $("live").className = "live";
  $("live").textContent = "offline";
}

const has = (role) => Boolean(state.me && state.me.roles.includes(role));

async function loadScenarios() {
  const rows = await api("/v1/scenarios");
  $("scenario").replaceChildren(...rows.map((row) => {
    const option = document.createElement("option");
    option.value = row.name;
    option.textContent = `${row.name} (${row.risk_level})`;
    return option;
  }));
  $("scenario").value = "certificate-expiry-auth";
}

async function refreshList() {
  const rows = await api("/v1/investigations");
  const list = $("incidents");
  if (!rows.length) {
    list.innerHTML = '<li class="empty">No incidents yet.</li>';
    return;
  }
  list.replaceChildren(...rows.map(listItem));
}

function listItem(row) {
  const li = document.createElement("li");
  li.dataset.id = row.id;
  li.className = row.id === state.selected ? "selected" : "";
  const top = document.createElement("div");
  top.className = "row";
  const id = document.createElement("span");
  id.className = "id";
  id.textContent = row.id;
  top.append(id, badge(row.status, "status"));
  if (row.risk) top.append(badge(row.risk, "risk"));
  const sum = document.createElement("div");
  sum.className = "sum";
  sum.textContent = `${row.scenario || row.kind} · ${row.top_cause || row.summary}`;
  li.append(top, sum);
  li.addEventListener("click", () => select(row.id));
  return li;
}

function badge(text, kind) {
  const span = document.createElement("span");
  span.className = `badge ${text}`;
  span.dataset.kind = kind;
  span.textContent = text;
  return span;
}

async function select(id) {
  state.selected = id;
  for (const li of $("incidents").children) {
    li.classList.toggle("selected", li.dataset.id === id);
  }
  await loadIncident();
}

async function loadIncident() {
  const id = state.selected;
  if (!id || !state.me) return;
  const incident = await api(`/v1/investigations/${id}`);
  const messages = incident.status === "QUEUED" ? [] : await api(`/v1/investigations/${id}/messages`);
  if (id !== state.selected) return;
  state.incident = incident;
  $("placeholder").hidden = true;
  $("detail").hidden = false;
  $("title").textContent = incident.id;
  $("status").className = `badge ${incident.status}`;
  $("status").textContent = incident.status;
  $("risk").className = `badge ${incident.risk ? incident.risk.level : ""}`;
  $("risk").textContent = incident.risk ? `risk ${incident.risk.level}` : "risk –";
  const trigger = incident.trigger || {};
  $("subtitle").textContent = `${trigger.kind} ${trigger.scenario || ""} · ${trigger.summary || ""}` +
    ` · requested by ${incident.requester}`;
  showLlmUsage(incident.llm_usage);
  renderTranscript($("transcript"), incident, messages, {
    canApprove: has("approver") && !incident.busy, decide,
  });
  await loadCharts(incident);
}

function showLlmUsage(usage) {
  const line = $("llm-usage");
  line.hidden = !usage || !usage.calls;
  if (line.hidden) return;
  const tokens = usage.prompt_tokens + usage.completion_tokens;
  line.textContent = `LLM: ${usage.calls} call(s) to ${usage.models.join(", ")} · ` +
    `${tokens} tokens (${usage.prompt_tokens} prompt, ${usage.completion_tokens} completion)` +
    ` · $${usage.cost_usd.toFixed(4)}`;
}

async function loadCharts(incident) {
  const key = `${incident.id}:${incident.status}`;
  if (incident.status === "QUEUED" || !incident.diagnosis || state.chartsFor === key) return;
  state.chartsFor = key;
  try {
    renderCharts($("charts"), await api(`/v1/investigations/${incident.id}/metrics`));
  } catch (error) {
    $("charts").textContent = `charts unavailable: ${error.message}`;
  }
}

async function decide(decision, comment) {
  showError(null);
  try {
    await api(`/v1/investigations/${state.selected}/approvals`, {
      method: "POST", body: { decision, comment },
    });
  } catch (error) {
    showError(error);
  }
  await loadIncident();
}

function startEvents() {
  if (state.events) state.events.abort();
  state.events = new AbortController();
  let pending = null;
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      await Promise.all([refreshList(), loadIncident()]).catch(showError);
    }, 150);
  };
  streamEvents(refresh, (live) => {
    $("live").className = live ? "live on" : "live";
    $("live").textContent = live ? "live" : "reconnecting…";
  }, state.events.signal);
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  signIn($("token").value.trim());
});
$("logout").addEventListener("click", signOut);
$("start").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(null);
  try {
    const accepted = await api("/v1/investigations", {
      method: "POST",
      body: { kind: "scenario", scenario: $("scenario").value, seed: Number($("seed").value) },
    });
    state.selected = accepted.id;
    await refreshList();
    await select(accepted.id);
  } catch (error) {
    showError(error);
  }
});
$("ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("question").value.trim();
  if (!text || !state.selected) return;
  try {
    await api(`/v1/investigations/${state.selected}/messages`, { method: "POST", body: { text } });
    $("question").value = "";
  } catch (error) {
    showError(error);
  }
  await loadIncident();
});

if (session.token) signIn(session.token);
