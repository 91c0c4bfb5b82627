/**
 * Building images from a Dockerfile (browser-safe part). Importing this
 * module also installs `store.build`. A context directory on disk needs
 * layerfs/node (src/build/node.ts).
 */
import './store-method.js';

export { build, BUILD_CACHE, BUILD_CACHE_STEPS, BUILD_CONTEXT_DIGESTS, BUILD_GZIP_LEVEL, HISTORY_COMMENT, type BuildOptions, type BuildResult, type BuildEvent, type StepReport } from './builder.js';
export { memoryContext, treeContext, toBuildContext, type BuildContext, type ContextDigestMemo, type ContextEntry, type ContextFiles, type ContextFileValue, type ContextInput } from './context.js';
export { parseDockerfile, type Dockerfile, type Instruction, type InstructionKind, type Stage } from './dockerfile/instructions.js';
export { DockerIgnore } from './dockerignore.js';
export { pruneBuildCache } from './prune.js';
