import { describe, expect, it } from 'vitest';
import { MediaType, hostPlatform, parsePlatform, selectManifest, type Descriptor, type ImageIndex, type Platform } from '../../src/image/index.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const entry = (c: string, platform?: Platform): Descriptor => ({ mediaType: MediaType.ociManifest, digest: D(c), size: 1, ...(platform ? { platform } : {}) });
const index: ImageIndex = {
  schemaVersion: 2,
  manifests: [
    entry('1', { os: 'linux', architecture: 'amd64' }),
    entry('2', { os: 'linux', architecture: 'arm', variant: 'v6' }),
    entry('3', { os: 'linux', architecture: 'arm', variant: 'v7' }),
    entry('4', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    entry('5', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' }),
    entry('6', { os: 'unknown', architecture: 'unknown' }),
  ],
};

describe('platforms', () => {
  it('the host platform maps Node names to GOOS/GOARCH', () => {
    const p = hostPlatform();
    const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
    expect(p.architecture).toBe(arch[process.arch] ?? process.arch);
    expect(p.os).toBe(process.platform === 'win32' ? 'windows' : process.platform);
  });

  it('parses os/arch[/variant] and rejects other forms', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    for (const bad of ['linux', 'linux/', '/amd64', 'a/b/c/d']) expect(() => parsePlatform(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('selects from an index: exact, variant normalisation, defaults', () => {
    expect(selectManifest(index, { os: 'linux', architecture: 'amd64' }).digest).toBe(D('1'));
    expect(selectManifest(index, parsePlatform('linux/arm/v6')).digest).toBe(D('2'));
    // arm without a variant prefers the default v7; arm64 "" equals v8
    expect(selectManifest(index, parsePlatform('linux/arm')).digest).toBe(D('3'));
    expect(selectManifest(index, { os: 'linux', architecture: 'arm64' }).digest).toBe(D('4'));
    expect(selectManifest({ schemaVersion: 2, manifests: [entry('7', { os: 'linux', architecture: 'arm64' })] }, parsePlatform('linux/arm64/v8')).digest).toBe(D('7'));
    expect(selectManifest(index, parsePlatform('windows/amd64')).digest).toBe(D('5'));
  });

  it('no match is NOT_FOUND naming the platforms the index has', () => {
    expect(() => selectManifest(index, parsePlatform('linux/s390x'))).toThrow(/linux\/s390x.*linux\/amd64/);
    expect(() => selectManifest(index, parsePlatform('linux/s390x'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
