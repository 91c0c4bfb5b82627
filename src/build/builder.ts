/**
 * `build(store, opts)`: a Dockerfile and a context in, an image in the
 * store out, without a daemon or a process.
 *
 * 1. Everything that can be checked is checked before anything is built:
 *    the Dockerfile is parsed (RUN refused), every step is planned with its
 *    variables expanded, the base image is found.
 * 2. Each step then either reuses its cached result or runs. Metadata steps
 *    change only the config (history entry with `empty_layer: true`); each
 *    COPY/ADD writes one layer through the layer engine.
 * 3. Like Docker's classic builder, a cached step restores the whole image
 *    state it produced last time (config, history timestamps and all), so
 *    a fully cached build gives the very same image id, and a step's key
 *    chains on the state before it: (chain id, config digest) + the
 *    instruction as expanded + the digest of its inputs (names, modes,
 *    contents; never mtimes) + the output options.
 */
import { sha256 } from '../digest/index.js';
import { BuildError } from '../errors/BuildError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { LayerfsError } from '../errors/LayerfsError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { Image } from '../image/image.js';
import { MediaType } from '../image/media-types.js';
import { hostPlatform, parsePlatform } from '../image/platform.js';
import type { ImageConfig, Platform } from '../image/types.js';
import { diffTrees, type DiffResult } from '../layer/diff.js';
import { gzipLevelsSupported } from '../layer/compression.js';
import type { LayerCompression } from '../layer/layer-io.js';
import { parseLocalName } from '../store/names.js';
import type { BlobLease, Store } from '../store/store.js';
import { MemoryTree } from '../tree/memory.js';
import type { TreeReader } from '../tree/types.js';
import { copyImage, openSource, parseImageReference } from '../transport/index.js';
import type { UnionView } from '../union/view.js';
import { toBuildContext, type BuildContext, type ContextInput, type RememberedDigest } from './context.js';
import { planCopy, type PlanTree } from './copy-layer.js';
import { DockerIgnore } from './dockerignore.js';
import { parseDockerfile, type Dockerfile, type Stage } from './dockerfile/instructions.js';
import { expandWord } from './dockerfile/words.js';
import { rememberIndex } from './layer-index.js';
import { imageView, layerFromPlan, viewFs, viewReader, type KnownLayers } from './image-fs.js';
import { resolveOwner } from './owner.js';
import { globalArgValues, planStage, type PlannedStep } from './plan.js';
import { hashFiles, indexContext, inputsDigest, realPathOf, selectSources, type ContextIndex, type SourceRoot } from './sources.js';

/** Record kind of the build cache (src/store records; each keeps its image alive against gc). */
export const BUILD_CACHE = 'build-cache';
/**
 * Record kind marking the COPY/ADD instructions (as expanded, with the
 * output options) the cache holds a result for. A step whose mark is absent
 * cannot hit, so its inputs are hashed while its layer is written — one read
 * of every file instead of two (see `inputs`).
 */
export const BUILD_CACHE_STEPS = 'build-cache-steps';
/**
 * Record kind of the content digests a context on disk remembers between
 * builds (ContextDigestMemo), keyed by the sha256 of the context's path:
 * a rebuild reads only the files whose stamp changed.
 */
export const BUILD_CONTEXT_DIGESTS = 'build-context-digests';
const MEMO_VERSION = 1;
const CACHE_VERSION = 1;
/** Bytes of small input files a step keeps from hashing to packing (else they are read twice). */
const HOLD_BYTES = 256 * 1024 * 1024;
/**
 * gzip level of the layers a build writes unless told otherwise: 3, the
 * ratio the daemonless peer writes by default — umoci repack (klauspost
 * pgzip at its default level) gave 165.2 MiB for the bench context, zlib's
 * level 3 165.4 MiB, level 6 158.6 MiB (4 % smaller for about twice the
 * deflate CPU). Docker and BuildKit write Go compress/gzip's default, whose
 * ratio is zlib's 6: `compressionLevel: 6` (`--compression-level 6`) for
 * that. README, "Build", says the same.
 */
export const BUILD_GZIP_LEVEL = 3;
/** `comment` of the history entries a build writes (BuildKit writes buildkit.dockerfile.v0). */
export const HISTORY_COMMENT = 'layerfs.dockerfile.v0';

export interface BuildOptions {
  /** A directory (Node, through layerfs/node), a tree, a file map or File objects. */
  context: ContextInput | string;
  /** Path of the Dockerfile inside the context (default 'Dockerfile'). */
  dockerfile?: string;
  /** The Dockerfile's text, instead of reading it from the context (`-f` outside the context). */
  dockerfileText?: string;
  /** Names for the result (`name[:tag]`). */
  tag?: string | string[];
  buildArgs?: Record<string, string>;
  /** Build every step again (the results still refresh the cache). */
  noCache?: boolean;
  /** Seconds since the epoch: timestamps of the image and clamp for file mtimes (reproducible builds). */
  sourceDateEpoch?: number;
  /** `os/arch[/variant]` of a FROM scratch image and of bases picked from an index (default: the host's). */
  platform?: string;
  /** Layer compression (default gzip). */
  compression?: LayerCompression;
  /** Compression level (gzip 1-9, zstd 1-22; default: gzip BUILD_GZIP_LEVEL = 3, zstd 3). */
  compressionLevel?: number;
  /** Stage to build (its `AS name`); default the last one. */
  target?: string;
  /** Step lines, progress and warnings. */
  onEvent?: (e: BuildEvent) => void;
  /** Options for pulling a FROM that names another transport (credentials...). */
  copyOptions?: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface StepReport {
  number: number;
  total: number;
  text: string;
  kind: 'from' | 'arg' | 'meta' | 'copy';
  cached: boolean;
  /** The layer a COPY/ADD step made or reused. */
  layer?: { digest: string; diffId: string; size: number };
  /** Milliseconds the step took. */
  ms: number;
}

export type BuildEvent =
  | { type: 'step-start'; number: number; total: number; text: string }
  | ({ type: 'step-done' } & StepReport)
  | { type: 'progress'; number: number; phase: 'hash' | 'pack'; done: number; total: number }
  | { type: 'warning'; message: string };

export interface BuildResult {
  /** Image id (config digest). */
  id: string;
  /** Manifest digest. */
  digest: string;
  image: Image;
  names: string[];
  steps: StepReport[];
}

interface Inputs {
  roots: SourceRoot[];
  held: { bytes: Map<string, Uint8Array>; limit: number };
  /** The inputs digest; undefined when it is computed while packing (a step that cannot hit). */
  inputs: string | undefined;
  /** Content digests recorded by the layer writer as it reads the files (one pass). */
  recorded?: Map<string, string>;
}

/** A COPY/ADD step on its way: planned (with the view it was planned on), then packed. */
interface Packing {
  planned: Promise<{ planTree: PlanTree; view: UnionView }>;
  layer: Promise<DiffResult>;
}

function chainOf(img: Image): string {
  return img.layers.length ? img.layers[img.layers.length - 1]!.chainId : '';
}

interface CacheValue {
  manifest: string;
  text: string;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

async function readContextFile(ctx: BuildContext, path: string): Promise<Uint8Array | undefined> {
  try {
    return await ctx.readBytes(path);
  } catch (e) {
    if (e instanceof NotFoundError || (e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'NOT_FOUND') return undefined;
    throw e;
  }
}

/** Stages the target needs: itself and the stages its FROM names, in order. */
function neededStages(df: Dockerfile, target: Stage, globals: Map<string, string>): Stage[] {
  const need = new Set<number>();
  const visit = (st: Stage) => {
    if (need.has(st.index)) return;
    need.add(st.index);
    const name = expandWord(st.from.image, globals, { escape: df.escape, line: st.from.raw.line }).toLowerCase();
    const dep = df.stages.find((s, i) => i < st.index && (s.name === name || String(s.index) === name));
    if (dep) visit(dep);
  };
  visit(target);
  return df.stages.filter((s) => need.has(s.index));
}

class Builder {
  private readonly known: KnownLayers = new Map();
  private ctxIndex?: ContextIndex;
  private number = 0;
  private readonly reports: StepReport[] = [];
  private readonly compression: LayerCompression;
  /** The level layers are written at (part of every COPY/ADD cache key). */
  private readonly level?: number;
  private readonly epoch?: number;

  constructor(
    private readonly store: Store,
    private readonly opts: BuildOptions,
    private readonly ctx: BuildContext,
    private readonly ignore: DockerIgnore,
    private readonly total: number,
    /** Blobs the build writes or relies on before a record reaches them (see `hold`). */
    private readonly lease: BlobLease,
  ) {
    this.compression = opts.compression ?? 'gzip';
    // Browsers' CompressionStream has no levels: there the default is its one (6).
    this.level = opts.compressionLevel ?? (this.compression === 'gzip' && gzipLevelsSupported() ? BUILD_GZIP_LEVEL : undefined);
    this.epoch = opts.sourceDateEpoch;
  }

  /**
   * Keep blobs alive against gc and rmi in any process until the build ends
   * (store leases): the base, cache hits, and each layer, config and
   * manifest from before they are written until a cache record or the tag
   * reaches them. Held before the build checks they exist, so a collection
   * cannot remove them between the check and the use.
   */
  private async hold(img: Image | undefined, ...digests: string[]): Promise<void> {
    const all = img ? [img.digest, img.id, ...img.layers.map((l) => l.digest), ...digests] : digests;
    await this.lease.add(all);
  }

  private emit(e: BuildEvent): void {
    this.opts.onEvent?.(e);
  }

  private stepTime(): string {
    return this.epoch !== undefined ? isoTime(this.epoch) : new Date().toISOString();
  }

  private async contextIndex(): Promise<ContextIndex> {
    if (!this.ctxIndex) {
      const all = await this.ctx.list();
      const kept = this.ignore.empty ? all : all.filter((e) => !this.ignore.ignores(e.path));
      this.ctxIndex = indexContext(this.ctx, kept);
    }
    return this.ctxIndex;
  }

  private async cacheKey(image: Image, text: string, inputs: string): Promise<string> {
    const chain = image.layers.length ? image.layers[image.layers.length - 1]!.chainId : '';
    const level = this.level;
    const doc = JSON.stringify({ v: CACHE_VERSION, chain, config: image.id, step: text, inputs, epoch: this.epoch ?? null, compression: this.compression, ...(level === undefined ? {} : { level }) });
    return (await sha256(new TextEncoder().encode(doc))).slice('sha256:'.length);
  }

  /** Key of a step's mark (BUILD_CACHE_STEPS): the instruction and output options, no state or inputs. */
  private async stepMark(text: string): Promise<string> {
    const doc = JSON.stringify({ v: CACHE_VERSION, step: text, epoch: this.epoch ?? null, compression: this.compression, level: this.level ?? null });
    return (await sha256(new TextEncoder().encode(doc))).slice('sha256:'.length);
  }

  /** False when the cache surely holds no result for this instruction (never built here, or --no-cache). */
  private async mayHit(text: string): Promise<boolean> {
    if (this.opts.noCache) return false;
    return (await this.store.records<boolean>(BUILD_CACHE_STEPS).get(await this.stepMark(text))) !== undefined;
  }

  /** The cached image of a key, if every blob it needs is still in the store (gc may have swept some). */
  private async lookup(key: string): Promise<Image | undefined> {
    if (this.opts.noCache) return undefined;
    const rec = await this.store.records<CacheValue>(BUILD_CACHE).get(key);
    if (!rec) return undefined;
    try {
      await this.hold(undefined, rec.manifest); // its config and layers too (gc follows a manifest)
      if (!(await this.store.hasBlob(rec.manifest))) return undefined;
      const img = await this.store.imageByDigest(rec.manifest);
      for (const l of img.layers) if (!(await this.store.hasBlob(l.digest))) return undefined;
      return img;
    } catch (e) {
      if (e instanceof LayerfsError) return undefined; // a damaged entry is a miss, and is overwritten below
      throw e;
    }
  }

  private async remember(key: string, image: Image, text: string): Promise<void> {
    await this.hold(image);
    await this.store.putImage(image);
    await this.store.records<CacheValue>(BUILD_CACHE).put(key, { manifest: image.digest, text }, { blobs: [image.digest] });
  }

  private async baseImage(stage: Stage, globals: Map<string, string>, built: Map<number, Image>, df: Dockerfile): Promise<{ image: Image; text: string }> {
    const line = stage.from.raw.line;
    const ref = expandWord(stage.from.image, globals, { escape: df.escape, line });
    const platformText = stage.from.platform ? expandWord(stage.from.platform, globals, { escape: df.escape, line }) : this.opts.platform;
    const text = `FROM ${stage.from.platform ? `--platform=${platformText} ` : ''}${ref}${stage.name ? ` AS ${stage.name}` : ''}`;
    const dep = df.stages.find((s, i) => i < stage.index && (s.name === ref.toLowerCase() || String(s.index) === ref));
    if (dep) return { image: built.get(dep.index)!, text };
    if (ref.toLowerCase() === 'scratch') {
      const p: Platform = platformText ? parsePlatform(platformText) : { ...hostPlatform(), os: 'linux' };
      return { image: await Image.empty(p, isoTime(0)), text };
    }
    let tref;
    try {
      tref = parseImageReference(ref);
    } catch (e) {
      throw new BuildError(`Dockerfile line ${line}: FROM ${ref}: ${(e as Error).message}`, { line, ref }, { cause: e });
    }
    if (tref.transport === 'local') {
      try {
        return { image: await this.store.image(tref.name), text };
      } catch (e) {
        if (e instanceof NotFoundError) {
          throw new NotFoundError(`Dockerfile line ${line}: FROM ${ref}: no such image in the store ${this.store.location} (copy it in first, or name a transport: docker://, oci:, oci-archive:, docker-archive:)`, { line, ref }, { cause: e });
        }
        throw e;
      }
    }
    // Another transport: copy the image's blobs into the store (no name), as a pull would.
    const source = await openSource(tref, { store: this.store, options: this.opts.copyOptions ?? {} });
    const res = await copyImage(source, this.store.destination([]), { platform: platformText, signal: this.opts.signal });
    return { image: res.image, text };
  }

  private begin(text: string): { number: number; t0: number } {
    this.number++;
    this.emit({ type: 'step-start', number: this.number, total: this.total, text });
    return { number: this.number, t0: now() };
  }

  private done(s: { number: number; t0: number }, r: Omit<StepReport, 'number' | 'total' | 'ms'>): void {
    const rep: StepReport = { number: s.number, total: this.total, ms: Math.round(now() - s.t0), ...r };
    this.reports.push(rep);
    this.emit({ type: 'step-done', ...rep });
  }

  /** Sources of a COPY/ADD, the bytes of its small files (held for packing) and the digest of it all. */
  private async inputs(step: PlannedStep, number: number): Promise<Inputs> {
    const copy = step.copy!;
    const line = step.instruction.raw.line;
    const ix = await this.contextIndex();
    const roots = selectSources(ix, copy.sources, line, copy.add ? 'ADD' : 'COPY');
    const held = { bytes: new Map<string, Uint8Array>(), limit: HOLD_BYTES };
    // A step that cannot hit needs its key only after its layer is written: the
    // writer hashes each file as it reads it (contexts with transient reads).
    if (this.ctx.readTransient && !(await this.mayHit(step.text))) return { roots, held, inputs: undefined, recorded: new Map() };
    const contents = await hashFiles(
      this.ctx,
      roots.flatMap((r) => (r.entry.type === 'directory' ? r.children : [r.entry])),
      (done, total) => this.emit({ type: 'progress', number, phase: 'hash', done, total }),
      this.opts.signal,
      held,
    );
    return { roots, held, inputs: await inputsDigest(roots, contents) };
  }

  /** The inputs digest of a one-pass step, once its layer is written: recorded digests, plus any file the writer did not read through readTransient. */
  private async inputsAfterPack(inp: Inputs, number: number): Promise<string> {
    const contents = inp.recorded!;
    const rest = inp.roots.flatMap((r) => (r.entry.type === 'directory' ? r.children : [r.entry])).filter((e) => e.type === 'file' && !contents.has(realPathOf(e)));
    if (rest.length) {
      const more = await hashFiles(this.ctx, rest, (done, total) => this.emit({ type: 'progress', number, phase: 'hash', done, total }), this.opts.signal);
      for (const [k, v] of more) contents.set(k, v);
    }
    return inputsDigest(inp.roots, contents);
  }

  /** Plan a COPY/ADD against `view`, then write its layer (the returned promises settle in that order). */
  private pack(step: PlannedStep, view: UnionView, inp: Inputs, number: number): Packing {
    const held = inp.held;
    const copy = step.copy!;
    const line = step.instruction.raw.line;
    const planned = (async () => {
      const owner = copy.chown ? await resolveOwner(copy.chown, viewReader(view), line) : undefined;
      const nowSeconds = this.epoch ?? Math.floor(Date.now() / 1000);
      const planTree = await planCopy({ fs: viewFs(view), ctx: this.ctx, roots: inp.roots, step: copy, owner, now: nowSeconds, line, bytes: held.bytes, record: inp.recorded });
      return { planTree, view };
    })();
    const layer = planned.then(async ({ planTree }) => {
      const total = [...planTree.entries.values()].reduce((n, p) => n + (p.entry.type === 'file' ? p.entry.size : 0), 0);
      let packed = 0;
      planTree.onRead = (n) => {
        packed += n;
        this.emit({ type: 'progress', number, phase: 'pack', done: packed, total });
      };
      try {
        return await diffTrees(new MemoryTree() as TreeReader, planTree, { compression: this.compression, level: this.level, sourceDateEpoch: this.epoch, signal: this.opts.signal });
      } finally {
        planTree.onRead = undefined;
        held.bytes.clear();
      }
    });
    // Either may go unobserved (a failed plan leaves `layer` unread; dropped speculative work both).
    planned.catch(() => {});
    layer.catch(() => {});
    return { planned, layer };
  }

  /** The FROM step: resolves (and, for another transport, copies in) the base image. */
  async from(stage: Stage, df: Dockerfile, globals: Map<string, string>, built: Map<number, Image>): Promise<Image> {
    const shown = expandWord(stage.from.image, globals, { escape: df.escape, line: stage.from.raw.line });
    const s0 = this.begin(`FROM ${shown}`);
    const { image, text } = await this.baseImage(stage, globals, built, df);
    // An untagged base (pulled from another transport), or one untagged while we build, must outlive the build.
    if (image.layers.length) await this.hold(image);
    this.done(s0, { text, kind: 'from', cached: false });
    const triggers = image.config.config?.OnBuild;
    if (Array.isArray(triggers) && triggers.length) {
      this.emit({ type: 'warning', message: `the base image of line ${stage.from.raw.line} has ONBUILD triggers; layerfs does not run them: ${triggers.join('; ')}` });
    }
    return image;
  }

  async buildStage(base: Image, plan: PlannedStep[]): Promise<Image> {
    let image = base;
    // The file tree only changes with layers: a view is reused while the chain id stays.
    let view: { chain: string; view: UnionView } | undefined;
    const viewOf = async (img: Image): Promise<UnionView> => {
      if (view?.chain !== chainOf(img)) view = { chain: chainOf(img), view: await imageView(this.store, img, this.known) };
      return view.view;
    };
    const speculative = new Map<PlannedStep, Packing>();
    const speculate = (after: PlannedStep, viewAfter: UnionView) => {
      const next = plan.slice(plan.indexOf(after) + 1).find((x) => x.kind === 'copy');
      if (!next || speculative.has(next)) return;
      const planned = inputsOf(next).then((inp) => this.pack(next, viewAfter, inp, next.number + offset));
      const p: Packing = { planned: planned.then((w) => w.planned), layer: planned.then((w) => w.layer) };
      p.planned.catch(() => {});
      p.layer.catch(() => {}); // observed if the step misses the cache; dropped if it hits
      speculative.set(next, p);
    };

    // A step's inputs (sources, their bytes and digest) do not depend on the
    // steps before it, so the next COPY's inputs are hashed while this one's
    // layer is packed (compression runs off the main thread; hashing fills it).
    const offset = this.number - 1; // global number of this stage's FROM, minus one
    const prepared = new Map<PlannedStep, Promise<Inputs>>();
    const inputsOf = (step: PlannedStep): Promise<Inputs> => {
      let p = prepared.get(step);
      if (!p) {
        p = this.inputs(step, step.number + offset);
        p.catch(() => {}); // observed when the step runs
        prepared.set(step, p);
      }
      return p;
    };
    const prefetchAfter = (step: PlannedStep) => {
      const next = plan.slice(plan.indexOf(step) + 1).find((x) => x.kind === 'copy');
      if (next) void inputsOf(next);
    };

    for (const step of plan) {
      this.opts.signal?.throwIfAborted();
      const s = this.begin(step.text);
      if (step.kind === 'arg') {
        this.done(s, { text: step.text, kind: 'arg', cached: false });
        continue;
      }
      if (step.kind === 'meta') {
        const key = await this.cacheKey(image, step.text, '');
        const hit = await this.lookup(key);
        if (hit) {
          image = hit;
          this.done(s, { text: step.text, kind: 'meta', cached: true });
          continue;
        }
        const t = this.stepTime();
        image = await image.withConfig((c: ImageConfig) => {
          step.apply!(c);
          c.created = t;
          c.history = [...(c.history ?? []), { created: t, created_by: step.text, comment: HISTORY_COMMENT, empty_layer: true }];
        });
        await this.remember(key, image, step.text);
        this.done(s, { text: step.text, kind: 'meta', cached: false });
        continue;
      }

      // COPY / ADD
      const inp = await inputsOf(step);
      // The next COPY's inputs are hashed meanwhile (this lookup, or this layer, leaves a thread idle).
      prefetchAfter(step);
      const { held } = inp;
      let key = inp.inputs === undefined ? undefined : await this.cacheKey(image, step.text, inp.inputs);
      const hit = key === undefined ? undefined : await this.lookup(key);
      if (hit) {
        image = hit;
        held.bytes.clear();
        speculative.delete(step);
        const l = hit.layers[hit.layers.length - 1]!;
        this.done(s, { text: step.text, kind: 'copy', cached: true, layer: { digest: l.digest, diffId: l.diffId, size: l.size } });
        continue;
      }
      // A layer may already be on its way: packed while the previous COPY was (see `speculate`).
      let work = speculative.get(step);
      speculative.delete(step);
      if (!work) work = this.pack(step, await viewOf(image), inp, s.number);
      const { planTree, view: stepView } = await work.planned;
      // The next COPY sees this step's files and nothing else changes them in between
      // (metadata steps only touch the config), so it can be planned and packed now,
      // in parallel with this one; if its key then hits the cache, that work is dropped.
      const stepLayer = layerFromPlan(planTree);
      speculate(step, stepView.withLayer(stepLayer));
      const layer = await work.layer;
      if (key === undefined) {
        key = await this.cacheKey(image, step.text, await this.inputsAfterPack(inp, s.number));
        // Another build may have stored this step meanwhile: its result wins, as a hit would have.
        const late = await this.lookup(key);
        if (late) {
          image = late;
          speculative.clear();
          await this.store.records<boolean>(BUILD_CACHE_STEPS).put(await this.stepMark(step.text), true);
          const l = late.layers[late.layers.length - 1]!;
          this.done(s, { text: step.text, kind: 'copy', cached: true, layer: { digest: l.digest, diffId: l.diffId, size: l.size } });
          continue;
        }
      }
      await this.hold(undefined, layer.digest);
      if (!(await this.store.hasBlob(layer.digest))) {
        const chunks = layer.chunks ?? [layer.bytes!];
        let next = 0;
        // The digest was computed by the same pass that produced the bytes: hand them to the backend as they are.
        const pending = await this.store.backend.putBlob(
          layer.digest,
          new ReadableStream<Uint8Array>({
            pull(c) {
              if (next < chunks.length) c.enqueue(chunks[next++]!);
              else c.close();
            },
          }),
        );
        await pending.commit();
      }
      const t = this.stepTime();
      const before = image;
      image = await image.derive(({ config, layers }) => {
        layers.push({ mediaType: before.mediaType === MediaType.dockerManifest ? dockerLayerType(this.compression) : layer.mediaType, digest: layer.digest, size: layer.size });
        config.rootfs.diff_ids.push(layer.diffId);
        config.created = t;
        config.history = [...(config.history ?? []), { created: t, created_by: step.text, comment: HISTORY_COMMENT }];
      });
      await rememberIndex(this.store, layer, planTree, this.epoch);
      this.known.set(layer.diffId, stepLayer);
      view = { chain: chainOf(image), view: stepView.withLayer(stepLayer) };
      await this.remember(key, image, step.text);
      await this.store.records<boolean>(BUILD_CACHE_STEPS).put(await this.stepMark(step.text), true);
      this.done(s, { text: step.text, kind: 'copy', cached: false, layer: { digest: layer.digest, diffId: layer.diffId, size: layer.size } });
    }
    return image;
  }

  get steps(): StepReport[] {
    return this.reports;
  }
}

function dockerLayerType(c: LayerCompression): string {
  return c === 'gzip' ? MediaType.dockerLayerGzip : c === 'zstd' ? 'application/vnd.docker.image.rootfs.diff.tar.zstd' : MediaType.dockerLayer;
}

/**
 * Build an image from a Dockerfile. Errors (all LayerfsError): DockerfileParseError
 * and UnsupportedInstructionError before anything is built; BuildError,
 * NotFoundError (missing sources or base) naming the Dockerfile line.
 */
export async function build(store: Store, opts: BuildOptions): Promise<BuildResult> {
  if (!opts || opts.context === undefined || opts.context === null) throw new InvalidArgumentError('build needs a context');
  if (opts.sourceDateEpoch !== undefined && !(Number.isSafeInteger(opts.sourceDateEpoch) && opts.sourceDateEpoch >= 0)) {
    throw new InvalidArgumentError(`sourceDateEpoch must be a non-negative whole number of seconds, got ${String(opts.sourceDateEpoch)}`);
  }
  const names = opts.tag === undefined ? [] : Array.isArray(opts.tag) ? opts.tag : [opts.tag];
  for (const n of names) parseLocalName(n); // a bad name fails now, not after the build
  const ctx = await toBuildContext(opts.context);
  const memo = ctx.digestMemo;
  const memoKey = memo && (await sha256(new TextEncoder().encode(memo.key))).slice('sha256:'.length);
  // --no-cache reads every file again (what it learns is still remembered).
  if (memo && memoKey && !opts.noCache) {
    try {
      const rec = await store.records<{ v: number; files: Record<string, RememberedDigest> }>(BUILD_CONTEXT_DIGESTS).get(memoKey);
      if (rec?.v === MEMO_VERSION && rec.files && typeof rec.files === 'object') memo.restore(rec.files);
    } catch (e) {
      if (!(e instanceof LayerfsError)) throw e; // a damaged record is as good as none: everything is hashed
    }
  }
  let text = opts.dockerfileText;
  const dfPath = opts.dockerfile ?? 'Dockerfile';
  if (text === undefined) {
    const bytes = await readContextFile(ctx, dfPath.replace(/^\/+/, ''));
    if (!bytes) throw new NotFoundError(`no ${dfPath} in the build context (${ctx.description})`, { path: dfPath });
    text = new TextDecoder().decode(bytes);
  }
  const df = parseDockerfile(text);
  const ignoreBytes = await readContextFile(ctx, '.dockerignore');
  const ignore = new DockerIgnore(ignoreBytes ? new TextDecoder().decode(ignoreBytes) : '');

  const buildArgs = opts.buildArgs ?? {};
  const consumed = new Set<string>();
  const globals = globalArgValues(df.globalArgs, buildArgs, df.escape, consumed);
  let target = df.stages[df.stages.length - 1]!;
  if (opts.target !== undefined) {
    const t = df.stages.find((s) => s.name === opts.target!.toLowerCase());
    if (!t) throw new InvalidArgumentError(`no stage named ${JSON.stringify(opts.target)} in the Dockerfile`, { target: opts.target });
    target = t;
  }
  const stages = neededStages(df, target, globals);

  const total = stages.reduce((n, s) => n + 1 + s.steps.length, 0);
  // Blobs are written before anything names them: a gc running meanwhile (here or in another process) must not take them.
  const lease = await store.lease();
  try {
    const builder = new Builder(store, opts, ctx, ignore, total, lease);
    const built = new Map<number, Image>();
    let last: Image | undefined;
    for (const st of stages) {
      // The base first, so that expansions see its ENV; then every step of the stage is planned before one runs.
      const base = await builder.from(st, df, globals, built);
      const plan = planStage({ stage: st, baseConfig: base.config.config, globalArgs: globals, buildArgs, escape: df.escape });
      for (const a of plan.consumedArgs) consumed.add(a);
      last = await builder.buildStage(base, plan.steps);
      built.set(st.index, last);
    }
    const unused = Object.keys(buildArgs).filter((k) => !consumed.has(k));
    if (unused.length) opts.onEvent?.({ type: 'warning', message: `build args not consumed by any ARG: ${unused.join(', ')}` });

    await lease.add([last!.digest, last!.id]);
    await store.putImage(last!, names);
    const files = memo?.dump();
    if (files && memoKey) await store.records(BUILD_CONTEXT_DIGESTS).put(memoKey, { v: MEMO_VERSION, files });
    return { id: last!.id, digest: last!.digest, image: last!, names, steps: builder.steps };
  } finally {
    await lease.release();
  }
}
