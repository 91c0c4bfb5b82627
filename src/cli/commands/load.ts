import { UsageError, type Command } from '../command.js';
import { openCliStore, shortId, storeOption } from './_store.js';

/**
 * `layerfs load SRC [NAME[:TAG]]`: copy into the store. Without NAME the
 * source names it: docker-archive RepoTags, or an oci layout's ref.name
 * (a bare tag becomes DIRNAME:TAG).
 */
const command: Command = {
  name: ['load'],
  summary: 'load an image into the store (from oci:, oci-archive:, docker-archive:, docker://)',
  usage: 'layerfs load [--platform os/arch[/variant]] [--store DIR] SRC [NAME[:TAG]]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption, platform: { type: 'string' } } });
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('load takes SRC and an optional NAME[:TAG]');
    const api = await import('../../node.js');
    const store = await openCliStore(values, io);
    const ref = api.parseImageReference(positionals[0]!);
    const src = await api.openSource(ref, { store, options: {} });
    let names: string[];
    try {
      await src.getManifest();
      names = positionals[1] ? [positionals[1]] : await suggested(api, ref, (await src.names?.()) ?? []);
    } catch (e) {
      await src.close?.();
      throw e;
    }
    const r = await api.copyImage(src, store.destination(names), values.platform ? { platform: values.platform } : {});
    io.stdout.write(`Loaded image ${names.map((n) => api.normalizeLocalName(n)).join(', ')} (${shortId(r.id)})\n`);
    return 0;
  },
};

async function suggested(api: typeof import('../../node.js'), ref: ReturnType<typeof api.parseImageReference>, names: string[]): Promise<string[]> {
  for (const n of names) {
    try {
      if (n.includes('/') || n.includes(':')) return [api.normalizeLocalName(n)];
      if ('path' in ref) {
        const base = ref.path.replace(/\/+$/, '').split('/').pop()!.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
        return [api.normalizeLocalName(`${base || 'image'}:${n}`)];
      }
    } catch {
      /* try the next one */
    }
  }
  throw new UsageError('the source does not name the image: give NAME[:TAG]');
}
export default command;
