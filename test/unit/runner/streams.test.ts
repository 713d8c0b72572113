import assert from 'node:assert/strict';
import { DockerDemuxer } from '../../../src/runner/docker/demux';
import { LineAssembler, MAX_LINE } from '../../../src/runner/lineAssembler';
import { makeMasker } from '../../../src/runner/secretMasker';

function frame(stream: 1 | 2, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

describe('log streams', () => {
  it('demultiplexes a stream whose header is split 3+5 bytes and whose payload splits a UTF-8 character', () => {
    const out: string[] = [];
    const err: string[] = [];
    const outLines = new LineAssembler((l) => out.push(l));
    const errLines = new LineAssembler((l) => err.push(l));
    const d = new DockerDemuxer((s, p) => (s === 'stderr' ? errLines : outLines).push(p));
    const bytes = Buffer.concat([
      frame(1, Buffer.from('grüße\nzweite ')),
      frame(2, Buffer.from('⚠ fehler\n')),
      frame(1, Buffer.from('zeile\n')),
    ]);
    // Split: 3 bytes of the first header, then 5, then the payload cut inside "ü" (2 bytes in UTF-8).
    const cuts = [3, 8, 8 + 3, 8 + 4, bytes.length - 4];
    let prev = 0;
    for (const c of [...cuts, bytes.length]) {
      d.push(bytes.subarray(prev, c));
      prev = c;
    }
    outLines.end();
    errLines.end();
    assert.deepEqual(out, ['grüße', 'zweite zeile']);
    assert.deepEqual(err, ['⚠ fehler']);
    assert.ok(!out.join('').includes('\uFFFD'));
  });

  it('keeps a 40 KB single line whole', () => {
    const lines: string[] = [];
    const a = new LineAssembler((l) => lines.push(l));
    const long = 'x'.repeat(40 * 1024);
    for (let i = 0; i < long.length; i += 16 * 1024) a.push(Buffer.from(long.slice(i, i + 16 * 1024)));
    a.push(Buffer.from('\n'));
    a.end();
    assert.deepEqual(lines, [long]);
  });

  it('delivers a line longer than the cap in marked pieces, never dropped', () => {
    const lines: string[] = [];
    const a = new LineAssembler((l) => lines.push(l));
    a.push(Buffer.from('y'.repeat(MAX_LINE + 10)));
    a.end();
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /continued/);
    assert.equal(lines[1], 'y'.repeat(10));
  });

  it('flushes the last line without a newline at the end', () => {
    const lines: string[] = [];
    const a = new LineAssembler((l) => lines.push(l));
    a.push(Buffer.from('a\r\nb'));
    a.end();
    assert.deepEqual(lines, ['a', 'b']);
  });

  it('masks a secret split across two chunks, both times it appears', () => {
    const mask = makeMasker(['s3cr3t-value', 'short']);
    const lines: string[] = [];
    const a = new LineAssembler((l) => lines.push(mask(l)));
    a.push(Buffer.from('token=s3cr'));
    a.push(Buffer.from('3t-value and again s3cr3t-value\n'));
    a.end();
    assert.deepEqual(lines, ['token=*** and again ***']);
  });

  it('masks the longer of two overlapping secrets whole', () => {
    assert.equal(makeMasker(['abcd', 'abcdefg'])('x abcdefg y abcd'), 'x *** y ***');
  });
});
