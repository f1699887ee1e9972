import { startLiveClusters, testCluster } from '/work/wt/i18/plugins/mesh-readiness-backend/src/cluster/__testUtils__/liveClusters';
import { evaluateWorkloads } from '@mesh-readiness/plugin-mesh-readiness-common';
const mb = (b: number) => Math.round(b / 1048576);
const mem = (what: string) => { const m = process.memoryUsage(); console.log(what, 'rss', mb(m.rss), 'heap', mb(m.heapUsed), 'ext', mb(m.external), 'ab', mb(m.arrayBuffers)); };
async function main() {
  const live = await startLiveClusters([testCluster('bench', process.env.MR_KUBE_ADMIN_TOKEN!)]);
  const source = live.source('bench');
  (globalThis as any).gc(); mem('before');
  let peak = 0; const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 10);
  const snap = await source.readSnapshot({ fields: (process.env.F as any) ?? 'read' });
  mem('after read'); console.log('peak heap during read', mb(peak));
  (globalThis as any).gc(); mem('after read+gc');
  peak = 0;
  const r = evaluateWorkloads(snap);
  mem('after eval'); console.log('peak heap during eval', mb(peak));
  (globalThis as any).gc(); mem('after eval+gc');
  const s = JSON.stringify(r.map(x => x.report)); console.log('reports json', mb(s.length));
  clearInterval(t);
  await live.stop();
}
main();
