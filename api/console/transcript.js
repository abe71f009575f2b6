// Renders an incident as a chat transcript: each agent speaks in turn, operators ask.
const AGENT = {
  detect: "Monitor", diagnose: "Monitor", verify: "Monitor", close: "Monitor",
  plan: "Planner",
  review: "Safeguard", notify: "Safeguard", request_approval: "Safeguard",
  record_decision: "Safeguard",
  execute: "Executor", rollback: "Executor",
  learn: "Learner",
};

export function renderTranscript(list, incident, messages, actions) {
  const items = [];
  incident.timeline.forEach((entry, index) => {
    items.push(agentMessage(entry, index, incident, actions));
    for (const m of messages.filter((m) => m.after_entry === index + 1)) items.push(...chat(m));
  });
  for (const m of messages.filter((m) => m.after_entry > incident.timeline.length)) {
    items.push(...chat(m));
  }
  if (!incident.timeline.length) items.push(waiting(incident));
  list.replaceChildren(...items);
  list.scrollTop = list.scrollHeight;
}

function agentMessage(entry, index, incident, actions) {
  const agent = AGENT[entry.node] || "System";
  const li = bubble(agent, agent[0], `${agent}`, entry.node, clock(entry.at), entry.message);
  li.dataset.node = entry.node;
  const details = detailsFor(entry.node, incident);
  if (details.length) li.querySelector(".bubble").appendChild(listOf(details));
  const isLastRequest = entry.node === "request_approval" &&
    incident.timeline.slice(index + 1).every((e) => e.node !== "request_approval");
  if (isLastRequest && incident.pending_approval) {
    li.querySelector(".bubble").appendChild(approvalBox(incident, actions));
  }
  return li;
}

function detailsFor(node, incident) {
  const diagnosis = incident.diagnosis || {};
  if (node === "detect") {
    return (diagnosis.anomalies || []).slice(0, 4).map((a) =>
      `${a.metric} on ${a.service}: ${num(a.observed)} vs ${num(a.baseline)} expected`);
  }
  if (node === "diagnose" && incident.root_causes.length) {
    const [top, ...rest] = incident.root_causes;
    const evidence = top.evidence.slice(0, 5).map((e) => `[${e.kind}] ${e.summary}`);
    const others = rest.slice(0, 2).map((h) =>
      `also considered: ${h.fault_type} at ${h.service} (${h.score.toFixed(2)})`);
    return [...evidence, ...others];
  }
  if (node === "plan" && incident.plan) {
    return incident.plan.steps.map((s) =>
      `${s.name}(${s.target}) — ${s.description || "step"}; undo: ${s.rollback || "none"}`);
  }
  if (node === "review" && incident.risk) {
    const r = incident.risk;
    const factors = Object.entries(r.factors).map(([k, v]) => `${k} ${v}`).join(", ");
    return [`score ${r.score}: ${factors}`, ...r.violations.map((v) => `blocked: ${v}`),
      ...r.warnings.map((w) => `warning: ${w}`)];
  }
  if (node === "verify" && incident.verification) {
    const summary = incident.verification.report.summary;
    return summary && !summary.startsWith("every service") ? [summary] : [];
  }
  return [];
}

function approvalBox(incident, actions) {
  const box = document.createElement("div");
  box.className = "approval";
  const request = incident.pending_approval;
  const note = document.createElement("span");
  note.className = "note";
  note.textContent = `${request.risk_level}: ${request.approved_by.length}/` +
    `${request.required_approvals} approvals` +
    (request.approved_by.length ? ` (${request.approved_by.join(", ")})` : "");
  if (!actions.canApprove) {
    note.textContent += " — waiting for an approver";
    box.appendChild(note);
    return box;
  }
  const comment = document.createElement("input");
  comment.placeholder = "comment (optional)";
  comment.maxLength = 2000;
  const approve = button("Approve", "approve", () => actions.decide("approve", comment.value));
  const reject = button("Reject", "reject", () => actions.decide("reject", comment.value));
  box.append(comment, approve, reject, note);
  return box;
}

function chat(message) {
  const q = bubble("operator", message.author[0].toUpperCase(), message.author, "asked",
    timeOf(message.at), message.question);
  const a = bubble("answer System", "A", "ADSH", message.topic, timeOf(message.at),
    message.answer);
  return [q, a];
}

function waiting(incident) {
  return bubble("System", "…", "ADSH", incident.status, "", "Queued: the agents start shortly.");
}

function bubble(kind, initial, name, node, when, text) {
  const li = document.createElement("li");
  li.className = `msg ${kind}`;
  const avatar = element("div", "avatar", initial);
  const body = element("div", "bubble", "");
  const who = element("div", "who", name);
  who.append(element("span", "node", node), element("time", "", when));
  body.append(who, element("div", "text", text));
  li.append(avatar, body);
  return li;
}

function button(label, kind, onClick) {
  const b = element("button", kind, label);
  b.type = "button";
  b.addEventListener("click", () => { b.disabled = true; onClick(); });
  return b;
}

function listOf(lines) {
  const ul = element("ul", "details", "");
  ul.append(...lines.map((line) => element("li", "", line)));
  return ul;
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text) el.textContent = text;
  return el;
}

const clock = (s) => new Date(s * 1000).toISOString().slice(11, 19);
const timeOf = (s) => new Date(s * 1000).toLocaleTimeString();
const num = (v) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toPrecision(3));
