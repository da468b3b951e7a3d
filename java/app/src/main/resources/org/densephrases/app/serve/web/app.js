// The page's only script: asks /api/search and renders the answers. Text goes into the page through textContent
// only (never innerHTML), so answers and titles from the corpus cannot inject markup.
(function () {
  'use strict';
  const form = document.getElementById('ask');
  const input = document.getElementById('q');
  const button = document.getElementById('go');
  const status = document.getElementById('status');
  const list = document.getElementById('answers');
  const kSelect = document.getElementById('k');
  let seq = 0; // answers of an older question never replace a newer one's

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function unit() {
    const c = document.querySelector('input[name=unit]:checked');
    return c ? c.value : 'phrase';
  }

  // The answer highlighted in its evidence: text nodes and a <mark>, never markup from the corpus.
  function evidence(ev) {
    const p = el('p', 'evidence');
    p.append(document.createTextNode(ev.text.slice(0, ev.answer_start)),
      el('mark', null, ev.text.slice(ev.answer_start, ev.answer_end)),
      document.createTextNode(ev.text.slice(ev.answer_end)));
    return p;
  }

  // Other documents holding the same answer (phrase unit): one answer with its sources, folded.
  function sources(list) {
    const d = el('details', 'sources');
    const titles = [];
    list.forEach(function (s) { if (titles.indexOf(s.title) < 0) titles.push(s.title); });
    d.append(el('summary', null, 'also in ' + list.length + (list.length === 1 ? ' other source' :
      ' other sources') + ': ' + titles.slice(0, 3).join(', ') + (titles.length > 3 ? ', …' : '')));
    const ul = el('ul');
    list.forEach(function (s) {
      const li = el('li');
      li.append(el('span', 'title', s.title || s.doc_id),
        el('span', 'meta', ' · doc ' + s.doc_id + ' · chars ' + s.char_start + '–' + s.char_end + ' · score ' +
          s.score.toFixed(3)), evidence(s.evidence));
      ul.append(li);
    });
    d.append(ul);
    return d;
  }

  function render(data) {
    list.replaceChildren();
    data.answers.forEach(function (a) {
      const li = el('li', 'answer');
      li.dataset.rank = a.rank;
      const head = el('div', 'head');
      head.append(el('span', 'rank', a.rank + '.'), el('span', 'text', a.text),
        el('span', 'score', 'score ' + a.score.toFixed(3)));
      const src = el('div', 'source');
      src.append(el('span', 'title', a.title || a.doc_id),
        el('span', 'meta', ' · doc ' + a.doc_id + ' · chars ' + a.char_start + '–' + a.char_end));
      li.append(head, evidence(a.evidence), src);
      if (a.sources && a.sources.length) li.append(sources(a.sources));
      list.append(li);
    });
    const n = data.answers.length;
    status.className = 'status';
    status.textContent = (n === 0 ? 'No answer' : n + (n === 1 ? ' answer' : ' answers')) + ' by ' + data.unit +
      ' in ' + data.took_ms.toFixed(1) + ' ms (search ' + data.search_ms.toFixed(1) + ' ms, ' + data.index +
      ' index, ' + data.backend + ' backend)';
    status.dataset.tookMs = data.took_ms;
  }

  // A k from a shared link that the list does not offer becomes an option, so the select never reads ''.
  function selectK(k) {
    const v = String(parseInt(k, 10));
    if (v === 'NaN') return;
    const have = Array.prototype.some.call(kSelect.options, function (o) { return o.value === v; });
    if (!have) {
      const o = el('option', null, v);
      const after = Array.prototype.find.call(kSelect.options, function (x) { return +x.value > +v; });
      kSelect.insertBefore(o, after || null);
    }
    kSelect.value = v;
  }

  const detailsBox = document.getElementById('details');
  function showDetails(on) {
    document.body.classList.toggle('show-details', on);
    detailsBox.checked = on;
  }
  detailsBox.addEventListener('change', function () {
    showDetails(detailsBox.checked);
    if (input.value.trim()) history.replaceState(null, '', '?' + params().toString());
  });

  function params() {
    const p = new URLSearchParams({ q: input.value.trim(), k: kSelect.value, unit: unit() });
    if (detailsBox.checked) p.set('details', '1');
    return p;
  }

  async function ask() {
    const q = input.value.trim();
    if (!q) { input.focus(); return; }
    const mine = ++seq;
    const shown = params();
    history.replaceState(null, '', '?' + shown.toString());
    const query = new URLSearchParams({ q: q, k: kSelect.value, unit: unit() });
    button.disabled = true;
    status.className = 'status';
    status.textContent = 'Searching…';
    try {
      const r = await fetch('api/search?' + query.toString(), { headers: { Accept: 'application/json' } });
      const data = await r.json();
      if (mine !== seq) return;
      if (!r.ok) throw new Error(data.error || ('HTTP ' + r.status));
      render(data);
    } catch (e) {
      if (mine !== seq) return;
      list.replaceChildren();
      status.className = 'status error';
      status.textContent = 'Error: ' + e.message;
    } finally {
      if (mine === seq) button.disabled = false;
    }
  }

  form.addEventListener('submit', function (e) { e.preventDefault(); ask(); });
  document.querySelectorAll('input[name=unit]').forEach(function (r) {
    r.addEventListener('change', function () { if (input.value.trim()) ask(); });
  });
  kSelect.addEventListener('change', function () { if (input.value.trim()) ask(); });

  input.focus();

  fetch('health').then(function (r) { return r.json(); }).then(function (h) {
    document.getElementById('server').textContent = h.phrases.toLocaleString('en') + ' phrases in ' +
      h.documents.toLocaleString('en') + ' documents · ' + h.index + ' index · ' + h.backend + ' backend (' +
      h.device + ') · model ' + h.model;
  }).catch(function () { /* the header line is decoration */ });

  // A shared link (?q=...&unit=...&k=...&details=1) asks at once.
  const start = new URLSearchParams(location.search);
  showDetails(start.get('details') === '1');
  if (start.get('k')) selectK(start.get('k'));
  if (start.get('q')) {
    input.value = start.get('q');
    const wanted = start.get('unit');
    document.querySelectorAll('input[name=unit]').forEach(function (r) { if (r.value === wanted) r.checked = true; });
    ask();
  }
})();
