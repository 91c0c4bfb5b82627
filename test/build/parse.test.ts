import { describe, expect, it } from 'vitest';
import { DockerfileParseError, UnsupportedInstructionError, openMemoryStore, isLayerfsError } from '../../src/index.js';
import { build } from '../../src/build/index.js';
import { parseDockerfile, type Instruction } from '../../src/build/dockerfile/instructions.js';
import { expandWord, splitWords } from '../../src/build/dockerfile/words.js';

function steps(text: string): Instruction[] {
  const df = parseDockerfile(text);
  return df.stages[df.stages.length - 1]!.steps;
}

function parseFails(text: string): DockerfileParseError {
  try {
    parseDockerfile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(DockerfileParseError);
    expect((e as DockerfileParseError).code).toBe('DOCKERFILE_PARSE');
    return e as DockerfileParseError;
  }
  throw new Error('expected a parse error');
}

describe('Dockerfile parser: every instruction', () => {
  const df = parseDockerfile(
    [
      '# syntax=docker/dockerfile:1',
      'ARG BASE=scratch',
      'FROM --platform=linux/arm64 ${BASE} AS first',
      'COPY --chown=10:20 --chmod=0640 a b /dst/',
      'ADD ["x y.tar", "/opt/"]',
      'ENV A=1 B="two words" C=three\\ four',
      'ENV LEGACY value with spaces',
      'ARG V1 V2=d',
      'WORKDIR /app',
      'USER app:app',
      'LABEL org.x="y z" k=v',
      'EXPOSE 80 53/udp',
      'ENTRYPOINT ["/bin/app", "--flag"]',
      'CMD run this',
      'VOLUME ["/data", "/logs"]',
      'VOLUME /a /b',
      'STOPSIGNAL SIGTERM',
      'SHELL ["/bin/bash", "-c"]',
      'MAINTAINER someone <a@b>',
      'HEALTHCHECK NONE',
      'ONBUILD COPY . /src',
    ].join('\n'),
  );
  const s = df.stages[0]!.steps;

  it('splits stages, global ARGs and directives', () => {
    expect(df.directives).toEqual({ syntax: 'docker/dockerfile:1' });
    expect(df.globalArgs[0]!.args).toEqual([{ name: 'BASE', value: 'scratch' }]);
    expect(df.stages).toHaveLength(1);
    expect(df.stages[0]!.from).toMatchObject({ image: '${BASE}', platform: 'linux/arm64', alias: 'first' });
    expect(df.stages[0]!.from.raw.line).toBe(3);
  });

  it('gives each instruction its arguments', () => {
    expect(s.map((i) => i.kind)).toEqual([
      'COPY', 'ADD', 'ENV', 'ENV', 'ARG', 'WORKDIR', 'USER', 'LABEL', 'EXPOSE', 'ENTRYPOINT', 'CMD', 'VOLUME', 'VOLUME', 'STOPSIGNAL', 'SHELL', 'MAINTAINER', 'HEALTHCHECK', 'ONBUILD',
    ]);
    expect(s[0]).toMatchObject({ sources: ['a', 'b'], dest: '/dst/', chown: '10:20', chmod: '0640', exec: false });
    expect(s[1]).toMatchObject({ sources: ['x y.tar'], dest: '/opt/', exec: true });
    expect((s[2] as Extract<Instruction, { kind: 'ENV' }>).pairs).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: '"two words"' },
      { key: 'C', value: 'three\\ four' },
    ]);
    expect((s[3] as Extract<Instruction, { kind: 'ENV' }>).pairs).toEqual([{ key: 'LEGACY', value: 'value with spaces' }]);
    expect((s[4] as Extract<Instruction, { kind: 'ARG' }>).args).toEqual([{ name: 'V1' }, { name: 'V2', value: 'd' }]);
    expect(s[9]).toMatchObject({ exec: ['/bin/app', '--flag'] });
    expect(s[10]).toMatchObject({ shell: 'run this' });
    expect(s[11]).toMatchObject({ paths: ['/data', '/logs'], exec: true });
    expect(s[12]).toMatchObject({ paths: ['/a', '/b'], exec: false });
    expect(s[14]).toMatchObject({ shell: ['/bin/bash', '-c'] });
    expect(s[17]).toMatchObject({ trigger: 'COPY . /src' });
  });

  it('joins continuations, skips comments inside them, and is case-insensitive', () => {
    const [c] = steps('FROM scratch\ncopy a \\\n  # a comment\n\n   b /c/\n');
    expect(c).toMatchObject({ kind: 'COPY', sources: ['a', 'b'], dest: '/c/' });
    expect(c!.raw.line).toBe(2);
    expect(c!.raw.endLine).toBe(5);
  });

  it('honours the escape directive', () => {
    const df2 = parseDockerfile('# escape=`\nFROM scratch\nCOPY a `\n  b c:\\dst\\\n');
    expect(df2.escape).toBe('`');
    expect(df2.stages[0]!.steps[0]).toMatchObject({ sources: ['a', 'b'], dest: 'c:\\dst\\' });
  });

  it('takes shell form for text that is not a JSON string array', () => {
    expect(steps('FROM scratch\nCMD [1, 2]')[0]).toMatchObject({ shell: '[1, 2]' });
    expect(steps('FROM scratch\nCMD ["a",')[0]).toMatchObject({ shell: '["a",' });
  });
});

describe('Dockerfile parser: errors name line and column', () => {
  it('unknown instruction', () => {
    const e = parseFails('FROM scratch\n\n   FROBNICATE x\n');
    expect(e.data).toMatchObject({ line: 3, column: 4 });
    expect(e.message).toMatch(/line 3, column 4: unknown instruction FROBNICATE/);
  });
  it('unknown flag points at the flag', () => {
    const e = parseFails('FROM scratch\nCOPY --bogus=1 a /b\n');
    expect(e.data).toMatchObject({ line: 2, column: 6 });
  });
  it('missing arguments', () => {
    expect(parseFails('FROM scratch\nWORKDIR\n').data).toMatchObject({ line: 2 });
    expect(parseFails('FROM scratch\nCOPY onlyone\n').data).toMatchObject({ line: 2, column: 6 });
  });
  it('instructions before FROM, no FROM at all', () => {
    expect(parseFails('ENV A=b\nFROM scratch').data).toMatchObject({ line: 1, column: 1 });
    expect(parseFails('# just a comment\n').message).toMatch(/no FROM/);
  });
  it('bad escape directive, duplicate directive', () => {
    expect(parseFails('# escape=x\nFROM scratch').data).toMatchObject({ line: 1 });
    expect(parseFails('# escape=`\n# escape=\\\nFROM scratch').data).toMatchObject({ line: 2 });
  });
  it('heredocs are refused', () => {
    const e = parseFails('FROM scratch\nCOPY <<EOF /x\nhello\nEOF\n');
    expect(e.message).toMatch(/heredoc/);
    expect(e.data).toMatchObject({ line: 2, column: 6 });
  });
  it('malformed ENV, bad ARG names, bad --chmod, SHELL not JSON', () => {
    expect(parseFails('FROM scratch\nENV A=1 B\n').data).toMatchObject({ line: 2, column: 9 });
    expect(parseFails('FROM scratch\nARG 9x\n').data).toMatchObject({ line: 2, column: 5 });
    expect(parseFails('FROM scratch\nCOPY --chmod=u+x a /b\n').data).toMatchObject({ line: 2, column: 6 });
    expect(parseFails('FROM scratch\nSHELL /bin/sh -c\n').data).toMatchObject({ line: 2, column: 7 });
    expect(parseFails('FROM scratch\nONBUILD FROM x\n').data).toMatchObject({ line: 2 });
  });
});

describe('instructions that need a process', () => {
  for (const [text, line] of [
    ['FROM scratch\nCOPY a /a\nRUN echo hi\n', 3],
    ['FROM scratch\nHEALTHCHECK --interval=5s CMD true\n', 2],
    ['FROM scratch\nHEALTHCHECK CMD true\n', 2],
    ['FROM scratch\nONBUILD RUN make\n', 2],
    ['FROM scratch\n  run \\\n  echo\n', 2],
  ] as const) {
    it(`refuses ${JSON.stringify(text.split('\n')[line - 1]!.trim())} naming line ${line}`, () => {
      try {
        parseDockerfile(text);
        throw new Error('expected an error');
      } catch (e) {
        expect(e).toBeInstanceOf(UnsupportedInstructionError);
        expect(isLayerfsError(e, 'UNSUPPORTED_INSTRUCTION')).toBe(true);
        expect((e as UnsupportedInstructionError).data.line).toBe(line);
        expect((e as Error).message).toContain(`line ${line}`);
      }
    });
  }

  it('refuses RUN before anything is built: the store stays empty', async () => {
    const store = openMemoryStore();
    const events: string[] = [];
    await expect(
      build(store, { context: { Dockerfile: 'FROM scratch\nCOPY a /a\nENV X=1\nRUN true\n', a: 'x' }, onEvent: (e) => events.push(e.type) }),
    ).rejects.toBeInstanceOf(UnsupportedInstructionError);
    expect(events).toEqual([]);
    expect(await store.backend.listBlobs()).toEqual([]);
    expect(await store.backend.listKinds()).toEqual([]);
  });

  it('refuses COPY --from (multi-stage copies)', () => {
    expect(() => parseDockerfile('FROM scratch AS a\nFROM scratch\nCOPY --from=a /x /y\n')).toThrow(UnsupportedInstructionError);
  });
});

describe('words and variable expansion', () => {
  const env = new Map([
    ['A', 'alpha'],
    ['EMPTY', ''],
    ['SP', 'x y'],
  ]);
  it('expands every substitution form', () => {
    expect(expandWord('$A ${A} ${A}b $Ab', env)).toBe('alpha alpha alphab ');
    expect(expandWord('${NOPE:-def} ${EMPTY:-def} ${EMPTY-def} ${NOPE-def}', env)).toBe('def def  def');
    expect(expandWord('${A:+set} ${EMPTY:+set} ${EMPTY+set} ${NOPE+set}', env)).toBe('set  set ');
    expect(expandWord('${NOPE:-${A}}', env)).toBe('alpha');
    expect(expandWord('a$', env)).toBe('a$');
    expect(expandWord('$1', env)).toBe('$1');
  });
  it('quotes: none inside single quotes, escapes inside double quotes', () => {
    expect(expandWord(`'$A' "$A" \\$A "\\$A" "a\\"b"`, env)).toBe('$A alpha $A $A a"b');
    expect(expandWord('"$SP"', env)).toBe('x y');
  });
  it('errors name the line', () => {
    expect(() => expandWord('${A', env, { line: 7 })).toThrow(/line 7/);
    expect(() => expandWord('${NOPE:?must be set}', env, { line: 3 })).toThrow(/line 3: NOPE: must be set/);
    expect(() => expandWord('${A/x/y}', env)).toThrow(DockerfileParseError);
    expect(() => expandWord("'open", env)).toThrow(DockerfileParseError);
  });
  it('splitWords keeps quotes and offsets', () => {
    expect(splitWords(`a "b c" d\\ e 'f g'`)).toEqual([
      { text: 'a', offset: 0 },
      { text: '"b c"', offset: 2 },
      { text: 'd\\ e', offset: 8 },
      { text: "'f g'", offset: 13 },
    ]);
  });
});
