/* Ankle Coach chat widget. Embed with one tag (see web/README.md):
 *   <script src="widget/ankle-coach.js" data-server="https://coach.example.org:5005" defer></script>
 * Talks to Rasa's socket.io channel with socket.io-client, loaded from this server (no CDN).
 * Renders the product contract: text + buttons, then one {"custom": {...}} payload per answer
 * (urgency banner, exercise cards, plan, sources). Keeps the conversation in localStorage.
 */
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || window.AnkleCoach) return;

  const SOCKET_IO_JS = new URL("../node_modules/socket.io-client/dist/socket.io.min.js", script.src).href;
  const CSS = new URL("ankle-coach.css", script.src).href;
  const SERVER = serverOrigin();
  const SOCKET_PATH = script.getAttribute("data-socket-path") || "/socket.io";
  const STORE_KEY = "ankle-coach:" + SERVER;
  const MAX_HISTORY = 300;
  // What this browser keeps of a conversation expires (data-history-hours, default 24).
  const HISTORY_MS = (Number(script.getAttribute("data-history-hours")) || 24) * 3600 * 1000;
  // The words for the urgency banners and the "can't reach" line come from the knowledge file
  // (knowledge/messages.yml), written to wording.json beside this script at set-up, so every channel
  // says the same. Until it has loaded (or if it can't), a banner names the level only.
  const WORDING_URL = new URL("wording.json", script.src).href;
  let wording = { urgency: {}, unreachable: "" };
  function bannerText(level) {
    return (wording.urgency && wording.urgency[level]) || (level === "self_care" ? "" : level.replace("_", " ").toUpperCase());
  }
  function unreachableText() {
    return wording.unreachable || "Can't reach Ankle Coach right now. Trying again automatically…";
  }

  // The server is an http(s) origin: data-server, or — only on a development page (served from
  // localhost) that opts in with data-server-param="name" — ?name=... in the page URL (the demo page
  // and the tests). A page on a real site can't be pointed at another server by a crafted link.
  function serverOrigin() {
    const development = ["localhost", "127.0.0.1", "[::1]", "::1"].includes(location.hostname);
    const param = development && script.getAttribute("data-server-param");
    const candidates = [param && new URLSearchParams(location.search).get(param), script.getAttribute("data-server")];
    for (const candidate of candidates) {
      try {
        const url = new URL(candidate, location.href);
        if (candidate && (url.protocol === "http:" || url.protocol === "https:")) return url.origin;
      } catch (e) { /* not a URL: try the next one */ }
    }
    return (location.protocol === "https:" ? "https:" : "http:") + "//" + (location.hostname || "127.0.0.1") + ":5005";
  }

  // ---- stored state: {sessionId, open, history: [{from: "user", text} | {from: "bot", msg}]}
  let state = loadState();
  function loadState() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE_KEY)) || {};
      if (!saved.savedAt || Date.now() - saved.savedAt > HISTORY_MS) {  // expired: keep nothing
        localStorage.removeItem(STORE_KEY);
        return { sessionId: null, open: !!saved.open, history: [] };
      }
      return { sessionId: saved.sessionId || null, open: !!saved.open, history: Array.isArray(saved.history) ? saved.history : [] };
    } catch (e) {
      return { sessionId: null, open: false, history: [] };
    }
  }
  function saveState() {
    state.history = state.history.slice(-MAX_HISTORY);
    state.savedAt = Date.now();
    try { localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode: no persistence */ }
  }

  // ---- DOM helpers
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }
  const asText = (item) => (typeof item === "string" ? item : String((item && (item.name || item.id)) || ""));
  const listItem = (item) => (typeof item === "string" || !item.dose ? el("li", { text: asText(item) })
    : el("li", {}, [el("span", { class: "ac-item-name", text: item.name }), " — ", el("span", { class: "ac-item-dose", text: item.dose })]));
  const list = (tag, items, cls) => el(tag, { class: cls }, (items || []).map(listItem));

  // Text: blank lines separate paragraphs; within one, runs of "•"/"-"/"*" lines become a bullet
  // list and runs of "1." lines a numbered list; other lines keep their line breaks.
  const BULLET = /^\s*[•\-*]\s+/;
  const NUMBER = /^\s*\d+[.)]\s+/;
  function renderText(text) {
    const frag = document.createDocumentFragment();
    for (const block of String(text).split(/\n\s*\n/)) {
      const groups = [];
      for (const line of block.split("\n").filter((l) => l.trim())) {
        const kind = BULLET.test(line) ? "ul" : NUMBER.test(line) ? "ol" : "p";
        const last = groups[groups.length - 1];
        if (last && last.kind === kind) last.lines.push(line);
        else groups.push({ kind, lines: [line] });
      }
      for (const { kind, lines } of groups) {
        if (kind === "p") {
          frag.appendChild(el("p", { class: /^Sources?:/.test(lines[0].trim()) ? "ac-source-line" : null, text: lines.join("\n") }));
        } else {
          const node = list(kind, lines.map((line) => line.replace(kind === "ul" ? BULLET : NUMBER, "")));
          if (kind === "ol") node.start = parseInt(lines[0], 10) || 1;
          frag.appendChild(node);
        }
      }
    }
    return frag;
  }

  // ---- the widget
  const launcher = el("button", { type: "button", class: "ac-launcher", "aria-expanded": "false", "aria-controls": "ankle-coach-panel" },
    [el("span", { class: "ac-launcher-icon", "aria-hidden": "true" }), "Ask Ankle Coach"]);
  launcher.firstChild.innerHTML = '<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" ' +
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg>';
  const closeBtn = el("button", { type: "button", class: "ac-icon-btn", "aria-label": "Close chat", text: "×" });
  const restartBtn = el("button", { type: "button", class: "ac-text-btn", text: "Start over" });
  const status = el("p", { class: "ac-status", role: "status" });
  const log = el("div", { class: "ac-log", role: "log", "aria-live": "polite", "aria-label": "Conversation with Ankle Coach", tabindex: "0" });
  const typing = el("div", { class: "ac-typing", hidden: true }, [el("span", { class: "ac-visually-hidden", text: "Ankle Coach is typing" }),
    el("span", { class: "ac-dot", "aria-hidden": "true" }), el("span", { class: "ac-dot", "aria-hidden": "true" }), el("span", { class: "ac-dot", "aria-hidden": "true" })]);
  const input = el("input", { id: "ankle-coach-input", type: "text", class: "ac-input", autocomplete: "off", enterkeyhint: "send",
    placeholder: "Ask about your ankle…" });
  const form = el("form", { class: "ac-form" }, [el("label", { for: "ankle-coach-input", class: "ac-visually-hidden", text: "Your message" }),
    input, el("button", { type: "submit", class: "ac-send", text: "Send" })]);
  const panel = el("section", { id: "ankle-coach-panel", class: "ac-panel", "aria-label": "Ankle Coach chat", hidden: true }, [
    el("header", { class: "ac-header" }, [
      el("div", { class: "ac-heading" }, [el("h2", { class: "ac-title", text: "Ankle Coach" }),
        el("p", { class: "ac-subtitle", text: "General advice for runners — not a diagnosis" })]),
      restartBtn, closeBtn]),
    status, log, typing, form]);
  const root = el("div", { class: "ankle-coach" }, [panel, launcher]);

  // ---- rendering messages
  let turn = null; // the latest bot turn, which the next custom payload belongs to

  function scrollTo(node) {
    const top = node.offsetTop - log.offsetTop - 8;
    log.scrollTop = node.offsetHeight > log.clientHeight ? top : log.scrollHeight;
  }

  function addUser(text) {
    const node = el("div", { class: "ac-turn ac-user" }, [el("p", { class: "ac-bubble", text: text })]);
    log.appendChild(node);
    turn = null;
    scrollTo(node);
  }

  function newTurn() {
    const body = el("div", { class: "ac-body" });
    const node = el("div", { class: "ac-turn ac-bot" }, [body]);
    log.appendChild(node);
    turn = { node, body, custom: false };
    return turn;
  }

  function addBot(msg, live) {
    const t = newTurn();
    if (msg.text) t.body.appendChild(el("div", { class: "ac-bubble" }, [renderText(msg.text)]));
    const image = msg.image || (msg.attachment && msg.attachment.type === "image" && msg.attachment.payload && msg.attachment.payload.src);
    if (image) t.body.appendChild(el("img", { class: "ac-image", src: image, alt: "" }));
    const buttons = msg.buttons || msg.quick_replies || [];
    if (buttons.length) {
      t.node.appendChild(el("div", { class: "ac-replies", role: "group", "aria-label": "Suggested replies" },
        buttons.map((b) => {
          const btn = el("button", { type: "button", class: "ac-reply", text: b.title });
          btn.addEventListener("click", (event) => {
            send(b.payload, b.title);
            if (event.detail === 0) input.focus(); // from the keyboard: ready to type (no phone keyboard pop-up on taps)
          });
          return btn;
        })));
    }
    if (live) scrollTo(t.node);
  }

  function addCustom(custom, live) {
    const t = turn && !turn.custom ? turn : newTurn();
    t.custom = true;
    const warning = typeof custom.urgency === "string" && custom.urgency !== "self_care" && bannerText(custom.urgency);
    if (warning) {
      const banner = el("div", { class: "ac-banner ac-banner-" + custom.urgency, role: live ? "alert" : null },
        [el("span", { class: "ac-banner-icon", "aria-hidden": "true", text: custom.urgency === "soon" ? "ℹ" : "⚠" }),
          el("strong", { text: warning })]);
      t.node.insertBefore(banner, t.node.firstChild);
    }
    const extras = document.createDocumentFragment();
    if (Array.isArray(custom.exercises) && custom.exercises.length) {
      extras.appendChild(el("div", { class: "ac-cards" }, custom.exercises.map((ex) => exerciseCard(ex, custom.exercises.length === 1))));
    }
    if (custom.plan && typeof custom.plan === "object") extras.appendChild(planView(custom.plan));
    const sources = Array.isArray(custom.sources) ? custom.sources.filter(Boolean) : [];
    if (sources.length) {
      t.node.classList.add("ac-has-sources"); // the structured list replaces a "Source: ..." line in the text
      extras.appendChild(el("p", { class: "ac-sources" }, [el("strong", { text: sources.length > 1 ? "Sources: " : "Source: " }), sources.join("; ")]));
    }
    t.body.appendChild(extras);
    if (live) scrollTo(t.node);
  }

  function exerciseCard(ex, open) {
    const equipment = Array.isArray(ex.equipment) ? ex.equipment.join(", ") : ex.equipment;
    return el("article", { class: "ac-card" }, [
      el("h3", { class: "ac-card-title", text: ex.name || ex.id }),
      ex.trains && el("p", { class: "ac-card-trains", text: ex.trains }),
      el("dl", { class: "ac-card-facts" }, [
        ex.dose && el("dt", { text: "Dose" }), ex.dose && el("dd", { text: ex.dose }),
        el("dt", { text: "Equipment" }), el("dd", { text: equipment || "None" })]),
      Array.isArray(ex.steps) && ex.steps.length && el("details", { class: "ac-steps", open: open },
        [el("summary", { text: "How to do it" }), list("ol", ex.steps)]),
      ex.why && el("p", { class: "ac-card-why", text: "Why: " + ex.why }),
    ]);
  }

  function planView(plan) {
    const parts = [el("h3", { class: "ac-plan-title", text: plan.title || "Your plan" })];
    if (Array.isArray(plan.days)) {
      parts.push(el("ol", { class: "ac-plan-days" }, plan.days.map((day) => el("li", { class: "ac-plan-day" }, [
        el("p", { class: "ac-plan-head" }, [el("strong", { text: "Day " + (day.day || "") }), day.focus ? " — " + day.focus : "",
          typeof day.run === "boolean" && el("span", { class: "ac-tag" + (day.run ? " ac-tag-run" : ""), text: day.run ? "Run" : "No running" })]),
        list("ul", day.exercises, "ac-plan-list")]))));
    }
    if (Array.isArray(plan.stages)) {
      parts.push(el("ol", { class: "ac-plan-days" }, plan.stages.map((stage) => el("li", { class: "ac-plan-day" }, [
        el("p", { class: "ac-plan-head" }, [el("strong", { text: stage.name || "Stage" }),
          stage.id && stage.id === plan.start_stage && el("span", { class: "ac-tag ac-tag-run", text: "Start here" })]),
        stage.goal && el("p", { class: "ac-plan-goal", text: "Goal: " + stage.goal }),
        list("ul", (stage.activities || []).concat(stage.exercises || []), "ac-plan-list"),
        stage.advance_when && stage.advance_when.length && el("p", { class: "ac-plan-sub", text: "Move on when:" }),
        list("ul", stage.advance_when, "ac-plan-list")]))));
    }
    return el("section", { class: "ac-plan", "aria-label": plan.title || "Plan" }, parts);
  }

  function render(entry, live) {
    try {
      if (entry.from === "user") addUser(entry.text);
      else if (entry.msg && entry.msg.custom && typeof entry.msg.custom === "object") addCustom(entry.msg.custom, live);
      else if (entry.msg) addBot(entry.msg, live);
    } catch (e) {
      console.error("Ankle Coach: could not show a message", e, entry);
    }
  }
  function record(entry) {
    state.history.push(entry);
    saveState();
    render(entry, true);
  }

  // ---- connection
  let socket = null;
  let ready = false; // connected and the session confirmed
  let greet = false; // ask the bot for its greeting once the new session is confirmed
  const pending = [];
  let typingTimer = null;

  function setStatus(text) {
    status.textContent = text;
    status.hidden = !text;
  }
  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(() => showTyping(false), 30000);
  }

  function emit(message) {
    socket.emit("user_uttered", { message, session_id: state.sessionId });
    showTyping(true);
  }
  function send(message, shown) {
    message = String(message || "").trim();
    if (!message) return;
    record({ from: "user", text: shown || message });
    if (ready) emit(message);
    else pending.push(message);
  }

  function requestSession() {
    ready = false;
    greet = !state.sessionId;
    socket.emit("session_request", { session_id: state.sessionId });
  }

  function connect() {
    if (socket) return;
    if (!window.io) {
      const loader = el("script", { src: SOCKET_IO_JS, async: true });
      loader.onload = connect;
      loader.onerror = () => setStatus("Can't load the chat right now. Please reload the page later.");
      document.head.appendChild(loader);
      return;
    }
    socket = window.io(SERVER, { path: SOCKET_PATH });
    socket.on("connect", () => {
      setStatus("");
      requestSession();
    });
    socket.on("session_confirm", (sessionId) => {
      state.sessionId = typeof sessionId === "string" ? sessionId : (sessionId && sessionId.session_id) || state.sessionId;
      saveState();
      ready = true;
      if (greet && !pending.length) emit("hi"); // a new conversation: the bot introduces itself
      greet = false;
      while (pending.length) emit(pending.shift());
    });
    socket.on("bot_uttered", (msg) => {
      if (!msg || typeof msg !== "object") return;
      showTyping(false);
      if (msg.custom && msg.custom.forgotten) { startAfresh(lastBotText); return; }  // erased there: here too
      if (typeof msg.text === "string") lastBotText = msg.text;
      if (forgetting) return;  // the confirmation comes with the payload above
      record({ from: "bot", msg });
    });
    socket.on("session_error", () => { state.sessionId = null; saveState(); requestSession(); });
    socket.on("connect_error", () => { ready = false; showTyping(false); setStatus(unreachableText()); });
    socket.on("disconnect", (reason) => {
      ready = false;
      showTyping(false);
      setStatus(unreachableText());
      if (reason === "io server disconnect") socket.connect(); // the server hung up: reconnect ourselves
    });
  }

  // ---- opening, closing, restarting
  function setOpen(open, focus) {
    panel.hidden = !open;
    root.classList.toggle("ac-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    state.open = open;
    saveState();
    if (open) {
      connect();
      log.scrollTop = log.scrollHeight;
      if (focus) input.focus();
    } else if (focus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", () => setOpen(panel.hidden, true));
  closeBtn.addEventListener("click", () => setOpen(false, true));
  panel.addEventListener("keydown", (event) => { if (event.key === "Escape") setOpen(false, true); });
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("[data-ankle-coach-open]")) { event.preventDefault(); setOpen(true, true); }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
  });
  // "Start over" erases the conversation on the server ("/forget"), then here, then starts a new one.
  let forgetting = false;
  let lastBotText = null;
  function startAfresh(note) {
    forgetting = false;
    state = { sessionId: null, open: true, history: [] };
    saveState();
    renderHistory();
    if (note) record({ from: "bot", msg: { text: note } });  // "Done - I've deleted our conversation ..."
    pending.length = 0;
    if (socket && socket.connected) requestSession();
  }
  restartBtn.addEventListener("click", () => {
    if (socket && socket.connected && ready && state.sessionId) {
      forgetting = true;
      socket.emit("user_uttered", { message: "/forget", session_id: state.sessionId });
    } else {
      startAfresh();
    }
    input.focus();
  });

  function renderHistory() {
    log.textContent = "";
    turn = null;
    state.history.forEach((entry) => render(entry, false)); // replayed, so no alerts
    log.scrollTop = log.scrollHeight;
  }
  // Another tab of this site wrote the conversation: follow it (a new session after "Start over",
  // or messages sent there), so a stale tab never overwrites a newer conversation.
  window.addEventListener("storage", (event) => {
    if (event.key !== STORE_KEY) return;
    const other = loadState();
    if (other.sessionId === state.sessionId && other.history.length <= state.history.length) return;
    const newSession = other.sessionId !== state.sessionId;
    state = Object.assign(other, { open: state.open });
    renderHistory();
    if (newSession && state.sessionId && socket && socket.connected) requestSession();
  });

  document.head.appendChild(el("link", { rel: "stylesheet", href: CSS }));
  renderHistory(); // before the widget is in the page: not announced again
  setStatus("");
  fetch(WORDING_URL)
    .then((response) => (response.ok ? response.json() : null))
    .then((loaded) => {
      if (!loaded || typeof loaded !== "object") return;
      wording = loaded;
      renderHistory(); // the banners shown so far, now in the knowledge file's words
    })
    .catch(() => { /* keep the level names */ });
  function mount() {
    document.body.appendChild(root);
    if (state.open) setOpen(true, false);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  window.AnkleCoach = { open: () => setOpen(true, true), close: () => setOpen(false, true), server: SERVER };
})();
