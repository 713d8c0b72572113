/**
 * Splits Docker's multiplexed (non-TTY) stream into stdout and stderr. Each frame is an 8-byte
 * header — stream type, 3 zero bytes, big-endian payload length — then the payload; a chunk from
 * the socket may end anywhere, inside a header or a payload, so state is kept across chunks.
 */
export class DockerDemuxer {
  private header = Buffer.alloc(8);
  private headerFill = 0;
  private remaining = 0;
  private stream: 'stdout' | 'stderr' = 'stdout';

  constructor(private readonly emit: (stream: 'stdout' | 'stderr', payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining === 0) {
        const take = Math.min(8 - this.headerFill, chunk.length - i);
        chunk.copy(this.header, this.headerFill, i, i + take);
        this.headerFill += take;
        i += take;
        if (this.headerFill < 8) return;
        this.headerFill = 0;
        // 1 = stdout, 2 = stderr; 0 (stdin) does not occur in output and is shown as stdout.
        this.stream = this.header[0] === 2 ? 'stderr' : 'stdout';
        this.remaining = this.header.readUInt32BE(4);
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - i);
      this.emit(this.stream, chunk.subarray(i, i + take));
      this.remaining -= take;
      i += take;
    }
  }
}
