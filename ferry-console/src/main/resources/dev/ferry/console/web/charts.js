'use strict';
// A small line chart on a canvas: no library. Series names are drawn in an HTML legend as text.
window.FerryCharts = (function () {
  const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

  function niceMax(v) {
    if (!(v > 0)) { return 1; }
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) {
      if (v <= m * p) { return m * p; }
    }
    return 10 * p;
  }

  function short(v) {
    const a = Math.abs(v);
    if (a >= 1e9) { return (v / 1e9).toFixed(1) + 'G'; }
    if (a >= 1e6) { return (v / 1e6).toFixed(1) + 'M'; }
    if (a >= 1e3) { return (v / 1e3).toFixed(1) + 'k'; }
    if (a >= 10 || a === 0) { return v.toFixed(0); }
    return v.toFixed(2);
  }

  // series: [{name, points: [[timeMs, value], ...]}]; at most 8 are drawn (the largest).
  function draw(canvas, legend, series) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 560;
    const h = canvas.clientHeight || 220;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const shown = series
      .map(s => ({ s: s, peak: Math.max(0, ...s.points.map(p => p[1])) }))
      .sort((a, b) => b.peak - a.peak)
      .slice(0, COLORS.length)
      .map(x => x.s);
    let t0 = Infinity; let t1 = -Infinity; let vmax = 0;
    for (const s of shown) {
      for (const [t, v] of s.points) {
        t0 = Math.min(t0, t); t1 = Math.max(t1, t); vmax = Math.max(vmax, v);
      }
    }
    const left = 52; const right = 10; const top = 8; const bottom = 22;
    const pw = w - left - right; const ph = h - top - bottom;
    const ymax = niceMax(vmax);
    g.strokeStyle = '#d9e0e7'; g.fillStyle = '#5d6b7a'; g.lineWidth = 1;
    g.font = '11px system-ui, sans-serif';
    for (let i = 0; i <= 4; i++) {
      const y = top + ph - (ph * i) / 4;
      g.beginPath(); g.moveTo(left, y); g.lineTo(left + pw, y); g.stroke();
      g.fillText(short((ymax * i) / 4), 4, y + 4);
    }
    if (!isFinite(t0) || t1 <= t0) {
      g.fillText('collecting samples…', left + 8, top + 16);
    } else {
      g.fillText(new Date(t0).toLocaleTimeString(), left, h - 6);
      const last = new Date(t1).toLocaleTimeString();
      g.fillText(last, left + pw - g.measureText(last).width, h - 6);
      shown.forEach((s, i) => {
        g.strokeStyle = COLORS[i]; g.lineWidth = 1.8; g.beginPath();
        s.points.forEach(([t, v], j) => {
          const x = left + ((t - t0) / (t1 - t0)) * pw;
          const y = top + ph - (v / ymax) * ph;
          if (j === 0) { g.moveTo(x, y); } else { g.lineTo(x, y); }
        });
        g.stroke();
      });
    }
    legend.replaceChildren();
    shown.forEach((s, i) => {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch c' + i;
      li.appendChild(sw);
      const lastPoint = s.points.length ? s.points[s.points.length - 1][1] : 0;
      li.appendChild(document.createTextNode(s.name + ' ' + short(lastPoint)));
      legend.appendChild(li);
    });
  }

  return { draw: draw, short: short };
})();
