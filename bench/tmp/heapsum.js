const fs = require('fs');
const snap = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const m = snap.snapshot.meta; const nf = m.node_fields.length; const types = m.node_types[0];
const strings = snap.strings; const nodes = snap.nodes;
const iType = m.node_fields.indexOf('type'), iName = m.node_fields.indexOf('name'), iSize = m.node_fields.indexOf('self_size');
const by = new Map();
for (let i = 0; i < nodes.length; i += nf) {
  const t = types[nodes[i + iType]]; let name = strings[nodes[i + iName]];
  if (t === 'string' || t === 'concatenated string' || t === 'sliced string') name = '(' + t + ')';
  else if (t !== 'object') name = '(' + t + ') ' + (t === 'closure' ? '' : name).slice(0, 40);
  const k = name; const e = by.get(k) || [0, 0]; e[0] += nodes[i + iSize]; e[1]++; by.set(k, e);
}
console.log([...by].sort((a, b) => b[1][0] - a[1][0]).slice(0, 25).map(([k, [s, c]]) => `${(s / 1048576).toFixed(1)} MB ${c} ${k}`).join('\n'));
