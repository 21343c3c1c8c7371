'use strict';
// The console's pages. Every value from the server is put into the page as text (textContent,
// attributes set one by one), never as HTML, so topic names or record values cannot inject markup.
(function () {
  const view = document.getElementById('view');
  let timers = [];
  let routeSeq = 0;

  // ---- DOM helpers -------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) { continue; }
      if (k === 'text') { e.textContent = String(v); }
      else if (k === 'className') { e.className = v; }
      else if (k.startsWith('on')) { e.addEventListener(k.substring(2), v); }
      else { e.setAttribute(k, v === true ? '' : String(v)); }
    }
    for (const c of children) {
      if (c === null || c === undefined) { continue; }
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function table(headers, rows, id) {
    const head = el('tr', {}, ...headers.map(h => el('th', { className: h.num ? 'num' : null, text: h.label || h })));
    const body = rows.map(r => el('tr', {}, ...r.map((c, i) => {
      const cls = headers[i] && headers[i].num ? 'num' : null;
      return c instanceof Node ? el('td', { className: cls }, c) : el('td', { className: cls, text: c === null || c === undefined ? '' : c });
    })));
    return el('table', { id: id }, el('thead', {}, head), el('tbody', {}, ...body));
  }
  function card(label, value, id) {
    return el('div', { className: 'card' }, el('div', { className: 'label', text: label }), el('div', { className: 'value', id: id, text: value }));
  }
  function link(href, text) { return el('a', { href: href, text: text }); }
  function topicHref(t) { return '#/topic/' + encodeURIComponent(t); }
  function groupHref(g) { return '#/group/' + encodeURIComponent(g); }
  function bytes(n) {
    if (n === null || n === undefined) { return 'n/a'; }
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0; let v = n;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v.toFixed(0) : v.toFixed(1)) + ' ' + units[i];
  }
  function time(ms) { return ms >= 0 ? new Date(ms).toISOString() : ''; }
  function errorBox(message) { return el('div', { className: 'error', role: 'alert', text: message }); }
  function notice(message) { return el('div', { className: 'notice', role: 'status', text: message }); }

  // ---- API ---------------------------------------------------------------------------------
  async function api(path, method, body) {
    const opts = { method: method || 'GET', credentials: 'same-origin', headers: {} };
    if (method && method !== 'GET') {
      opts.headers['X-Ferry-Console'] = '1';
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body || {});
    }
    // From the origin, never the page's own URL: opened as http://user:password@host/, that URL
    // carries credentials, which fetch() refuses (the browser's auth cache sends them anyway).
    const res = await fetch(new URL('api/' + path, location.origin + location.pathname), opts);
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
    if (!res.ok) {
      const err = new Error((data && data.message) || ('HTTP ' + res.status));
      err.status = res.status;
      throw err;
    }
    return data;
  }

  // ---- routing -----------------------------------------------------------------------------
  const pages = {
    cluster: clusterPage,
    topics: topicsPage,
    topic: topicPage,
    messages: messagesPage,
    groups: groupsPage,
    group: groupPage,
    metrics: metricsPage,
  };

  async function route() {
    const seq = ++routeSeq;
    timers.forEach(t => clearInterval(t));
    timers = [];
    const hash = location.hash.replace(/^#\/?/, '');
    const slash = hash.indexOf('/');
    const name = (slash < 0 ? hash : hash.substring(0, slash)) || 'cluster';
    let arg = slash < 0 ? '' : hash.substring(slash + 1);
    try { arg = decodeURIComponent(arg); } catch (e) { arg = ''; }
    const page = pages[name] || clusterPage;
    const pageName = pages[name] ? name : 'cluster';
    document.querySelectorAll('nav a').forEach(a => {
      const nav = a.getAttribute('data-nav');
      a.classList.toggle('active', nav === pageName || (nav === 'topics' && (pageName === 'topic' || pageName === 'messages')) || (nav === 'groups' && pageName === 'group'));
    });
    view.dataset.loaded = 'false';
    view.dataset.page = pageName;
    view.replaceChildren(el('p', { className: 'muted', text: 'Loading…' }));
    let content;
    try {
      content = await page(arg);
    } catch (e) {
      content = [el('h1', { text: 'Error' }), errorBox(e.message)];
    }
    if (seq !== routeSeq) { return; } // a newer navigation owns the view now
    view.replaceChildren(...content);
    view.dataset.loaded = 'true';
  }

  // Shows the page again shortly after a change (metadata settles), unless the user moved on.
  function rerenderSoon() {
    const hash = location.hash;
    setTimeout(() => { if (location.hash === hash) { route(); } }, 300);
  }

  // ---- cluster -----------------------------------------------------------------------------
  async function clusterPage() {
    const c = await api('cluster');
    const health = (list) => list.length === 0
      ? el('p', { className: 'good', text: 'None' })
      : table(['Topic', { label: 'Partition', num: true }, 'Leader', 'Replicas', 'ISR'],
        list.map(p => [link(topicHref(p.topic), p.topic), p.partition, p.leader === null ? 'none' : p.leader, p.replicas.join(', '), p.isr.join(', ')]));
    return [
      el('h1', { text: 'Cluster' }),
      el('div', { className: 'cards' },
        card('Cluster id', c.clusterId, 'cluster-id'),
        card('Controller', c.controller === null ? 'none' : 'broker ' + c.controller, 'controller'),
        card('Brokers', c.brokers.length, 'broker-count'),
        card('Topics', c.topics),
        card('Partitions', c.partitions),
        card('Offline partitions', c.offline.length, 'offline-count'),
        card('Under-replicated', c.underReplicated.length, 'under-replicated-count'),
        card('Version', c.version + ' (' + c.protocol + ')')),
      el('h2', { text: 'Brokers' }),
      table([{ label: 'Id', num: true }, 'Host', { label: 'Port', num: true }, 'Rack', 'Role'],
        c.brokers.map(b => [b.id, b.host, b.port, b.rack || '', b.controller ? 'controller' : '']), 'brokers'),
      el('h2', { text: 'Offline partitions' }), health(c.offline),
      el('h2', { text: 'Under-replicated partitions' }), health(c.underReplicated),
    ];
  }

  // ---- topics ------------------------------------------------------------------------------
  async function topicsPage() {
    const topics = await api('topics');
    const status = el('div');
    const name = el('input', { name: 'name', id: 'new-topic-name', required: true, maxlength: 249, placeholder: 'orders' });
    const parts = el('input', { name: 'partitions', id: 'new-topic-partitions', type: 'number', min: 1, max: 10000, value: 1 });
    const rf = el('input', { name: 'replicationFactor', id: 'new-topic-rf', type: 'number', min: -1, max: 32, value: -1, title: '-1: the broker default' });
    const form = el('form', { className: 'inline', id: 'create-topic' },
      el('label', {}, 'Name', name), el('label', {}, 'Partitions', parts), el('label', {}, 'Replication factor (-1: default)', rf),
      el('button', { type: 'submit', id: 'create-topic-submit', text: 'Create topic' }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api('topics', 'POST', { name: name.value, partitions: Number(parts.value), replicationFactor: Number(rf.value) });
        location.hash = topicHref(name.value);
      } catch (e) { status.replaceChildren(errorBox(e.message)); }
    });
    return [
      el('h1', { text: 'Topics' }),
      form, status,
      table(['Name', { label: 'Partitions', num: true }, { label: 'Replication', num: true }, { label: 'Size on disk', num: true }, { label: 'Under-replicated', num: true }, { label: 'Offline', num: true }, ''],
        topics.map(t => [link(topicHref(t.name), t.name), t.partitions, t.replicationFactor, bytes(t.sizeBytes),
          t.underReplicated, t.offline, el('span', {}, t.internal ? el('span', { className: 'badge', text: 'internal' }) : null, link('#/messages/' + encodeURIComponent(t.name), 'messages'))]),
        'topics'),
    ];
  }

  async function topicPage(topic) {
    const t = await api('topics/' + encodeURIComponent(topic));
    const status = el('div');
    const act = async (fn, message) => {
      try { await fn(); status.replaceChildren(notice(message)); rerenderSoon(); }
      catch (e) { status.replaceChildren(errorBox(e.message)); }
    };
    const count = el('input', { type: 'number', id: 'partition-count', min: t.partitions.length + 1, value: t.partitions.length + 1 });
    const addForm = el('form', { className: 'inline', id: 'add-partitions' }, el('label', {}, 'New partition count', count), el('button', { type: 'submit', text: 'Add partitions' }));
    addForm.addEventListener('submit', ev => { ev.preventDefault(); act(() => api('topics/' + encodeURIComponent(topic) + '/partitions', 'POST', { count: Number(count.value) }), 'Partitions added'); });

    const cfgName = el('input', { id: 'config-name', placeholder: 'retention.ms', list: 'config-names' });
    const cfgValue = el('input', { id: 'config-value', placeholder: 'value' });
    const names = el('datalist', { id: 'config-names' }, ...t.configs.map(c => el('option', { value: c.name })));
    const cfgForm = el('form', { className: 'inline', id: 'edit-config' }, el('label', {}, 'Config', cfgName), el('label', {}, 'Value', cfgValue), names, el('button', { type: 'submit', text: 'Set' }));
    cfgForm.addEventListener('submit', ev => {
      ev.preventDefault();
      const set = {}; set[cfgName.value] = cfgValue.value;
      act(() => api('topics/' + encodeURIComponent(topic) + '/configs', 'POST', { set: set }), 'Config set');
    });

    const confirmName = el('input', { id: 'delete-confirm', placeholder: 'type the topic name' });
    const delForm = el('form', { className: 'inline', id: 'delete-topic' }, el('label', {}, 'Delete this topic: type its name', confirmName), el('button', { type: 'submit', className: 'danger', text: 'Delete topic' }));
    delForm.addEventListener('submit', async ev => {
      ev.preventDefault();
      if (confirmName.value !== topic) { status.replaceChildren(errorBox('Type the topic name to confirm')); return; }
      try { await api('topics/' + encodeURIComponent(topic), 'DELETE'); location.hash = '#/topics'; }
      catch (e) { status.replaceChildren(errorBox(e.message)); }
    });

    const configRows = t.configs.map(c => {
      const dynamic = c.source === 'DYNAMIC_TOPIC_CONFIG';
      const reset = dynamic && !c.readOnly
        ? el('button', { type: 'button', text: 'Remove override', onclick: () => act(() => api('topics/' + encodeURIComponent(topic) + '/configs', 'POST', { delete: [c.name] }), 'Override removed') })
        : null;
      return [c.name, c.sensitive ? '(sensitive)' : c.value, c.source, reset];
    });
    const total = t.partitions.reduce((a, p) => a + (p.endOffset - p.startOffset), 0);
    return [
      el('h1', { text: 'Topic ' }, el('span', { id: 'topic-name', text: t.name })),
      el('div', { className: 'cards' },
        card('Partitions', t.partitions.length, 'topic-partitions'),
        card('Records (end − start)', total),
        card('Size on disk', t.partitions.some(p => p.sizeBytes === null) ? 'n/a (needs Describe on the cluster)' : bytes(t.partitions.reduce((a, p) => a + p.sizeBytes, 0))),
        card('Topic id', t.topicId)),
      el('p', {}, link('#/messages/' + encodeURIComponent(t.name), 'Browse messages →')),
      status,
      el('h2', { text: 'Partitions' }),
      table([{ label: 'Partition', num: true }, 'Leader', 'Replicas', 'ISR', { label: 'Start offset', num: true }, { label: 'End offset', num: true }, { label: 'Size', num: true }],
        t.partitions.map(p => [p.partition, p.leader === null ? 'none' : p.leader, p.replicas.join(', '), p.isr.join(', '), p.startOffset, p.endOffset, bytes(p.sizeBytes)]), 'partitions'),
      addForm,
      el('h2', { text: 'Configs' }),
      cfgForm,
      table(['Name', 'Value', 'Source', ''], configRows, 'configs'),
      el('h2', { text: 'Danger zone' }),
      delForm,
    ];
  }

  // ---- message browser ---------------------------------------------------------------------
  async function messagesPage(topic) {
    const params = new URLSearchParams(sessionStorage.getItem('browse:' + topic) || '');
    const get = (k, d) => params.get(k) || d;
    const query = () => {
      const q = new URLSearchParams();
      q.set('partition', partition.value); q.set('mode', mode.value); q.set('offset', offset.value);
      q.set('time', when.value); q.set('limit', limit.value); q.set('format', format.value);
      return q;
    };
    const partition = el('select', { id: 'browse-partition' }, el('option', { value: 'all', text: 'all' }));
    const mode = el('select', { id: 'browse-mode' }, el('option', { value: 'newest', text: 'newest' }), el('option', { value: 'offset', text: 'from offset' }), el('option', { value: 'time', text: 'from time' }));
    const offset = el('input', { id: 'browse-offset', type: 'number', min: 0, value: get('offset', '0') });
    const when = el('input', { id: 'browse-time', placeholder: '2026-12-07T10:00:00Z or epoch ms', value: get('time', '') });
    const limit = el('input', { id: 'browse-limit', type: 'number', min: 1, max: 500, value: get('limit', '50') });
    const format = el('select', { id: 'browse-format' }, ...['auto', 'json', 'text', 'hex'].map(f => el('option', { value: f, text: f })));
    mode.value = get('mode', 'newest'); format.value = get('format', 'auto');
    const results = el('div', { id: 'messages' });
    const form = el('form', { className: 'inline', id: 'browse' },
      el('label', {}, 'Partition', partition), el('label', {}, 'Start', mode), el('label', {}, 'Offset', offset),
      el('label', {}, 'Time', when), el('label', {}, 'Max records', limit), el('label', {}, 'Value as', format),
      el('button', { type: 'submit', id: 'browse-submit', text: 'Read' }));

    const shown = (d) => {
      if (!d || d.format === 'null') { return el('span', { className: 'muted', text: 'null' }); }
      const tags = el('div', {}, el('span', { className: 'badge', text: d.format + (d.schemaId !== null && d.schemaId !== undefined ? ' · schema ' + d.schemaId : '') }),
        el('span', { className: 'muted', text: bytes(d.size) + (d.truncated ? ' (cut)' : '') }));
      return el('div', {}, tags, el('pre', { className: 'value', text: d.text }));
    };
    const load = async () => {
      const q = query();
      sessionStorage.setItem('browse:' + topic, q.toString());
      results.replaceChildren(el('p', { className: 'muted', text: 'Reading…' }));
      const page = await api('topics/' + encodeURIComponent(topic) + '/messages?' + q.toString());
      if (partition.options.length === 1) {
        page.partitions.forEach(p => partition.appendChild(el('option', { value: p, text: p })));
        partition.value = get('partition', 'all');
      }
      results.replaceChildren(
        el('p', { className: 'muted', id: 'message-count', text: page.messages.length + ' record(s)' }),
        table([{ label: 'Partition', num: true }, { label: 'Offset', num: true }, 'Timestamp', 'Key', 'Value', 'Headers'],
          page.messages.map(m => [m.partition, m.offset, time(m.timestamp), shown(m.key), shown(m.value),
            el('div', {}, ...m.headers.map(h => el('div', {}, el('span', { className: 'badge', text: h.key }), el('span', { text: h.value && h.value.text !== null ? h.value.text : 'null' }))))]),
          'message-table'));
    };
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      try { await load(); } catch (e) { results.replaceChildren(errorBox(e.message)); }
    });
    try { await load(); } catch (e) { results.replaceChildren(errorBox(e.message)); }
    return [el('h1', { text: 'Messages of ' }, link(topicHref(topic), topic)), form, results];
  }

  // ---- groups ------------------------------------------------------------------------------
  async function groupsPage() {
    const groups = await api('groups');
    return [
      el('h1', { text: 'Consumer groups' }),
      groups.length === 0 ? el('p', { className: 'muted', text: 'No groups yet.' }) : null,
      table(['Group', 'Type', 'Protocol', 'State'], groups.map(g => [link(groupHref(g.groupId), g.groupId), g.type, g.protocol || '', g.state]), 'groups'),
    ].filter(x => x !== null);
  }

  async function groupPage(groupId) {
    const g = await api('groups/' + encodeURIComponent(groupId));
    const status = el('div');
    const to = el('select', { id: 'reset-to' }, ...['earliest', 'latest', 'timestamp'].map(v => el('option', { value: v, text: v })));
    const ts = el('input', { id: 'reset-time', placeholder: 'ISO time or epoch ms' });
    const topics = [...new Set(g.offsets.map(o => o.topic))];
    const topic = el('select', { id: 'reset-topic' }, el('option', { value: '', text: 'all topics' }), ...topics.map(t => el('option', { value: t, text: t })));
    const reset = el('form', { className: 'inline', id: 'reset-offsets' },
      el('label', {}, 'Reset offsets to', to), el('label', {}, 'Time', ts), el('label', {}, 'Topic', topic),
      el('button', { type: 'submit', disabled: !g.resettable, text: 'Reset' }),
      g.resettable ? null : el('span', { className: 'muted', text: 'Only an empty consumer group can be reset.' }));
    reset.addEventListener('submit', async ev => {
      ev.preventDefault();
      try {
        const body = { to: to.value, topic: topic.value || null };
        if (to.value === 'timestamp') { body.timestamp = ts.value; }
        await api('groups/' + encodeURIComponent(groupId) + '/reset', 'POST', body);
        status.replaceChildren(notice('Offsets reset'));
        rerenderSoon();
      } catch (e) { status.replaceChildren(errorBox(e.message)); }
    });
    return [
      el('h1', { text: 'Group ' }, el('span', { id: 'group-id', text: g.groupId })),
      el('div', { className: 'cards' },
        card('Type', g.type), card('State', g.state, 'group-state'),
        card('Coordinator', g.coordinator === null ? 'none' : 'broker ' + g.coordinator),
        card('Assignor', g.assignor || ''), card('Members', g.members.length),
        card('Total lag', g.totalLag, 'total-lag')),
      el('h2', { text: 'Members' }),
      table(['Member', 'Instance', 'Client', 'Host', 'Assignment'], g.members.map(m => [m.memberId, m.instanceId || '', m.clientId, m.host, m.assignment.join(', ')]), 'members'),
      el('h2', { text: 'Offsets and lag' }),
      table(['Topic', { label: 'Partition', num: true }, { label: 'Committed', num: true }, { label: 'Log end', num: true }, { label: 'Lag', num: true }, 'Owner'],
        g.offsets.map(o => [link(topicHref(o.topic), o.topic), o.partition, o.committed === null ? '-' : o.committed, o.endOffset, o.lag === null ? '-' : o.lag, o.owner || '']), 'offsets'),
      reset, status,
    ];
  }

  // ---- live charts -------------------------------------------------------------------------
  async function metricsPage() {
    const WINDOW = 60;
    const samples = [];
    const charts = {};
    const chart = (id, title) => {
      const canvas = el('canvas', { id: 'chart-' + id });
      const legend = el('ul', { className: 'legend' });
      charts[id] = { canvas: canvas, legend: legend };
      return el('div', { className: 'chart' }, el('h2', { text: title }), canvas, legend);
    };
    const note = el('p', { className: 'muted', id: 'metrics-note' });
    const grid = el('div', { className: 'charts' },
      chart('bytes-in', 'Bytes in per topic (B/s)'),
      chart('bytes-out', 'Bytes out to consumers per topic (B/s)'),
      chart('records-in', 'Records in per topic (/s)'),
      chart('records-out', 'Records consumed per topic (/s, committed by groups)'),
      chart('network', 'Broker network (B/s)'),
      chart('latency', 'Request latency, mean per API (ms)'));
    const rates = (pick) => {
      const out = {};
      for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1]; const b = samples[i];
        const dt = (b.timeMs - a.timeMs) / 1000;
        if (dt <= 0) { continue; }
        for (const [name, v] of Object.entries(pick(b))) {
          const prev = pick(a)[name];
          if (prev === undefined) { continue; }
          const r = Math.max(0, (v - prev) / dt);
          (out[name] = out[name] || []).push([b.timeMs, r]);
        }
      }
      return Object.entries(out).map(([name, points]) => ({ name: name, points: points }));
    };
    const perTopic = (field) => (s) => {
      const o = {}; for (const [t, c] of Object.entries(s.topics)) { o[t] = c[field]; } return o;
    };
    const redraw = () => {
      const draw = (id, series) => FerryCharts.draw(charts[id].canvas, charts[id].legend, series);
      draw('bytes-in', rates(perTopic('bytesIn')));
      draw('bytes-out', rates(perTopic('bytesOut')));
      draw('records-in', rates(perTopic('recordsIn')));
      draw('records-out', rates(perTopic('recordsConsumed')));
      draw('network', rates(s => ({ 'received': s.networkBytesIn, 'sent': s.networkBytesOut })));
      const latency = {};
      for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1].latency; const b = samples[i].latency;
        for (const [api, l] of Object.entries(b)) {
          const p = a[api] || { count: 0, sumSeconds: 0 };
          const n = l.count - p.count;
          if (n > 0) { (latency[api] = latency[api] || []).push([samples[i].timeMs, ((l.sumSeconds - p.sumSeconds) / n) * 1000]); }
        }
      }
      draw('latency', Object.entries(latency).map(([name, points]) => ({ name: name, points: points })));
    };
    const poll = async () => {
      try {
        const s = await api('metrics');
        samples.push(s);
        while (samples.length > WINDOW) { samples.shift(); }
        note.textContent = (s.brokerMetrics ? '' : 'The broker keeps no metrics: bytes and latency are not shown. ') +
          'Sampled every 3 s; ' + samples.length + ' sample(s).';
        redraw();
      } catch (e) { note.textContent = 'Cannot read metrics: ' + e.message; }
    };
    const mine = routeSeq;
    await poll();
    const timer = setInterval(() => {
      if (mine !== routeSeq) { clearInterval(timer); return; } // the user left this page
      poll();
    }, 3000);
    timers.push(timer);
    return [el('h1', { text: 'Live charts' }), note, grid];
  }

  // ---- start -------------------------------------------------------------------------------
  window.addEventListener('hashchange', route);
  api('whoami').then(w => { document.getElementById('user').textContent = w.user ? 'signed in as ' + w.user : ''; }).catch(() => {});
  route();
})();
