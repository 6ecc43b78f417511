import { expect } from 'chai';
import { TurnBuffer } from '../../../src/shared/turn-buffer';

function sink(): { writes: string[]; write(t: string): void } {
  const writes: string[] = [];
  return { writes, write: (t: string) => void writes.push(t) };
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('TurnBuffer', () => {
  it('writes the lines of one event-loop turn with one write, at the end of the turn', async () => {
    const out = sink();
    const b = new TurnBuffer(out);
    b.write('a\n');
    b.write('b\n');
    expect(out.writes).to.deep.equal([]);
    await nextTurn();
    expect(out.writes).to.deep.equal(['a\nb\n']);
    b.write('c\n');
    await nextTurn();
    expect(out.writes).to.deep.equal(['a\nb\n', 'c\n']);
  });

  it('flush() writes at once, and an empty buffer writes nothing', async () => {
    const out = sink();
    const b = new TurnBuffer(out);
    b.flush();
    b.write('x\n');
    b.flush();
    expect(out.writes).to.deep.equal(['x\n']);
    await nextTurn();
    expect(out.writes).to.deep.equal(['x\n']);
  });

  it('does not hold more than 64 KiB within one turn', () => {
    const out = sink();
    const b = new TurnBuffer(out);
    const line = `${'y'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) b.write(line);
    expect(out.writes).to.have.length(1);
    expect(out.writes[0]).to.have.length(64 * 1024);
  });
});
