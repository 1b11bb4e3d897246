/** A README block made up by a test: `source` as a ```ts block of FAKE.md starting at `line`. */
import { fencedBlocks, tsBlocks, type TsBlock } from '../src';

const fence = '```';

export function fakeBlock(source: string, line = 10): TsBlock {
  return tsBlocks(fencedBlocks('FAKE.md', `${'\n'.repeat(line - 1)}${fence}ts\n${source}${fence}\n`))[0]!;
}
