import { describe, expect, it } from 'vitest';
import { serverRoot } from '../../../../src/embed/http/serverRoot.js';
import { ConfigError } from '../../../../src/errors.js';

describe('serverRoot', () => {
  it('drops a trailing slash and /v1, keeping a path prefix', () => {
    expect(serverRoot('http://gpu-box:8080')).toBe('http://gpu-box:8080');
    expect(serverRoot('http://gpu-box:8080/')).toBe('http://gpu-box:8080');
    expect(serverRoot('http://gpu-box:8080/v1')).toBe('http://gpu-box:8080');
    expect(serverRoot('https://api.openai.com/v1/')).toBe('https://api.openai.com');
    expect(serverRoot('https://proxy.lan/embed/v1')).toBe('https://proxy.lan/embed');
    expect(serverRoot('http://GPU-BOX:80/')).toBe('http://gpu-box');
  });

  it('refuses what is not an http(s) root URL', () => {
    for (const bad of ['gpu-box:8080', 'localhost', 'file:///tmp/x', 'http://k:s@h', 'http://h/?key=1', 'http://h/#x']) {
      expect(() => serverRoot(bad), bad).toThrow(ConfigError);
    }
  });
});
