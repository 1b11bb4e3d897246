/**
 * Where a deque's anchor is when it is not where the server list puts it.
 *
 * mcc never remaps a key (protocol README, "Key placement"): the anchor of
 * deque NAME lives on the server the ring names for `mcc:dq:NAME`. Change the
 * server list — add a server, rename one or change its weight (not the
 * order: the ring does not depend on it), or run old-list and new-list
 * clients side by side in a rolling deploy — and the ring may name
 * another server. Its owner then has no anchor, and `Deque.open` would create
 * a second, empty deque of the same name while the first, with its values,
 * sits on the old server: the values look lost, and with both lists in use
 * there are two deques under one name that can never be merged.
 *
 * So before it creates an anchor, `create` reads the anchor key on every
 * server (one parallel round trip; with one server, none), and refuses if
 * another server holds one. The same probe explains a DequeNotFoundError —
 * on that error path only, never on the way of an operation that succeeds.
 */
import { parseFlags, RecordKind, REFERENCE_KIND, type Client } from '@mcc/mcas';
import { DequeExistsError, DequePlacementError, DequePlacementUnknownError } from './errors';

/** What the other servers (all but the key's owner) hold at `key`. */
interface Probe {
  /** Servers holding a deque anchor at the key, in `client.servers` order. */
  readonly foundOn: string[];
  /** Servers that could not be read. */
  readonly unreadable: string[];
  /** Why the first of them could not be read (the `cause` of DequePlacementUnknownError). */
  readonly firstFailure: unknown;
}

/**
 * An item at an anchor key is a deque's anchor if its flags say so — or a
 * reference to an MCAS descriptor (a move over the anchor in flight). Told
 * by the flags alone, not decoded: an anchor written with another codec is
 * still an anchor.
 */
function isAnchorItem(item: { readonly flags: number } | null): boolean {
  if (item === null) return false;
  const flags = parseFlags(item.flags);
  return flags.type === 'mcc' && (flags.kind === RecordKind.DequeAnchor || flags.kind === REFERENCE_KIND);
}

async function probeOthers(client: Client, key: string, owner: string): Promise<Probe> {
  const others = client.servers.filter((server) => server !== owner);
  const reads = await Promise.allSettled(others.map((server) => client.get(key, { server })));
  const foundOn: string[] = [];
  const unreadable: string[] = [];
  let firstFailure: unknown;
  reads.forEach((read, index) => {
    const server = others[index]!;
    if (read.status === 'fulfilled') {
      if (isAnchorItem(read.value)) foundOn.push(server);
    } else {
      if (unreadable.length === 0) firstFailure = read.reason;
      unreadable.push(server);
    }
  });
  return { foundOn, unreadable, firstFailure };
}

/**
 * Before `create` writes the anchor of `deque` at `key`: resolves if the
 * anchor may be created on its owner, else throws — DequeExistsError if the
 * owner holds it (so `open` binds, as after a lost `add`), DequePlacementError
 * if another server does, DequePlacementUnknownError if another server could
 * not be read. With one server there is nothing to probe: no I/O, and the
 * owner's `add` decides alone, as always.
 *
 * One round trip: the owner and the others are read together. A deque that
 * exists on its owner is bound whatever the others hold or whether they
 * answer — only a creation is refused.
 *
 * An unreadable server fails the creation (closed), rather than being
 * skipped: a refused creation costs a retry once the server is back, but a
 * wrong one is permanent — two deques under one name, never merged, while
 * every value pushed to the new one hides the old one's. And the server that
 * does not answer is the likeliest to hold the anchor: it is the one a
 * rolling deploy is restarting or a new list is moving traffic away from.
 * Refusing costs little availability: only a deque that does not exist yet is
 * affected, and one that is not colocated needs every server anyway (its
 * chunks spread over all of them).
 *
 * Not covered: a server removed from the list cannot be read (the probe only
 * knows the servers it is given), and an old-list client creating the same
 * deque at the same moment can still win on the old owner.
 */
export async function checkPlacementBeforeCreate(client: Client, deque: string, key: string): Promise<void> {
  if (client.servers.length === 1) return;
  const owner = client.serverFor(key);
  const [atOwner, probe] = await Promise.all([client.get(key), probeOthers(client, key, owner)]);
  if (atOwner !== null) throw new DequeExistsError(deque, key);
  if (probe.foundOn.length > 0) throw new DequePlacementError(deque, key, owner, probe.foundOn);
  if (probe.unreadable.length > 0) throw new DequePlacementUnknownError(deque, key, owner, probe.unreadable, probe.firstFailure);
}

/**
 * The servers other than its owner that hold the anchor at `key`, for the
 * message of a DequeNotFoundError: none with one server (no I/O). A server
 * that cannot be read is left out — the operation has already failed, and
 * this only explains why.
 */
export async function anchorFoundElsewhere(client: Client, key: string): Promise<string[]> {
  if (client.servers.length === 1) return [];
  return (await probeOthers(client, key, client.serverFor(key))).foundOn;
}
