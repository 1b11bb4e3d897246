/**
 * Whether a reply's bytes stay a view of the read buffer they arrived in.
 *
 * Views cost nothing, but keep the whole buffer alive. Small replies are
 * read into 64 KiB buffers; after a large reply the socket reads into a
 * buffer of up to 1 MiB (connection/socket-reader.ts), and a small reply
 * that arrives in one of those is copied out, so a small value never keeps
 * more than 64 KiB alive. A large reply (at least {@link LARGE_REPLY}) stays
 * a view: copying it would cost what the large read saved.
 */

/** Replies this long or longer are "large": read straight into their own buffer, never copied out. */
export const LARGE_REPLY = 16 * 1024;

/**
 * The bytes `chunk[start, end)` for a reply: a view, or — when `detach`
 * (the chunk is part of a large read buffer) and they are fewer than
 * {@link LARGE_REPLY} — a copy of their own.
 */
export function replyBytes(chunk: Buffer, start: number, end: number, detach: boolean): Buffer {
  const view = chunk.subarray(start, end);
  return detach && end - start < LARGE_REPLY ? Buffer.from(view) : view;
}
