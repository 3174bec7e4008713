import { afterEach, describe, expect, it } from 'vitest';
import { ApiFailure, describeFailure, PAGE_LOAD_WORDS } from '../../../../web/src/lib/api.ts';
import { i18n } from '../../../../web/src/lib/i18n.svelte.ts';

describe('what a failed call tells the person', () => {
  const lang = i18n.lang;
  afterEach(() => {
    i18n.lang = lang;
  });

  it('says the server is unreachable in the interface language, whatever the page expects', () => {
    i18n.lang = 'en';
    expect(describeFailure(new ApiFailure(0, 'offline', 'network'), PAGE_LOAD_WORDS)).toBe('Cannot reach the server; check the connection and retry.');
    i18n.lang = 'zh';
    expect(describeFailure(new ApiFailure(0, 'offline', 'network'))).toBe('无法连接服务器，请检查网络后重试。');
  });

  it("shows the server's own sentence where the page has no words of its own", () => {
    expect(describeFailure(new ApiFailure(404, 'not_found', 'no store S9'))).toBe('no store S9');
    expect(describeFailure(new ApiFailure(500, 'error', 'Internal Server Error'), PAGE_LOAD_WORDS)).toBe('Internal Server Error');
  });

  it("uses the page's words for a status, and for an error code before its status", () => {
    i18n.lang = 'en';
    expect(describeFailure(new ApiFailure(403, 'forbidden', 'role merchandiser may not'), PAGE_LOAD_WORDS)).toBe('Your role may not see this page.');
    expect(describeFailure(new ApiFailure(404, 'not_found', 'Route GET:/v1/map not found'), PAGE_LOAD_WORDS)).toBe('The server does not offer this yet.');
    const login = { 403: 'common.forbidden', user_disabled: 'login.disabled' } as const;
    expect(describeFailure(new ApiFailure(403, 'user_disabled', 'user ann is disabled'), login)).toBe('This account is disabled; ask your administrator.');
    expect(describeFailure(new ApiFailure(403, 'forbidden', 'csrf'), login)).toBe('Your role may not see this page.');
  });

  it("puts the page's words around the server's sentence", () => {
    i18n.lang = 'en';
    const upload = { 400: (serverSays: string) => `Not saved: ${serverSays}` };
    expect(describeFailure(new ApiFailure(400, 'bad_request', 'feature 1: no territory name'), upload)).toBe('Not saved: feature 1: no territory name');
  });

  it('shows what went wrong here when the failure is not an answer from the server', () => {
    expect(describeFailure(new Error('The file could not be read'))).toBe('The file could not be read');
    expect(describeFailure('aborted')).toBe('aborted');
  });
});
