/**
 * A small in-memory stand-in for the File System Access API (the part
 * OpfsBackend uses), so the OPFS backend's logic runs under Node. It keeps
 * the semantics that matter: createWritable() writes to a swap copy that
 * replaces the file only on close(), abort() drops it; missing entries throw
 * DOMException NotFoundError; a kind mismatch throws TypeMismatchError.
 * Real Chromium runs are the browser suite's job.
 */
type Node = FakeDir | FakeFile;

function err(name: string, msg: string): DOMException {
  return new DOMException(msg, name);
}

export class FakeFile {
  readonly kind = 'file';
  data = new Uint8Array(0);
  mtime = Date.now();
  constructor(public name: string, private parent: FakeDir, withMove: boolean) {
    if (!withMove) (this as { move?: unknown }).move = undefined;
  }
  async getFile(): Promise<File> {
    return new File([this.data.slice()], this.name, { lastModified: this.mtime });
  }
  async createWritable() {
    const parts: Uint8Array[] = [];
    let closed = false;
    return {
      write: async (d: Uint8Array | string) => {
        if (closed) throw err('InvalidStateError', 'closed');
        parts.push(typeof d === 'string' ? new TextEncoder().encode(d) : d.slice());
      },
      close: async () => {
        closed = true;
        const n = parts.reduce((a, p) => a + p.length, 0);
        const out = new Uint8Array(n);
        let o = 0;
        for (const p of parts) {
          out.set(p, o);
          o += p.length;
        }
        this.data = out;
        this.mtime = Date.now();
      },
      abort: async () => {
        closed = true;
      },
    };
  }
  async move(dir: FakeDir, name: string): Promise<void> {
    this.parent.children.delete(this.name);
    this.name = name;
    this.parent = dir;
    dir.children.set(name, this);
  }
}

export class FakeDir {
  readonly kind = 'directory';
  readonly children = new Map<string, Node>();
  constructor(public name: string, private readonly withMove = true) {}
  async getDirectoryHandle(name: string, opts: { create?: boolean } = {}): Promise<FakeDir> {
    const c = this.children.get(name);
    if (c instanceof FakeDir) return c;
    if (c) throw err('TypeMismatchError', `${name} is a file`);
    if (!opts.create) throw err('NotFoundError', `${name} not found`);
    const d = new FakeDir(name, this.withMove);
    this.children.set(name, d);
    return d;
  }
  async getFileHandle(name: string, opts: { create?: boolean } = {}): Promise<FakeFile> {
    const c = this.children.get(name);
    if (c instanceof FakeFile) return c;
    if (c) throw err('TypeMismatchError', `${name} is a directory`);
    if (!opts.create) throw err('NotFoundError', `${name} not found`);
    const f = new FakeFile(name, this, this.withMove);
    this.children.set(name, f);
    return f;
  }
  async removeEntry(name: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const c = this.children.get(name);
    if (!c) throw err('NotFoundError', `${name} not found`);
    if (c instanceof FakeDir && c.children.size && !opts.recursive) throw err('InvalidModificationError', 'not empty');
    this.children.delete(name);
  }
  async *keys(): AsyncIterableIterator<string> {
    for (const k of [...this.children.keys()]) yield k;
  }
}
