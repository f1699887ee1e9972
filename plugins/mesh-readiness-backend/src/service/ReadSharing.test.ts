/*
 * The rules one replica follows when the scheduler gives it a cluster's
 * task (ClusterTasks.replicas.test.ts runs them on the real scheduler).
 */
import { ReadSharing } from './ReadSharing';

const PERIOD = 60_000;
const LOOK = 5_000;
const sharing = () => new ReadSharing({ periodMs: PERIOD, pollMs: LOOK });

describe('ReadSharing', () => {
  it('reads a cluster when a slot is free and it was not read here last time', () => {
    expect(sharing().claim('prod', true, 0)).toEqual({ action: 'read' });
  });

  it('hands a cluster on at once when no slot is free, and lets it wait when it comes back in the same round', () => {
    const s = sharing();
    expect(s.claim('prod', false, 0)).toEqual({
      action: 'hand-on',
      because: 'busy',
    });
    // Every other replica was full too: it came back one look later.
    expect(s.claim('prod', false, LOOK)).toEqual({ action: 'wait' });
    // Due again a period later: a new round, handed on again.
    expect(s.claim('prod', false, PERIOD + LOOK)).toEqual({
      action: 'hand-on',
      because: 'busy',
    });
  });

  it('hands on once a cluster it read last time, and reads it when it comes back', () => {
    const s = sharing();
    s.claim('prod', true, 0);
    s.read('prod', 0);
    expect(s.claim('prod', true, PERIOD)).toEqual({
      action: 'hand-on',
      because: 'turn',
    });
    expect(s.claim('prod', true, PERIOD + LOOK)).toEqual({ action: 'read' });
    s.read('prod', PERIOD + LOOK);
    // Read by another replica the period after, it is this one's turn again.
    expect(s.claim('prod', true, 3 * PERIOD + LOOK)).toEqual({
      action: 'read',
    });
  });

  it('offers a free slot the clusters it handed on and that came back unread, longest waiting first, after a look', () => {
    const s = sharing();
    s.claim('b', false, 1_000);
    s.claim('a', false, 0);
    expect(s.waiting(1_000)).toEqual([]);
    expect(s.waiting(LOOK + 1_000).map(w => w.cluster)).toEqual(['a', 'b']);
    s.claim('a', true, LOOK + 2_000);
    s.read('a', LOOK + 2_000);
    expect(s.waiting(LOOK + 3_000).map(w => w.cluster)).toEqual(['b']);
    // A period later it is due again anyway: nothing to pull.
    expect(s.waiting(PERIOD + 1_000)).toEqual([]);
  });

  it('tells this round’s read from the last round’s, clocks a little apart', () => {
    const s = sharing();
    expect(s.readThisRound(PERIOD, undefined)).toBe(false);
    expect(s.readThisRound(PERIOD, PERIOD - 2_000)).toBe(true);
    expect(s.readThisRound(PERIOD, 1_000)).toBe(false);
  });

  it('times a pull just before this replica’s next look, a whole number of looks after its last claim', () => {
    const s = sharing();
    expect(s.beforeNextLook(1_234)).toBe(1_234);
    s.claim('prod', true, 10_000);
    expect(s.beforeNextLook(10_100, 300)).toBe(14_700);
    expect(s.beforeNextLook(14_800, 300)).toBe(19_700);
  });
});
