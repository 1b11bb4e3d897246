import { setTimeout as sleep } from 'node:timers/promises';
import { useMemcached } from '@mcc/harness';
import { countingStore, withWalkProgress } from './walk-progress';

const cluster = useMemcached(1);

/** Collects what is written, like a non-TTY stderr. */
function fakeStream(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = { isTTY: false, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

test('a walk that takes over a second shows the records read so far, once a second; a quick one shows nothing', async () => {
  const store = countingStore(cluster.addresses, {});
  try {
    const quick = fakeStream();
    await withWalkProgress('fsck quick', store, store.getMulti(['a', 'b']), quick.stream);
    expect(quick.text()).toBe('');

    const slow = fakeStream();
    const walk = (async () => {
      await store.getMulti(Array.from({ length: 150 }, (_, index) => `k${index}`));
      await sleep(1300);
      await store.getMulti(['x']);
      await sleep(1000);
    })();
    await withWalkProgress('fsck slow', store, walk, slow.stream);
    const lines = slow.text().trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^mcc: fsck slow: 152 records read \(chunks and large values\), 1 s$/);
    expect(lines.at(-1)).toMatch(/^mcc: fsck slow: 153 records read/);
  } finally {
    await store.close();
  }
});
