/**
 * `store.build(opts)`: the builder as a Store method. The store sits below
 * the builder in the layers of the code, so the method is attached here
 * (as src/transport installs `store.copy`) and typed by augmentation.
 */
import { Store } from '../store/store.js';
import { build, type BuildOptions, type BuildResult } from './builder.js';

declare module '../store/store.js' {
  interface Store {
    /** Build an image from a Dockerfile into this store (see `build`). */
    build(opts: BuildOptions): Promise<BuildResult>;
  }
}

Store.prototype.build = function (this: Store, opts: BuildOptions): Promise<BuildResult> {
  return build(this, opts);
};
