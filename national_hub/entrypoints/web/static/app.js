// settlenet hub web view: one page per tab, kept live by the hub's server-sent events.
// No framework, no build step, nothing fetched from anywhere but this hub.
"use strict";

const $ = (sel) => document.querySelector(sel);

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function yuan(fen) {
  const n = Number(fen || 0);
  const sign = n < 0 ? "-" : "";
  const a = Math.abs(n);
  return sign + Math.trunc(a / 100).toLocaleString("en-US") + "." + String(a % 100).padStart(2, "0");
}

function fill(table, rows, empty) {
  const body = table.tBodies[0];
  body.replaceChildren(...rows);
  if (!rows.length && empty) {
    const cols = table.tHead ? table.tHead.rows[0].cells.length : 1;
    body.append(h("tr", {}, h("td", { colspan: cols, class: "empty" }, empty)));
  }
}

async function getJSON(url) {
  const r = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  const doc = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(doc.error || r.statusText);
  return doc;
}

// ---- pages ------------------------------------------------------------------------------

let page = "network";
let snapshot = null;
let lastSeq = -1;
let settlementQuery = "";
let clearingMonth = "";
let filingsQuery = null;
let tick = 0;

function show(name) {
  page = ["network", "settlement", "advances", "clearing", "filings"].includes(name) ? name : "network";
  for (const s of document.querySelectorAll(".page")) s.hidden = s.id !== "page-" + page;
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.page === page);
  if (page === "filings" && filingsQuery === null) loadFilings("");
  if (page === "clearing" && !clearingMonth) {
    clearingMonth = (snapshot ? snapshot.at : new Date().toISOString()).slice(0, 7);
    $("#clearing-month").value = clearingMonth;
    loadClearing(false);
  }
}

function route() {
  const [name, query] = location.hash.slice(1).split("?");
  show(name);
  const q = new URLSearchParams(query || "").get("q");
  if (page === "settlement" && q && q !== settlementQuery) {
    $("#settle-q").value = q;
    loadSettlement(q);
  }
}

// ---- network ----------------------------------------------------------------------------

function renderNarration(list) {
  const box = $("#narration");
  box.hidden = !list || !list.length;
  if (box.hidden) return;
  $("#narration-steps").replaceChildren(...list.map((x, i) => h("li", { class: i === list.length - 1 ? "latest" : "", value: x.n, "data-step": x.key },
    x.text, x.setl_id ? h("a", { href: "#settlement?q=" + encodeURIComponent(x.setl_id) }, ` → ${x.setl_id}`) : null)));
}

function renderNetwork(s) {
  renderNarration(s.narration);
  const c = s.counters;
  $("#c-routed").textContent = c.routed;
  $("#c-settled").textContent = c.settled;
  $("#c-revoked").textContent = c.revoked;
  $("#c-errors").textContent = c.errors;
  $("#c-in-doubt").textContent = c.in_doubt;
  const hub = s.hub;
  fill($("#nodes"), [
    h("tr", { "data-node": "hub" }, h("td", {}, "—"), h("td", {}, "国家平台 national hub"), h("td", {}, hub.role),
      h("td", { class: "mono" }, hub.endpoint), h("td", { class: "SERVING" }, "SERVING"), h("td", {}, hub.version), h("td", {}, "")),
    ...s.nodes.map((n) => h("tr", { "data-node": n.code },
      h("td", {}, n.code), h("td", {}, n.name), h("td", {}, n.role), h("td", { class: "mono" }, n.endpoint),
      h("td", { class: n.health === "SERVING" ? "SERVING" : "bad-health" }, n.health),
      h("td", {}, n.version || "—"), h("td", {}, n.registered_at))),
  ]);
  const codes = [...new Set([...s.nodes.map((n) => n.code), ...s.pairs.flatMap((p) => [p.treatment, p.insured])])].sort();
  const by = new Map(s.pairs.map((p) => [p.treatment + "-" + p.insured, p]));
  const m = $("#matrix");
  m.tHead.replaceChildren(h("tr", {}, h("th", {}, "就医地 \\ 参保地"), ...codes.map((c) => h("th", {}, c))));
  m.tBodies[0].replaceChildren(...codes.map((t) => h("tr", {}, h("th", {}, t), ...codes.map((i) => {
    const p = by.get(t + "-" + i);
    if (!p) return h("td", { "data-pair": t + "-" + i }, "·");
    return h("td", { "data-pair": t + "-" + i, "data-rate": p.settlements_per_s, class: p.errors ? "bad" : p.messages ? "busy" : "" },
      `${p.settlements_per_s}/s · ${p.p99_ms} ms · ${p.errors}`);
  }))));
  fill($("#pairs"), s.pairs.map((p) => h("tr", { "data-pair": p.treatment + "-" + p.insured },
    h("td", {}, p.treatment), h("td", {}, p.insured), h("td", { class: "num rate" }, p.settlements_per_s),
    h("td", { class: "num" }, p.settlements), h("td", { class: "num" }, p.messages),
    h("td", { class: "num" }, p.p99_ms), h("td", { class: "num" }, p.errors))), "最近 5 分钟无报文 · nothing routed in the last 5 minutes");
  fill($("#in-doubt"), s.in_doubt.map((f) => h("tr", {},
    h("td", { class: "mono" }, h("a", { href: "#settlement?q=" + encodeURIComponent(f.msgid) }, f.msgid)), h("td", {}, f.infno), h("td", {}, f.downstream || f.insuplc_admdvs),
    h("td", { class: "mono" }, f.psn_no), h("td", {}, f.state), h("td", { class: "num" }, f.attempts), h("td", {}, f.created_at))),
    "无 · none");
  fill($("#resolved"), (s.resolved || []).map((f) => h("tr", {},
    h("td", { class: "mono" }, h("a", { href: "#settlement?q=" + encodeURIComponent(f.msgid) }, f.msgid)), h("td", {}, f.infno),
    h("td", {}, f.downstream || f.insuplc_admdvs), h("td", {}, f.state), h("td", {}, f.outcome),
    h("td", { class: "num" }, f.attempts), h("td", {}, f.resolved_at))), "无 · none");
}

// ---- advances ---------------------------------------------------------------------------

function renderAdvances(list) {
  fill($("#advances"), list.map((a) => h("tr", { "data-province": a.province, "data-level": a.level },
    h("td", {}, a.province), h("td", { class: "num" }, yuan(a.size_fen)), h("td", { class: "num" }, yuan(a.used_fen)),
    h("td", { class: "num" }, yuan(a.available_fen)),
    h("td", {}, h("div", { class: "bar", title: a.used_ratio },
      h("i", { style: `width:${Math.min(100, a.used_bp / 100)}%` }), h("span", { class: "y" }), h("span", { class: "r" })),
      ` ${(a.used_bp / 100).toFixed(2)}%`),
    h("td", {}, h("span", { class: "level level-" + a.level }, { green: "正常 green", yellow: "黄色 yellow", red: "红色 red", exhausted: "耗尽 exhausted" }[a.level] || a.level)),
    h("td", { class: "num" }, yuan(a.pending_top_up_fen)), h("td", { class: "num" }, a.flagged_count))),
    "尚无预付金 · no advance yet");
  fill($("#holds"), list.flatMap((a) => a.holds.map((x) => h("tr", {},
    h("td", {}, a.province), h("td", { class: "mono" }, x.id), h("td", { class: "num" }, yuan(x.amount_fen)),
    h("td", {}, x.outcome), h("td", { class: "num" }, yuan(x.posted_fen))))), "无 · none");
}

// ---- settlement -------------------------------------------------------------------------

const SPLIT = [
  ["medfee_sumamt", "医疗费总额 total"],
  ["fulamt_ownpay_amt", "全自费 fully self-paid"],
  ["overlmt_selfpay", "超限价自费 over price cap"],
  ["preselfpay_amt", "先行自付 pre-self-pay"],
  ["inscp_scp_amt", "符合范围 in scope"],
  ["act_pay_dedc", "起付线 deductible"],
  ["hifp_pay", "统筹基金 pooled fund"],
  ["cvlserv_pay", "公务员补助 civil servant"],
  ["hifmi_pay", "大病保险 critical illness"],
  ["maf_pay", "医疗救助 medical assistance"],
  ["oth_pay", "其他 other"],
  ["fund_pay_sumamt", "基金支付 funds pay"],
  ["acct_pay", "个人账户 personal account"],
  ["psn_cash_pay", "个人现金 cash"],
  ["balc", "账户余额 account balance after"],
];

async function loadSettlement(q) {
  if (q !== settlementQuery) loaded.delete("settlement");
  settlementQuery = q;
  const out = $("#settle-result");
  if (!q) { out.replaceChildren(); return; }
  try {
    renderSettlement(await getJSON("/api/settlement?q=" + encodeURIComponent(q)));
  } catch (e) {
    out.replaceChildren(h("p", { class: "bad" }, String(e.message || e)));
  }
}

const CLASS = { "01": "甲 A", "02": "乙 B", "03": "丙 C" };

function renderSettlement(doc) {
  const out = $("#settle-result");
  if (!doc.found) {
    out.replaceChildren(h("p", { class: "empty", id: "settle-none" }, `未找到 nothing found for ${doc.query}`));
    return;
  }
  const parts = [];
  if (doc.visits.length > 1) {
    parts.push(h("p", {}, "其他就诊 other visits: ", ...doc.visits.slice(1).map((v) =>
      h("a", { href: "#settlement?q=" + encodeURIComponent(v.mdtrt_id) }, `${v.mdtrt_id} (${v.setl_time}) `))));
  }
  if (!doc.records.length && doc.routed.length) {
    parts.push(h("div", { class: "card" }, h("h3", {}, "路由记录 routed (no settlement recorded)"), routedTable(doc.routed)));
  }
  const revoked = doc.records.some((r) => r.settlement.refd_setl_flag === "1");
  const original = doc.records.find((r) => r.settlement.refd_setl_flag !== "1") || doc.records[0];
  if (original) {
    const s = original.settlement;
    parts.push(h("div", { class: "card" },
      h("h3", {}, "结算 Settlement ", h("span", { class: "mono" }, s.setl_id), " ",
        h("span", { id: "settle-state", class: "state" + (revoked ? " revoked" : ""), "data-state": revoked ? "revoked" : "settled" },
          revoked ? "已冲销 revoked" : "有效 settled")),
      h("p", {}, `就诊 mdtrt_id ${s.mdtrt_id} · 人员 psn_no ${s.psn_no} · 机构 ${s.fixmedins_code} · 就医地 ${s.mdtrtarea_admvs} → 参保地 ${s.insuplc_admdvs} · ${s.setl_time} · msgid ${original.msgid}`)));
  }
  for (const r of doc.records) parts.push(recordCard(r));
  parts.push(h("div", { class: "card", id: "fee-lines" }, h("h3", {}, "目录项目 Catalogue entries used (5204, from the place of treatment)"),
    doc.fee_lines && doc.fee_lines.length
      ? table(["编码 med_list_codg", "名称 Name", "甲乙丙 Class", "数量 cnt", "单价 pric", "金额 Amount", "限价 Price cap", "自付比例 selfpay_prop", "全自费 Fully self-paid", "超限价 Over cap", "先行自付 Pre-self-pay", "符合范围 In scope"],
        doc.fee_lines.map((l) => [l.med_list_codg, l.med_list_name, CLASS[l.chrgitm_lv] || l.chrgitm_lv, l.cnt, yuan(l.pric), yuan(l.det_item_fee_sumamt),
          l.pric_uplmt_amt ? yuan(l.pric_uplmt_amt) : "—", l.selfpay_prop, yuan(l.fulamt_ownpay_amt), yuan(l.overlmt_amt), yuan(l.preselfpay_amt), yuan(l.inscp_scp_amt)]))
      : h("p", { class: doc.fee_error ? "bad" : "empty" }, doc.fee_error || "—")));
  parts.push(h("div", { class: "card" }, h("h3", {}, "各节点记录 What each node recorded"),
    doc.nodes.length ? table(["省 Province", "角色 Role", "setl_id", "时间 Time", "总额 Total", "基金 Funds", "账户 Account", "现金 Cash", ""],
      doc.nodes.map((n) => n.record
        ? [n.province, n.role, n.record.setl_id, n.record.setl_time, yuan(n.record.medfee_sumamt), yuan(n.record.fund_pay_sumamt), yuan(n.record.acct_pay), yuan(n.record.psn_cash_pay), ""]
        : [n.province, n.role, "", "", "", "", "", "", n.error])) : h("p", { class: "empty" }, "—"),
    doc.insured_status ? h("p", {}, `参保地 5203 状态 insured node's status of the msgid: ${doc.insured_status.state}` +
      (doc.insured_status.reversal ? ` · 冲销 reversed by ${doc.insured_status.reversal.setl_id}` : "")) : null,
    doc.insured_error ? h("p", { class: "bad" }, "参保地 5203: " + doc.insured_error) : null));
  out.replaceChildren(...parts);
}

function recordCard(r) {
  const s = r.settlement;
  const a = r.answer && r.answer.setlinfo;
  const kids = [h("h3", {}, s.refd_setl_flag === "1" ? "冲销记录 Revocation record " : "结算记录 Settlement record ",
    h("span", { class: "mono" }, s.setl_id), ` · ${s.setl_time}`)];
  if (a && a.setl_id) {
    const rows = SPLIT.map(([k, label]) => h("tr", { "data-field": k }, h("td", {}, label), h("td", { class: "mono" }, k), h("td", { class: "num", "data-fen": a[k] }, yuan(a[k]))));
    const sum = a.fund_pay_sumamt + a.acct_pay + a.psn_cash_pay;
    const good = sum === a.medfee_sumamt;
    kids.push(h("table", { class: "split" }, h("thead", {}, h("tr", {}, h("th", {}, "分项 Item"), h("th", {}, "字段 Field"), h("th", {}, "金额 Amount (元)"))), h("tbody", {}, rows)));
    kids.push(h("p", { class: "split-check " + (good ? "ok" : "bad"), "data-adds-up": good ? "yes" : "no" },
      `基金 + 账户 + 现金 = ${yuan(a.fund_pay_sumamt)} + ${yuan(a.acct_pay)} + ${yuan(a.psn_cash_pay)} = ${yuan(sum)} ` +
      (good ? "= 总额 total ✓" : `≠ 总额 total ${yuan(a.medfee_sumamt)} ✗`)));
    if (a.setldetail && a.setldetail.length) {
      kids.push(h("h3", {}, "基金分项 Funds (setldetail)"),
        table(["fund_pay_type", "名称 Name", "范围 In scope", "可支付限额 Limit", "支付 Pays"],
          a.setldetail.map((d) => [d.fund_pay_type, d.fund_pay_type_name, yuan(d.inscp_scp_amt), yuan(d.crt_payb_lmt_amt), yuan(d.fund_payamt)])));
    }
    if (a.setl_proc_info && a.setl_proc_info.length) {
      kids.push(h("h3", {}, "计算步骤 setl_proc_info"),
        h("ol", { class: "steps" }, a.setl_proc_info.map((st) => h("li", {}, h("b", {}, st.step), ` ${st.desc} `, h("span", { class: "mono" }, `(${yuan(st.amount)})`)))));
    }
    const policy = [a.insutype && `险种 insutype ${a.insutype}`, a.pool_prop_selfpay && `自付比例 ${a.pool_prop_selfpay}`,
      a.filing_category && `备案 filing ${a.filing_category} ${a.filing_id}`, a.ratio_reduction && `降低比例 ${a.ratio_reduction}`].filter(Boolean);
    if (policy.length) kids.push(h("p", {}, policy.join(" · ")));
  } else {
    kids.push(h("p", {}, `总额 ${yuan(s.medfee_sumamt)} · 基金 ${yuan(s.fund_pay_sumamt)} · 账户 ${yuan(s.acct_pay)} · 现金 ${yuan(s.psn_cash_pay)}`));
  }
  const c = r.claim;
  if (c) {
    kids.push(h("h3", {}, "转发的申请 Claim as the hub forwarded it"),
      table(["infno", "险种 insutype", "医疗类别 med_type", "机构等级 medins_lv", "结算日期 setl_date (policy period)", "个人账户 acct_used_flag", "总额 Total", "符合范围 In scope"],
        [[c.header ? c.header.infno : "", c.insutype || "", c.med_type || "", c.medins_lv || "", c.setl_date || "", c.acct_used_flag || "",
          c.medfee_sumamt !== undefined ? yuan(c.medfee_sumamt) : "", c.inscp_scp_amt !== undefined ? yuan(c.inscp_scp_amt) : ""]]));
  }
  kids.push(h("h3", {}, "路由 Path through the hub"), routedTable(r.routed));
  kids.push(h("h3", {}, "国家平台记账 Hub ledger postings"),
    r.postings.length ? table(["id", "借 Debit", "贷 Credit", "金额 Amount", "类型 Kind"], r.postings.map((t) => [t.id, t.debit, t.credit, yuan(t.amount_fen), t.kind]))
      : h("p", { class: "empty" }, "无 none"));
  return h("div", { class: "card record", "data-setl-id": s.setl_id, "data-revocation": s.refd_setl_flag === "1" ? "yes" : "no" }, kids);
}

function routedTable(list) {
  return table(["时间 Routed at", "msgid", "infno", "就医地 From", "参保地 To", "结果 Outcome", "耗时 ms"],
    list.map((m) => [m.routed_at, m.msgid, m.infno, m.from_province, m.to_province,
      m.error_message ? `${m.outcome}${m.error_reason ? " " + m.error_reason : ""}: ${m.error_message}` : m.outcome, m.latency_ms]));
}

function table(heads, rows) {
  return h("table", {}, h("thead", {}, h("tr", {}, heads.map((x) => h("th", {}, x)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))));
}

// ---- clearing ---------------------------------------------------------------------------

async function loadClearing(reconcile) {
  const out = $("#clearing-result");
  if (!clearingMonth) return;
  try {
    const doc = await getJSON(`/api/clearing?month=${encodeURIComponent(clearingMonth)}${reconcile ? "&reconcile=1" : ""}`);
    const parts = [h("p", {}, doc.cleared ? `已清算 cleared at ${doc.cleared_at}` : "未清算 not cleared yet (the hub's records so far)")];
    parts.push(h("h2", {}, "省对矩阵 Pairs (参保地 insured → 就医地 treatment)"),
      doc.matrix.length ? table(["参保地 Insured", "就医地 Treatment", "笔数 Count", "基金+账户 Funds+account"], doc.matrix.map((m) => [m.insured, m.treatment, m.count, yuan(m.fund_fen)]))
        : h("p", { class: "empty" }, "无 none"));
    if (doc.statements.length) {
      parts.push(h("h2", {}, "结算单 Statements"),
        table(["省 Province", "应付 Payable", "应收 Receivable", "确认 Confirmed"], doc.statements.map((s) => [s.province, yuan(s.payable_fen), yuan(s.receivable_fen), s.confirmed_at ? `✓ ${s.confirmed_at}` : "未确认 not yet"])));
    }
    const diffs = doc.differences;
    const badDays = new Set((diffs || []).map((d) => d.day));
    parts.push(h("h2", {}, "按日 Per day"),
      table(["日期 Day", "笔数 Count", "基金+账户 Funds+account", "对账 Reconciliation"], doc.days.map((d) => [d.day, d.count, yuan(d.fund_fen),
        diffs === undefined ? "—（点击对账 press Reconcile）" : badDays.has(d.day) ? "✗ 不一致 differs" : "✓ 一致 matches"])));
    if (diffs && diffs.length) parts.push(h("ul", {}, diffs.map((d) => h("li", { class: "bad" }, d.text))));
    if (diffs && !diffs.length) parts.push(h("p", { class: "ok" }, "与所有节点一致 · every node agrees with the hub"));
    out.replaceChildren(...parts);
  } catch (e) {
    out.replaceChildren(h("p", { class: "bad" }, String(e.message || e)));
  }
}

// ---- filings ----------------------------------------------------------------------------

async function loadFilings(q) {
  filingsQuery = q;
  try {
    const doc = await getJSON("/api/filings?q=" + encodeURIComponent(q));
    fill($("#filings"), doc.events.map((e) => {
      const f = e.filing || {};
      const content = Object.entries(f).filter(([, v]) => v !== "" && v !== 0 && !(Array.isArray(v) && !v.length)).slice(0, 8).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ");
      return h("tr", {}, h("td", {}, e.received_at), h("td", {}, e.infno), h("td", { class: "mono" }, e.psn_no),
        h("td", {}, e.insuplc_admdvs), h("td", {}, e.dest_admdvs || f.dest_admdvs || ""), h("td", {}, e.channel || f.channel || ""), h("td", { class: "mono" }, content));
    }), "无备案 · no filing");
  } catch (e) {
    fill($("#filings"), [h("tr", {}, h("td", { colspan: 7, class: "bad" }, String(e.message || e)))]);
  }
}

// ---- live -------------------------------------------------------------------------------

function onSnapshot(s) {
  snapshot = s;
  tick += 1;
  $("#clock").textContent = s.at;
  renderNetwork(s);
  renderAdvances(s.advances);
  lastSeq = s.seq;
  // Pages that ask the hub (and through it the nodes) again once something new was routed: at
  // most one request at a time and one every 2 s under load; a later snapshot catches up.
  if (page === "settlement" && settlementQuery) refresh("settlement", s.seq, () => loadSettlement(settlementQuery));
  if (page === "clearing" && clearingMonth) refresh("clearing", s.seq, () => loadClearing(false));
  if (page === "filings" && tick % 5 === 0) refresh("filings", tick, () => loadFilings(filingsQuery || ""));
}

const loaded = new Map();
function refresh(name, seq, load) {
  const now = Date.now();
  const last = loaded.get(name);
  if (last && (last.seq === seq || last.busy || now - last.at < 2000)) return;
  const entry = { seq, busy: true, at: now };
  loaded.set(name, entry);
  Promise.resolve(load()).finally(() => { entry.busy = false; });
}

function connect() {
  const es = new EventSource("/api/events");
  es.addEventListener("snapshot", (ev) => {
    $("#live").className = "live on";
    $("#live-text").textContent = "实时 live";
    onSnapshot(JSON.parse(ev.data));
  });
  es.onerror = () => {
    $("#live").className = "live off";
    $("#live-text").textContent = "重连中 reconnecting";
  };
}

$("#settle-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const q = $("#settle-q").value.trim();
  location.hash = "settlement?q=" + encodeURIComponent(q);
  loadSettlement(q);
});
$("#clearing-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  clearingMonth = $("#clearing-month").value;
  loadClearing(false);
});
$("#reconcile").addEventListener("click", () => {
  clearingMonth = $("#clearing-month").value;
  loadClearing(true);
});
$("#filings-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  loadFilings($("#filings-q").value.trim());
});
window.addEventListener("hashchange", route);
route();
connect();
