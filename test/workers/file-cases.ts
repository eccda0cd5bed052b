// What every pool promises of Files and Blobs: they reach Python as read-only binary file
// objects (an io.BytesIO subclass with name, type and size), at any depth, in map items
// and in messages. Shared by the normal pool's suite (data-in-out.test.ts) and the
// sandboxed ones (sandbox-cases.ts), where WebKit needs the page to send the bytes.
import { expect } from 'chai';
import { PythonError, type PyodidePool } from '../../workers/index.js';
import { rejection } from '../helpers.js';

const csv = (name: string, rows: string[][]) => new File([rows.map((r) => r.join(',')).join('\n') + '\n'], name, { type: 'text/csv' });

export function fileCases(pool: () => PyodidePool): void {
  it('gives a File as a file object with its name, type and size', async () => {
    const file = csv('people.csv', [
      ['name', 'age'],
      ['Ada', '36'],
    ]);
    const code = 'import io\n[item.name, item.type, item.size, isinstance(item, io.BytesIO), item.read().decode()]';
    expect(await pool().run(code, { inputs: { item: file } })).to.deep.equal(['people.csv', 'text/csv', file.size, true, 'name,age\nAda,36\n']);
  });

  it('reads text through io.TextIOWrapper, as API.md shows, for every file of a map', async () => {
    const files = [csv('a.csv', [['x'], ['1'], ['2']]), csv('b.csv', [['y'], ['3']])];
    expect(await pool().map('import csv, io\nlen(list(csv.reader(io.TextIOWrapper(item))))', files)).to.deep.equal([3, 2]);
  });

  it('converts Blobs at any depth, a Blob without a name included', async () => {
    const inputs = { batch: { files: [new Blob([new Uint8Array([1, 2, 3])], { type: 'application/octet-stream' })] } };
    expect(await pool().run('f = batch["files"][0]\n[f.name, f.type, list(f.read())]', { inputs })).to.deep.equal(['', 'application/octet-stream', [1, 2, 3]]);
  });

  it('refuses to write to a File from the page', async () => {
    const err = (await rejection(pool().run('item.write(b"x")', { inputs: { item: new Blob(['abc']) } }))) as PythonError;
    expect(err).to.be.instanceOf(PythonError);
    expect(err.pythonType).to.equal('UnsupportedOperation');
  });

  it('delivers a File sent as a message', async () => {
    const task = pool().submit('from worker_pool import receive_async\nf = await receive_async()\nf.read().decode()');
    task.send(new File(['hello'], 'hello.txt'));
    expect(await task.result).to.equal('hello');
  });
}
