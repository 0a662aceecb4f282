/**
 * The report's own script, run in the browser after 3Dmol.js: the compound picker, the pose
 * table and the 3D view. A compound's structures are parsed from their inline JSON only when it
 * is picked, and one viewer is reused, so a report of many compounds stays light to open.
 */
export const PAGE_SCRIPT = String.raw`(() => {
  'use strict';
  const byId = (id) => document.getElementById(id);
  const json = (id) => JSON.parse(byId(id).textContent);
  const data = json('report-data');
  const fmt = (v, digits) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits));
  const el = (tag, props, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };
  // Pose weight w_i → colour: light (low) to dark orange (high), visible on white.
  const RAMP = ['#fdd0a2', '#fd8d3c', '#d94801', '#7f2704'].map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
  const colour = (t) => {
    const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
    const i = Math.min(Math.floor(x), RAMP.length - 2);
    return '#' + RAMP[i].map((v, k) => Math.round(v + (RAMP[i + 1][k] - v) * (x - i)).toString(16).padStart(2, '0')).join('');
  };
  const gradient = 'linear-gradient(to right, ' + [0, 0.25, 0.5, 0.75, 1].map(colour).join(', ') + ')';

  const topPose = (compound) => compound.poses.reduce((best, p, i) => (p.weight > compound.poses[best].weight ? i : best), 0);

  let viewer = null;
  const rows = [...document.querySelectorAll('#compound-table tbody tr')];
  const pockets = new Map();
  const pocket = (k) => {
    if (!pockets.has(k)) pockets.set(k, json('pocket-' + k));
    return pockets.get(k);
  };

  function draw(compound, structures, shown, scale) {
    const box = byId('viewer');
    if (structures === null) {
      if (viewer !== null) {
        viewer.clear();
        viewer.render();
      }
      byId('viewer-note').textContent = 'No 3D view: the data this report was made from lacks this compound or these poses.';
      return;
    }
    byId('viewer-note').textContent = '';
    if (viewer === null) {
      // 3Dmol.js makes a blank canvas without complaint where WebGL is off: say so instead.
      const probe = document.createElement('canvas');
      if (!probe.getContext('webgl2') && !probe.getContext('webgl')) {
        byId('viewer-note').textContent = 'No 3D view: this browser has WebGL turned off. The numbers below do not depend on it.';
        return;
      }
      viewer = $3Dmol.createViewer(box, { backgroundColor: 'white', antialias: true });
    }
    viewer.clear();
    const visible = compound.poses.map((_, i) => i).filter((i) => shown[i]);
    for (const k of new Set(visible.map((i) => structures.pocketOf[i]))) {
      viewer.addModel(pocket(k), 'xyz').setStyle({}, { stick: { radius: 0.07, color: '#a8a8a8' } });
    }
    const top = topPose(compound);
    const ligands = visible.map((i) => {
      const model = viewer.addModel(structures.ligands[i], 'xyz');
      model.setStyle({}, { stick: { radius: i === top ? 0.24 : 0.14, color: colour(scale(compound.poses[i].weight)) } });
      return model;
    });
    viewer.zoomTo(ligands.length > 0 ? { model: ligands } : {});
    viewer.render();
  }

  function select(k) {
    const compound = data.compounds[k];
    const structures = compound.hasStructures ? json('structures-' + k) : null;
    rows.forEach((row) => row.classList.toggle('selected', Number(row.dataset.index) === k));
    byId('compound-title').textContent = compound.id;
    const error = compound.measured === null ? null : compound.predicted - compound.measured;
    const facts = [
      ['folder', compound.folder],
      ...(compound.split === null ? [] : [['split', compound.split]]),
      ['measured y', fmt(compound.measured, 2)],
      ['combined ŷ', fmt(compound.predicted, 2)],
      ['ŷ − y', fmt(error, 2)],
      ['poses', String(compound.poses.length)],
      ...Object.entries(compound.columns),
    ];
    byId('compound-facts').replaceChildren(...facts.map(([name, value]) => el('div', { className: 'fact' }, el('span', { className: 'name', textContent: name }), el('span', { className: 'value', textContent: value }))));

    const weights = compound.poses.map((p) => p.weight);
    const low = Math.min(0, ...weights);
    const high = Math.max(...weights);
    const scale = (w) => (high > low ? (w - low) / (high - low) : 1);
    byId('legend').replaceChildren(
      el('span', { textContent: 'pose weight w_i  ' + fmt(low, 3) + ' ' }),
      el('span', { className: 'ramp', style: 'background:' + gradient }),
      el('span', { textContent: ' ' + fmt(high, 3) + '   (thick: the largest w_i; grey: pocket)' }),
    );

    const top = topPose(compound);
    const extra = [...new Set(compound.poses.flatMap((p) => Object.keys(p.columns)))];
    const shown = compound.poses.map(() => true);
    const head = el('tr', {}, ...['show', '', 'pose', 'ŷ_i', 'w_i', ...extra].map((name) => el('th', { textContent: name })));
    const body = compound.poses.map((p, i) => {
      const box = el('input', { type: 'checkbox', checked: true, title: 'show this pose' });
      box.disabled = structures === null;
      box.addEventListener('change', () => {
        shown[i] = box.checked;
        draw(compound, structures, shown, scale);
      });
      const swatch = el('span', { className: 'swatch', style: 'background:' + colour(scale(p.weight)) });
      const cells = [el('td', {}, box), el('td', {}, swatch), el('td', { textContent: p.pose }), el('td', { className: 'num', textContent: fmt(p.prediction, 2) }), el('td', { className: 'num', textContent: fmt(p.weight, 3) })];
      return el('tr', { className: i === top ? 'pose top' : 'pose' }, ...cells, ...extra.map((name) => el('td', { textContent: p.columns[name] ?? '' })));
    });
    byId('pose-table').replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
    draw(compound, structures, shown, scale);
  }

  rows.forEach((row) => {
    row.addEventListener('click', () => select(Number(row.dataset.index)));
    row.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      select(Number(row.dataset.index));
    });
  });
  // Clicking a column header sorts the compounds by it; clicking again reverses the order.
  document.querySelectorAll('#compound-table thead th').forEach((th, column) => {
    let ascending = true;
    th.title = 'sort by ' + th.textContent;
    th.addEventListener('click', () => {
      const key = (row) => {
        const text = row.children[column].textContent.trim();
        return text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
      };
      const compare = (a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)));
      rows.sort((a, b) => (ascending ? 1 : -1) * compare(key(a), key(b)));
      ascending = !ascending;
      document.querySelector('#compound-table tbody').append(...rows);
    });
  });
  byId('compound-filter').addEventListener('input', (event) => {
    const query = event.target.value.trim().toLowerCase();
    rows.forEach((row) => (row.hidden = query !== '' && !row.textContent.toLowerCase().includes(query)));
  });
  if (data.compounds.length > 0) select(0);
})();
`;
