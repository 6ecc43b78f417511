import { expect } from 'chai';
import { LineBuffer } from '../../../src/shared/line-buffer';

function sink(): { writes: string[]; write(t: string): void } {
  const writes: string[] = [];
  return { writes, write: (t: string) => void writes.push(t) };
}

const after = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('LineBuffer', () => {
  it('writes the lines gathered within 20 ms with one write', async () => {
    const out = sink();
    const b = new LineBuffer(out);
    b.write('a\n');
    b.write('b\n');
    expect(out.writes).to.deep.equal([]);
    await after(40);
    expect(out.writes).to.deep.equal(['a\nb\n']);
    b.write('c\n');
    await after(40);
    expect(out.writes).to.deep.equal(['a\nb\n', 'c\n']);
  });

  it('flush() writes at once and cancels the pending timer; an empty buffer writes nothing', async () => {
    const out = sink();
    const b = new LineBuffer(out);
    b.flush();
    b.write('x\n');
    b.flush();
    expect(out.writes).to.deep.equal(['x\n']);
    await after(40);
    expect(out.writes).to.deep.equal(['x\n']);
  });

  it('does not hold more than 64 KiB', () => {
    const out = sink();
    const b = new LineBuffer(out);
    const line = `${'y'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) b.write(line);
    expect(out.writes).to.have.length(1);
    expect(out.writes[0]).to.have.length(64 * 1024);
  });
});
