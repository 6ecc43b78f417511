import { expect } from 'chai';
import { ExpiresRules, type ExpiresSubject } from '../../../../src/server/static/expires';
import type { StaticFilesConfig } from '../../../../src/shared/config';

const none: StaticFilesConfig = {
  staticMap: [], staticMap2: [], staticCheck: [], staticIndex: [], staticSafe: [], staticSkipExt: [],
  staticExpires: [], staticExpiresMtime: [], staticExpiresUri: [], staticExpiresUriMtime: [],
  staticExpiresPathInfo: [], staticExpiresPathInfoMtime: [], staticExpiresType: [], staticExpiresTypeMtime: [],
  offloadThreads: 0,
};
const subject: ExpiresSubject = { file: '/srv/pub/app.css', pathInfo: '/static/app.css', uri: '/static/app.css?v=1', type: 'text/css', mtimeMs: Date.UTC(2020, 0, 1) };
const now = Date.UTC(2026, 5, 1, 12, 0, 0, 750);

describe('server/static/expires', () => {
  it('is empty without rules, and then sets nothing', () => {
    const rules = new ExpiresRules(none);
    expect(rules.empty).to.equal(true);
    expect(rules.header(subject, now)).to.equal(undefined);
  });
  it('static-expires-uri: REQUEST_URI (with its query) against the regexp, now + seconds in whole seconds', () => {
    const rules = new ExpiresRules({ ...none, staticExpiresUri: [{ pattern: '\\?v=\\d+$', seconds: 3600 }] });
    expect(rules.header(subject, now)).to.equal('Mon, 01 Jun 2026 13:00:00 GMT');
    expect(rules.header({ ...subject, uri: '/static/app.css' }, now)).to.equal(undefined);
  });
  it('the -mtime forms count from the file\'s mtime', () => {
    const rules = new ExpiresRules({ ...none, staticExpiresPathInfoMtime: [{ pattern: '^/static/', seconds: 86400 }] });
    expect(rules.header(subject, now)).to.equal('Thu, 02 Jan 2020 00:00:00 GMT');
  });
  it('static-expires matches the real file path; static-expires-type the content type', () => {
    expect(new ExpiresRules({ ...none, staticExpires: [{ pattern: '^/srv/pub/.*\\.css$', seconds: 60 }] }).header(subject, now)).to.equal('Mon, 01 Jun 2026 12:01:00 GMT');
    const byType = new ExpiresRules({ ...none, staticExpiresType: [{ pattern: 'text/css', seconds: 120 }] });
    expect(byType.header(subject, now)).to.equal('Mon, 01 Jun 2026 12:02:00 GMT');
    expect(byType.header({ ...subject, type: 'text/html' }, now)).to.equal(undefined);
  });
  it('takes the first match in uWSGI\'s order: file, PATH_INFO, REQUEST_URI, type; now before mtime', () => {
    const rules = new ExpiresRules({
      ...none,
      staticExpiresType: [{ pattern: 'text/css', seconds: 4 }],
      staticExpiresUri: [{ pattern: 'css', seconds: 3 }],
      staticExpiresPathInfoMtime: [{ pattern: 'css', seconds: 1 }],
      staticExpiresPathInfo: [{ pattern: 'css', seconds: 2 }],
    });
    expect(rules.header(subject, now)).to.equal('Mon, 01 Jun 2026 12:00:02 GMT');
  });
});
