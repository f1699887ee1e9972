const fs = require('fs');
const snap = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const m = snap.snapshot.meta; const nf = m.node_fields.length; const ef = m.edge_fields.length;
const ntypes = m.node_types[0], etypes = m.edge_types[0];
const S = snap.strings, N = snap.nodes, E = snap.edges;
const iType = m.node_fields.indexOf('type'), iName = m.node_fields.indexOf('name'), iEC = m.node_fields.indexOf('edge_count'), iId = m.node_fields.indexOf('id');
const eType = m.edge_fields.indexOf('type'), eName = m.edge_fields.indexOf('name_or_index'), eTo = m.edge_fields.indexOf('to_node');
const count = N.length / nf; const firstEdge = new Uint32Array(count + 1);
for (let i = 0, e = 0; i < count; i++) { firstEdge[i] = e; e += N[i * nf + iEC] * ef; } firstEdge[count] = E.length;
const parents = new Map();
let target = -1;
for (let i = 0; i < count; i++) {
  for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += ef) {
    const to = E[e + eTo] / nf; const t = etypes[E[e + eType]];
    const name = (t === 'element' || t === 'hidden') ? '[' + E[e + eName] + ']' : S[E[e + eName]];
    if (t === 'weak') continue;
    if (!parents.has(to)) parents.set(to, []);
    const p = parents.get(to); if (p.length < 3) p.push([i, name]);
    if (target < 0 && name === 'managedFields') target = i;
    if (target < 0 && process.argv[3] && name === process.argv[3]) target = i;
  }
}
console.log('target', target, ntypes[N[target*nf+iType]], S[N[target*nf+iName]]);
let at = target; const seen = new Set();
for (let d = 0; d < 40 && at !== undefined; d++) {
  seen.add(at);
  const ps = (parents.get(at) || []).filter(([p]) => !seen.has(p));
  if (!ps.length) break;
  const [p, name] = ps[0];
  console.log(`${'  '.repeat(0)}<- .${name} of ${ntypes[N[p*nf+iType]]} ${S[N[p*nf+iName]].slice(0,80)}`);
  at = p;
}
