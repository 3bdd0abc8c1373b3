import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GegluGpu, availableGpuBackends } from '../src/index.js';
import { summarizeDawnStderr } from '../src/backends.js';
import { avail, requireWebGpu } from './helpers.js';

const webgpu = avail('webgpu');
const headless = avail('headlessgl');

describe('backend discovery', () => {
  it('availableGpuBackends lists webgpu, headlessgl, webasm and cpu, each available or with a reason', async () => {
    const list = await availableGpuBackends();
    expect(list.map((a) => a.backend)).toEqual(['webgpu', 'headlessgl', 'webasm', 'cpu']);
    for (const a of list) {
      if (a.available) expect(typeof a.device).toBe('string');
      else expect(a.reason).toMatch(/\S/);
    }
    expect(list.find((a) => a.backend === 'cpu')!.available).toBe(true);
  });

  it('GEGLU_REQUIRE_WEBGPU=1 demands a WebGPU adapter', () => {
    if (requireWebGpu) expect(webgpu.reason ?? 'available').toBe('available');
    expect(typeof requireWebGpu).toBe('boolean');
  });

  it('auto picks the first backend that works and records what it passed over', async () => {
    const g = await GegluGpu.create({ backend: 'auto' });
    try {
      expect(g.requested).toBe('auto');
      expect(g.backend).not.toBe('auto');
      const order = ['webgpu', 'headlessgl', 'webasm', 'cpu'];
      const expected = order.find((b) => avail(b as 'cpu').available);
      expect(g.backend).toBe(expected);
      expect(g.fallbacks.map((f) => f.backend)).toEqual(order.slice(0, order.indexOf(g.backend)));
      for (const f of g.fallbacks) expect(f.reason).toMatch(/\S/);
    } finally {
      await g.dispose();
    }
  });

  it.skipIf(headless.available)(
    `explicit headlessgl fails naming the backend and why (headless-gl unavailable here: ${headless.reason})`,
    async () => {
      await expect(GegluGpu.create({ backend: 'headlessgl' })).rejects.toThrow(/backend 'headlessgl' is not available: .*gl/);
    },
  );

  it.skipIf(webgpu.available || requireWebGpu)(
    `explicit webgpu fails naming the backend and why (WebGPU unavailable here: ${webgpu.reason})`,
    async () => {
      await expect(GegluGpu.create({ backend: 'webgpu' })).rejects.toThrow(/backend 'webgpu' is not available: /);
    },
  );

  it('explicit backends report themselves, never auto, with a device description', async () => {
    for (const b of ['webasm', 'cpu'] as const) {
      const g = await GegluGpu.create({ backend: b });
      expect(g.backend).toBe(b);
      expect(g.fallbacks).toEqual([]);
      expect(g.device).toMatch(b === 'webasm' ? /WebAssembly/ : /JavaScript/);
      await g.dispose();
    }
  });

  it.skipIf(!webgpu.available && !requireWebGpu)(`webgpu reports the adapter (${webgpu.device ?? webgpu.reason})`, async () => {
    const g = await GegluGpu.create({ backend: 'webgpu' });
    try {
      expect(g.backend).toBe('webgpu');
      expect(g.device).toBe(webgpu.device);
    } finally {
      await g.dispose();
    }
  });

  it('rejects an unknown backend name, naming the option and the value', async () => {
    await expect(GegluGpu.create({ backend: 'cuda' as never })).rejects.toThrow(
      /^GegluGpu.create: options\.backend is "cuda", expected one of 'auto', 'webgpu', 'headlessgl', 'webasm', 'cpu'$/,
    );
  });

  it('a disposed instance refuses work', async () => {
    const g = await GegluGpu.create({ backend: 'cpu' });
    await g.dispose();
    await expect(g.gelu(new Float32Array(1))).rejects.toThrow(/disposed/);
  });
});

describe('process lifetime', () => {
  // The object from webgpu's create() keeps Node's event loop alive; dispose()
  // must drop it, or every CLI and test process using WebGPU would hang.
  it.skipIf(!webgpu.available && !requireWebGpu)(
    'a Node process that creates, uses and disposes a WebGPU GegluGpu exits by itself within 30 s',
    () => {
      const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
      const script = `
      const { GegluGpu } = await import(${JSON.stringify(dist)});
      const g = await GegluGpu.create({ backend: 'webgpu' });
      const r = await g.gelu(new Float32Array([1]));
      await g.dispose();
      console.log('done', g.backend, r[0]);
    `;
      const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        timeout: 30_000,
        encoding: 'utf8',
        env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
      });
      expect(res.error).toBeUndefined();
      expect(res.stdout).toMatch(/done webgpu 0\.84134/);
      expect(res.status).toBe(0);
    },
  );
});

describe('Dawn noise', () => {
  it("Dawn's no-driver warning becomes one line without the build machine's path", () => {
    // what webgpu@0.6.2 (Dawn) prints with VK_ICD_FILENAMES=/nonexistent.json
    const stderr = [
      'Warning: loader_get_json: Failed to open JSON file /nonexistent.json',
      'Warning: vkCreateInstance: Found no drivers!',
      'Warning: vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER',
      '    at CheckVkSuccessImpl (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/VulkanError.cpp:106)',
      '',
    ].join('\n');
    expect(summarizeDawnStderr(stderr)).toBe(
      'loader_get_json: Failed to open JSON file /nonexistent.json / vkCreateInstance: Found no drivers! / vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER',
    );
  });

  it('without a Vulkan driver, a process opening auto writes nothing on stderr and names why webgpu was passed over', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      const { GegluGpu } = await import(${JSON.stringify(dist)});
      const g = await GegluGpu.create({ backend: 'auto' });
      console.log(JSON.stringify(g.fallbacks.find((f) => f.backend === 'webgpu')));
      await g.dispose();
    `;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 60_000,
      encoding: 'utf8',
      env: {
        ...process.env,
        VK_ICD_FILENAMES: '/nonexistent/geglu-no-driver.json',
        XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp',
      },
    });
    expect(res.error).toBeUndefined();
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout).reason).toMatch(/^no WebGPU adapter|^the 'webgpu' npm package/);
  });
});
