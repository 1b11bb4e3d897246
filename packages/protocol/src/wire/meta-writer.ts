/**
 * Encodes meta (text) requests into outgoing chunks: the request line, then
 * for a store its data block and "\r\n". Keys were validated (no spaces or
 * control characters), so a line can never be split or injected into.
 */
import { ChunkWriter, COPY_VALUE_LIMIT } from './chunk-writer';

const CRLF = Buffer.from('\r\n');

export class MetaWriter extends ChunkWriter {
  write(line: string, value: Buffer | null): void {
    // At most 3 UTF-8 bytes per UTF-16 unit: no separate pass to measure the line.
    const copyValue = value !== null && value.length <= COPY_VALUE_LIMIT;
    this.ensure(line.length * 3 + 2 + (copyValue ? value.length + 2 : 0));
    const slab = this.slab;
    let at = this.position;
    at += slab.write(line, at, 'utf8');
    slab[at++] = 0x0d;
    slab[at++] = 0x0a;
    if (value !== null && copyValue) {
      at += value.copy(slab, at);
      slab[at++] = 0x0d;
      slab[at++] = 0x0a;
    }
    this.wrote(at);
    if (value !== null && !copyValue) {
      this.appendChunk(value);
      this.appendChunk(CRLF);
    }
  }
}
