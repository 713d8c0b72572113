import { StringDecoder } from 'node:string_decoder';

/** Docker splits a log line longer than this into several messages (json-file and journald). */
export const DOCKER_LINE_SPLIT = 16 * 1024;
/** Lines longer than this are delivered in pieces, each marked as continued. */
export const MAX_LINE = 1024 * 1024;

/**
 * Bytes → lines: UTF-8 decoded as a stream so a character split across chunks is never
 * replaced, lines joined across chunks, very long lines delivered in marked pieces rather than
 * dropped, and the last partial line flushed at the end.
 */
export class LineAssembler {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer): void {
    const text = this.partial + this.decoder.write(chunk);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.emit(text.slice(start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
    while (this.partial.length > MAX_LINE) {
      this.emit(`${this.partial.slice(0, MAX_LINE)} ⏎(continued)`);
      this.partial = this.partial.slice(MAX_LINE);
    }
  }

  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest.length > 0) this.emit(rest);
  }
}
